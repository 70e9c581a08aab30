"""Together's periodic jobs (run by core's scheduler)."""

import datetime as dt

from dangol.lib.periodic import periodic

from .models import Allowance
from .services import together_close_due

PURGE_BATCH = 1000


@periodic
def close_due(*, now):
    return together_close_due(now=now)


@periodic
def purge_allowances(*, now):
    """Daily counts of proposals and photos, once their Seoul day is two days gone."""
    old = Allowance.objects.filter(window_start__lt=now - dt.timedelta(days=2)).order_by()
    ids = list(old.values_list("pk", flat=True)[:PURGE_BATCH])
    return Allowance.objects.filter(pk__in=ids).delete()[0] if ids else 0
