"""What the channel announces for higher apps to react to.

Sent inside the transaction that made the event, so what receivers write commits or
rolls back with it.
"""

from django.dispatch import Signal

# A customer became (again) a regular of a store: sender=Follow, follow=<Follow>.
follow_started = Signal()
