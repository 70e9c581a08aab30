"""Channel figures that other apps (the fund's KPIs) may read: plain numbers, counted live.

Each takes a market (a Market or its id; None for every market) and a period [since, before) of aware
datetimes, either end open when None.
"""

from django.db.models import Q

from .models import Follow, Store


def _within(field, since, before):
    bounds = {f"{field}__gte": since, f"{field}__lt": before}
    return Q(**{lookup: moment for lookup, moment in bounds.items() if moment is not None})


def stores_opened(*, market=None, since=None, before=None):
    """Stores that opened their channel in the period."""
    stores = Store.objects.filter(_within("created_at", since, before))
    if market is not None:
        stores = stores.filter(market=market)
    return stores.count()


def followers_gained(*, market=None, since=None, before=None):
    """Customers who started following a store in the period and still follow it; an ended follow doesn't count."""
    follows = Follow.objects.active().filter(_within("started_at", since, before))
    if market is not None:
        follows = follows.filter(store__market=market)
    return follows.count()
