"""A message's reach hour by hour: how many got it in the inbox, by push and by SMS, and read it."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone

from dangol.messaging.models import InboxItem

from .models import Channel, Delivery, State

SEOUL = ZoneInfo("Asia/Seoul")
HOURS_SHOWN = 48  # the first two days: after them a message is rarely read


def _per_hour(queryset, field):
    rows = (
        queryset.annotate(hour=TruncHour(field, tzinfo=SEOUL))
        .values_list("hour")
        .annotate(n=Count("id"))
        .order_by("hour")
    )
    return {hour.astimezone(SEOUL).replace(tzinfo=None): n for hour, n in rows}


def reach_by_hour(message, *, now=None):
    """Rows of (hour in Seoul, [(series, count, bar width 0-100), ...]) from the hour the message was
    sent, once anything has happened, every hour shown (a quiet hour is a zero, a held night is visible), at most HOURS_SHOWN.

    Series: inbox (became visible), push and sms (sent), read. Bars share one scale, so a long bar
    is more people whatever the series. Returns (rows, cut): `cut` is True when later hours exist.
    """
    now = now or timezone.now()
    items = InboxItem.objects.filter(message=message)
    deliveries = Delivery.objects.filter(message=message, state=State.SENT)
    series = {
        "inbox": _per_hour(items.filter(visible_at__lte=now), "visible_at"),
        "push": _per_hour(deliveries.filter(channel=Channel.PUSH), "sent_at"),
        "sms": _per_hour(deliveries.filter(channel=Channel.SMS), "sent_at"),
        "read": _per_hour(items.filter(read_at__isnull=False), "read_at"),
    }
    hours = sorted({hour for counts in series.values() for hour in counts})
    if not hours:
        return [], False
    first, last = hours[0], hours[-1]
    if message.sent_at:  # from the hour it was sent, so hours held back (the night hold) show as such
        first = min(first, message.sent_at.astimezone(SEOUL).replace(minute=0, second=0, microsecond=0, tzinfo=None))
    shown = min(int((last - first).total_seconds() // 3600) + 1, HOURS_SHOWN)
    most = max(n for counts in series.values() for n in counts.values())
    rows = []
    for i in range(shown):
        hour = first + dt.timedelta(hours=i)
        cells = []
        for name, counts in series.items():
            n = counts.get(hour, 0)
            cells.append((name, n, round(100 * n / most) if most else 0))
        rows.append((hour, cells))
    return rows, shown < int((last - first).total_seconds() // 3600) + 1
