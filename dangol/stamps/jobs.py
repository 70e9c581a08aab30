"""Stamps' periodic jobs (run by core's scheduler)."""

from dangol.lib.periodic import periodic

from .models import SCAN_GRACE, StampToken

PURGE_BATCH = 1000  # a stall screen makes a QR about every 30 s; one tick (15 s) takes at most this many


@periodic
def purge_stamp_tokens(*, now):
    """Stall QRs that can no longer give a stamp, used or not: past their lifetime and the scan grace."""
    dead = StampToken.objects.filter(expires_at__lt=now - SCAN_GRACE).order_by()
    ids = list(dead.values_list("pk", flat=True)[:PURGE_BATCH])
    return StampToken.objects.filter(pk__in=ids).delete()[0] if ids else 0
