"""Sign-in's periodic clean-up (run by core's scheduler): at most BATCH rows of each kind per tick."""

import datetime as dt
from importlib import import_module

from django.conf import settings

from dangol.lib.periodic import periodic

from .models import CODES_PER_ADDRESS_WINDOW, AddressThrottle, PhoneCode, PhoneThrottle

BATCH = 1000
# Every limit looks back at most a day (the daily caps count from Seoul midnight), so older rows count for nothing.
KEEP = dt.timedelta(days=1, hours=1)


def _delete_some(queryset):
    """Delete up to BATCH rows of `queryset`; the condition is checked again as they go, for rows renewed meanwhile."""
    ids = list(queryset.order_by().values_list("pk", flat=True)[:BATCH])
    if not ids:
        return 0
    deleted, _by_model = queryset.filter(pk__in=ids).delete()
    return deleted


@periodic
def sign_in_records_purge(*, now):
    """Codes, with the addresses they were asked from, once no limit counts them; idle throttle rows."""
    return {
        "codes": _delete_some(PhoneCode.objects.filter(created_at__lt=now - KEEP)),
        "phones": _delete_some(PhoneThrottle.objects.filter(updated_at__lt=now - KEEP)),
        "addresses": _delete_some(AddressThrottle.objects.filter(updated_at__lt=now - CODES_PER_ADDRESS_WINDOW)),
    }


@periodic
def expired_sessions_purge(*, now):
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):  # cache or cookie sessions expire by themselves
        store.clear_expired()
        return 0
    # SessionStore.clear_expired() would delete every expired session in one statement; a tick takes a batch.
    return _delete_some(store.get_model_class().objects.filter(expire_date__lt=now))
