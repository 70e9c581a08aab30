"""What messaging announces to the apps above it."""

from django.dispatch import Signal

# A message was put in its recipients' inboxes (kwargs: message). Sent inside the transaction that wrote
# the inbox items, so what receivers write (delivery rows for push and SMS) commits or rolls back with them.
message_delivered = Signal()
