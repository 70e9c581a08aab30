import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from dangol.lib.ids import new_public_id

MAX_REFUND_REASON = 200

# A confirm that has not finished after this long (a crashed worker) may be tried again.
CONFIRM_CLAIM_TIMEOUT = dt.timedelta(minutes=2)


def won(amount, sign=""):
    """12345 → "12,345원" in the language in use; `sign` "+" shows the sign of money in and out."""
    return gettext("{amount}원").format(amount=format(amount, f"{sign},"))


def new_order_id():
    # Toss asks for 6-64 characters of [A-Za-z0-9_-]; 20 random ones never collide in practice.
    return new_public_id(20)


class Status(models.TextChoices):
    PENDING = "pending", _("결제 대기")
    PAID = "paid", _("결제 완료")
    FAILED = "failed", _("결제 실패")
    CANCELED = "canceled", _("결제 취소")
    PARTIALLY_REFUNDED = "partially_refunded", _("부분 환불")
    REFUNDED = "refunded", _("환불 완료")


class Payment(models.Model):
    """One attempt to take money for one order, through one provider.

    The amount is fixed when the order is made; a provider's answer is only
    accepted for this order id and this amount.
    """

    order_id = models.CharField(_("주문 번호"), max_length=64, unique=True, default=new_order_id, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    amount = models.PositiveBigIntegerField(_("금액(원)"))
    order_name = models.CharField(_("주문 이름"), max_length=100)
    provider = models.CharField(_("결제사"), max_length=20)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    payment_key = models.CharField(max_length=200, blank=True)
    refunded_amount = models.PositiveBigIntegerField(default=0)
    raw = models.JSONField(_("결제사 응답"), default=dict, blank=True)
    failure_code = models.CharField(max_length=60, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    success_url = models.CharField(max_length=500)
    fail_url = models.CharField(max_length=500)
    confirming_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("결제")
        verbose_name_plural = pgettext_lazy("plural", "결제")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "payment_key"], condition=~Q(payment_key=""), name="one_payment_per_provider_key"
            ),
            models.CheckConstraint(condition=Q(refunded_amount__lte=F("amount")), name="refund_within_amount"),
        ]

    def __str__(self):
        return f"{self.order_id} {won(self.amount)} {self.get_status_display()}"

    def claim_for_confirm(self, *, now):
        """Only one request at a time asks the provider to confirm this payment."""
        stale = now - CONFIRM_CLAIM_TIMEOUT
        claimed = (
            Payment.objects.filter(pk=self.pk, status=Status.PENDING)
            .filter(Q(confirming_since__isnull=True) | Q(confirming_since__lt=stale))
            .update(confirming_since=now)
        )
        return claimed == 1

    def release_claim(self):
        Payment.objects.filter(pk=self.pk, status=Status.PENDING).update(confirming_since=None)

    def mark_paid(self, *, payment_key, raw, now):
        """pending → paid, once; True for the call that made the change."""
        changed = Payment.objects.filter(pk=self.pk, status=Status.PENDING).update(
            status=Status.PAID, payment_key=payment_key, raw=raw, paid_at=now, confirming_since=None
        )
        if changed:
            self.status, self.payment_key, self.raw, self.paid_at = Status.PAID, payment_key, raw, now
        return changed == 1

    def mark_failed(self, *, code, message, raw=None, status=Status.FAILED, unclaimed_only=False):
        """pending → failed or canceled. `unclaimed_only` leaves a payment being confirmed alone."""
        pending = Payment.objects.filter(pk=self.pk, status=Status.PENDING)
        if unclaimed_only:
            pending = pending.filter(confirming_since__isnull=True)
        changed = pending.update(
            status=status, failure_code=code[:60], failure_message=message[:300], raw=raw or {}, confirming_since=None
        )
        if changed:
            self.status, self.failure_code, self.failure_message = status, code[:60], message[:300]
        return changed == 1


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("요청됨")
    DONE = "done", _("환불됨")
    FAILED = "failed", _("실패")


class Refund(models.Model):
    """Money given back from a paid payment. Requested before the provider is asked,
    so a refund in flight is counted and a retry reuses its idempotency key."""

    public_id = models.CharField(max_length=12, unique=True, default=new_public_id, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.PositiveBigIntegerField(_("환불 금액(원)"))
    reason = models.CharField(_("환불 사유"), max_length=MAX_REFUND_REASON)
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.REQUESTED)
    raw = models.JSONField(default=dict, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("환불")
        verbose_name_plural = pgettext_lazy("plural", "환불")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]

    def __str__(self):
        return f"{self.payment.order_id} -{won(self.amount)} {self.get_status_display()}"

    @property
    def idempotency_key(self):
        return f"refund-{self.public_id}"
