"""Channel figures that other apps (the fund's KPIs) may read: plain numbers, counted live.

Each takes a market (a Market or its id; None for every market) and a period [since, before) of aware
datetimes, either end open when None.
"""

from dangol.lib.periods import within

from .models import Follow, Store


def stores_opened(*, market=None, since=None, before=None):
    """Stores that opened their channel in the period."""
    stores = Store.objects.filter(within("created_at", since, before))
    if market is not None:
        stores = stores.filter(market=market)
    return stores.count()


def followers_gained(*, market=None, since=None, before=None):
    """Customers who started following a store in the period and still follow it; an ended follow doesn't count."""
    follows = Follow.objects.active().filter(within("started_at", since, before))
    if market is not None:
        follows = follows.filter(store__market=market)
    return follows.count()
