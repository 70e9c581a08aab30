"""What the coupon rules share: the refusal and the limits (user-facing text reads them from here)."""

import datetime as dt

from dangol.lib.refusals import Refused

UNDO_WINDOW = dt.timedelta(minutes=10)
MAX_WON = 100_000_000
PIN_TRIES = 5
PIN_LOCKOUT = dt.timedelta(minutes=15)
MAX_TITLE = 60
MAX_QUANTITY = 1_000_000
MAX_PAPER = 300
MAX_PER_CUSTOMER = 10
MAX_VALID_DAYS = 365
MAX_VALID_AHEAD = dt.timedelta(days=730)
MAX_PRESENTED = 400  # a code or a QR token as typed or scanned at the stall
MAX_CLIENT_ID = 64
MAX_KEY_NAME = 40
MAX_OFFLINE_BATCH = 200  # records a stall device sends in one sync
CLOCK_SKEW = dt.timedelta(minutes=5)  # a device clock this far ahead is still believed


class CouponRefused(Refused):
    """A claim, redemption or undo that the rules refuse."""


def minutes(delta):
    return int(delta.total_seconds() // 60)
