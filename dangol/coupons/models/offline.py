"""Coupons used while the stall had no network: the second use of one coupon is kept, never dropped."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from dangol.lib.ids import new_public_id

REPORTED_FOR = dt.timedelta(days=90)


class DoubleUseQuerySet(models.QuerySet):
    def reported_for(self, store, *, now=None):
        """The store's double uses of the last 90 days, with both records, newest first."""
        since = (now or timezone.now()) - REPORTED_FOR
        return self.filter(store=store, received_at__gte=since).select_related(
            "coupon__campaign", "kept__redeemed_by", "kept__api_key", "recorded_by", "api_key"
        )


class DoubleUse(models.Model):
    """A coupon used a second time while offline (two phones, two stalls). `kept` is the redemption
    that counts: the first by time of use. This row is the other use, shown to the merchant."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    store = models.ForeignKey("channels.Store", on_delete=models.CASCADE, related_name="double_uses")
    coupon = models.ForeignKey("Coupon", on_delete=models.PROTECT, related_name="double_uses")
    kept = models.ForeignKey("Redemption", on_delete=models.PROTECT, related_name="double_uses")
    via = models.CharField(max_length=10)
    amount = models.PositiveIntegerField(gettext_lazy("구매 금액(원)"), null=True, blank=True)
    used_at = models.DateTimeField(gettext_lazy("사용한 때"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    api_key = models.ForeignKey("ApiKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    client_id = models.CharField(max_length=64, blank=True)
    device = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    objects = DoubleUseQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("두 번 쓰인 쿠폰")
        verbose_name_plural = pgettext_lazy("plural", "두 번 쓰인 쿠폰")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "client_id"], condition=~Q(client_id=""), name="one_double_use_per_client_id"
            )
        ]
        indexes = [models.Index(fields=["store", "received_at"])]

    def __str__(self):
        return f"{self.coupon} @ {self.used_at:%Y-%m-%d %H:%M}"
