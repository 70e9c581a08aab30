"""Time in the market's zone: stored in UTC, rules evaluated in Asia/Seoul."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

SEOUL = ZoneInfo("Asia/Seoul")
NIGHT_STARTS = dt.time(21, 0)
NIGHT_ENDS = dt.time(8, 0)


def to_seoul(moment):
    return moment.astimezone(SEOUL)


def is_night(moment):
    """21:00 to 08:00 Seoul time, when ads need a separate night consent."""
    local = to_seoul(moment).time()
    return local >= NIGHT_STARTS or local < NIGHT_ENDS


def night_ends_after(moment):
    """The 08:00 Seoul that ends the night `moment` falls in."""
    local = to_seoul(moment)
    end = local.replace(hour=NIGHT_ENDS.hour, minute=0, second=0, microsecond=0)
    if local.time() >= NIGHT_STARTS:
        end += dt.timedelta(days=1)
    return end.astimezone(dt.UTC)


def now():
    return timezone.now()


def seoul_midnight(day):
    """00:00 Asia/Seoul at the start of `day`, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=SEOUL)


def seoul_today(now=None):
    """The date in Seoul at `now` (default: this moment)."""
    return to_seoul(now or timezone.now()).date()


def short_moment(moment):
    """A moment as people at the stall say it, in Seoul time: "5월 4일 14:05"."""
    return date_format(to_seoul(moment), gettext("n월 j일 H:i"))
