"""Coupons' periodic jobs (run by core's scheduler): forget what the limits no longer need."""

import datetime as dt

from dangol.lib.periodic import periodic

from .models import PIN_LOCKOUT, Allowance, PinFailure
from .models.limits import CLAIM_WINDOW

PURGE_BATCH = 1000  # rows of each kind per tick (every 15 s), so one tick stays short
KEEP = dt.timedelta(days=1)  # a little history for anyone looking into an incident


def purge_batch(queryset, size=PURGE_BATCH):
    """Delete up to `size` rows; two schedulers deleting the same rows is harmless."""
    ids = list(queryset.order_by().values_list("pk", flat=True)[:size])
    return queryset.model.objects.filter(pk__in=ids).delete()[0] if ids else 0


@periodic
def purge_limits(*, now):
    """Wrong PINs past their lockout, and claim counts of past hours."""
    return {
        "pin_failures": purge_batch(PinFailure.objects.filter(created_at__lt=now - max(PIN_LOCKOUT, KEEP))),
        "claim_allowances": purge_batch(Allowance.objects.filter(window_start__lt=now - CLAIM_WINDOW - KEEP)),
    }
