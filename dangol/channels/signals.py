"""What the channel announces for higher apps to react to.

Sent inside the transaction that made the event, so what receivers write commits or
rolls back with it.
"""

from django.dispatch import Signal

# A customer became (again) a regular of a store: sender=Follow, follow=<Follow>.
# A receiver that gives the new regular something returns the names of what it gave
# (the names of the coupons it put in their wallet, e.g. ["1,000원 할인"]); `follow_start`
# collects them so the page can announce them.
follow_started = Signal()
