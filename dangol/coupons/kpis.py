"""Coupon figures that other apps (the fund's KPIs) may read: plain numbers, counted live.

Each takes a market (a Market or its id; None for every market) and a period [since, before) of aware
datetimes, either end open when None.
"""

from dangol.lib.periods import within

from .models import Redemption


def coupons_redeemed(*, market=None, since=None, before=None):
    """Coupon uses at the stall in the period that stand.

    An undo keeps its Redemption row with `undone_at` set, so only rows without it are counted; a coupon
    used again after an undo counts once, at its latest use.
    """
    redemptions = Redemption.objects.filter(within("created_at", since, before), undone_at__isnull=True)
    if market is not None:
        redemptions = redemptions.filter(store__market=market)
    return redemptions.count()
