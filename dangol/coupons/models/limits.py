"""How much of a rate limit one client has used in one window, exact under any concurrency."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy, pgettext_lazy

from dangol.lib.models import Allowance as BaseAllowance

CLAIMS_PER_ADDRESS_PER_HOUR = 30  # mobile carriers put many phones behind one address
CLAIM_WINDOW = dt.timedelta(hours=1)


def claims_per_address_per_hour():
    return getattr(settings, "COUPON_CLAIMS_PER_ADDRESS_PER_HOUR", CLAIMS_PER_ADDRESS_PER_HOUR)


def address_key(address):
    """A keyed hash of a client address: the limit works without keeping the address."""
    return salted_hmac("dangol.coupons.address", address, algorithm="sha256").hexdigest()


class Allowance(BaseAllowance):
    """Claims per client address per clock hour (see lib's Allowance for how the limit holds)."""

    CLAIM = "claim"

    class Meta:
        verbose_name = gettext_lazy("사용 한도")
        verbose_name_plural = pgettext_lazy("plural", "사용 한도")
        constraints = [models.UniqueConstraint(fields=["what", "key", "window_start"], name="coupons_one_allowance")]
        indexes = [models.Index(fields=["window_start"])]

    @classmethod
    def take(cls, *, what, key, window_start, limit, count=1):
        return cls.take_in_window(what=what, key=key, window_start=window_start, limit=limit, count=count)
