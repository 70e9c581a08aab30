"""What the coupon rules share: the refusal, limits, and Seoul days."""

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format

from dangol.lib.refusals import Refused
from dangol.lib.seoul import SEOUL, to_seoul

UNDO_WINDOW = dt.timedelta(minutes=10)
MAX_WON = 100_000_000
PIN_TRIES = 5
PIN_LOCKOUT = dt.timedelta(minutes=15)


class CouponRefused(Refused):
    """A claim, redemption or undo that the rules refuse."""


def seoul_midnight(day):
    """00:00 Asia/Seoul at the start of `day`, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=SEOUL)


def seoul_today(now=None):
    return to_seoul(now or timezone.now()).date()


def short_moment(moment):
    return date_format(to_seoul(moment), "n월 j일 H:i")
