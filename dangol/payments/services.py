"""Taking and giving back money through a provider, exactly once.

The app that sells something (together: a donation) makes a Payment, sends the
customer to `checkout_url`, and on the way back calls `payment_confirm` with an
`on_paid` callback: the callback runs inside the transaction that marks the
payment paid, so the payment and what it pays for are recorded together or not
at all. Refunds go the same way with `refund_request` + `refund_execute`.
"""

import logging

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dangol.lib.refusals import NotNow, Refused
from dangol.lib.text import too_long, visible

from .models import MAX_REFUND_REASON, Payment, Refund, RefundStatus, Status
from .providers import ProviderDeclined, ProviderError, ProviderUnavailable, default_provider_name, get_provider

logger = logging.getLogger("dangol.payments")

USER_CANCELED = "PAY_PROCESS_CANCELED"  # Toss's code when the customer closes the payment window


class PaymentRefused(Refused):
    """The payment or refund did not happen."""


class PaymentPending(PaymentRefused, NotNow):
    """The outcome is not known yet (provider unreachable, or another request is on it); try again."""

    status = 503


def checkout_url(payment):
    return get_provider(payment.provider).checkout_url(payment)


def payment_start(*, customer, amount, order_name, success_url, fail_url, provider=None):
    return Payment.objects.create(
        customer=customer,
        amount=int(amount),
        order_name=order_name[:100],
        provider=provider or default_provider_name(),
        success_url=success_url,
        fail_url=fail_url,
    )


def _void(provider, payment, payment_key, reason):
    """Give back money the provider took but we could not record. Failing that, shout."""
    try:
        provider.cancel(
            payment_key=payment_key, amount=payment.amount, reason=reason, idempotency_key=f"void-{payment.order_id}"
        )
    except ProviderError:
        logger.error("payment %s was taken but not recorded, and voiding it failed", payment.order_id)
        return False
    return True


def payment_confirm(*, payment, payment_key, order_id, amount, on_paid=None):
    """Confirm what the provider's checkout sent back, once, for our order and our amount only.

    Returns the paid Payment (also when it was already confirmed with this key).
    Raises PaymentRefused (nothing taken, nothing recorded) or PaymentPending.
    """
    try:
        amount = int(amount)
    except (TypeError, ValueError):
        amount = None
    if order_id != payment.order_id or amount != payment.amount or not payment_key:
        raise PaymentRefused(_("결제 금액이나 주문 번호가 주문과 다릅니다. 결제는 승인되지 않았습니다."))
    payment.refresh_from_db()
    if payment.status != Status.PENDING:
        settled = (Status.PAID, Status.PARTIALLY_REFUNDED, Status.REFUNDED)
        if payment.payment_key == payment_key and payment.status in settled:
            return payment
        raise PaymentRefused(_("이미 처리된 주문입니다. ({status})").format(status=payment.get_status_display()))
    now = timezone.now()
    if not payment.claim_for_confirm(now=now):
        payment.refresh_from_db()
        if payment.status == Status.PAID and payment.payment_key == payment_key:
            return payment
        raise PaymentPending(_("결제를 확인하고 있습니다. 잠시 뒤 새로고침해 주세요."))
    provider = get_provider(payment.provider)
    try:
        try:
            result = provider.confirm(payment_key=payment_key, order_id=payment.order_id, amount=payment.amount)
        except ProviderDeclined as declined:
            if declined.code != "ALREADY_PROCESSED_PAYMENT":
                raise
            # Our earlier confirm reached the provider but its answer never reached us.
            result = provider.retrieve(payment_key=payment_key)
    except ProviderDeclined as declined:
        payment.mark_failed(code=declined.code, message=declined.message)
        raise PaymentRefused(_("결제가 승인되지 않았습니다: {message}").format(message=declined.message)) from None
    except ProviderUnavailable:
        payment.release_claim()
        raise PaymentPending(_("결제사와 연결이 원활하지 않습니다. 잠시 뒤 다시 시도해 주세요.")) from None
    if result.status != "DONE" or result.order_id != payment.order_id or result.total_amount != payment.amount:
        _void(provider, payment, payment_key, "주문 정보 불일치")
        payment.mark_failed(code="MISMATCH", message="결제사 응답이 주문과 다릅니다.", raw=result.raw)
        raise PaymentRefused(_("결제 정보가 주문과 달라 승인하지 않았습니다."))
    try:
        with transaction.atomic():
            if payment.mark_paid(payment_key=payment_key, raw=result.raw, now=now) and on_paid is not None:
                on_paid(payment)
    except Exception:
        # Whatever the payment was for could not be recorded: the money goes back.
        payment.refresh_from_db()
        voided = _void(provider, payment, payment_key, "기록 실패로 자동 취소")
        payment.mark_failed(
            code="VOIDED" if voided else "VOID_FAILED",
            message="기록하지 못해 결제를 취소했습니다." if voided else "기록하지 못했고 취소도 실패했습니다.",
            raw=result.raw,
            status=Status.CANCELED,
        )
        raise
    return payment


def payment_fail(*, payment, code, message):
    """The checkout sent the customer back without paying (closed the window, card refused)."""
    status = Status.CANCELED if code == USER_CANCELED else Status.FAILED
    return payment.mark_failed(
        code=code or "UNKNOWN", message=message or "", status=status, raw={"code": code}, unclaimed_only=True
    )


def refund_request(*, payment, amount, reason, by=None):
    """Write down a refund before asking the provider, so two refunds never exceed the payment."""
    reason = visible(reason or "")
    if not reason:
        raise PaymentRefused(_("환불 사유를 적어 주세요."), field="reason")
    if len(reason) > MAX_REFUND_REASON:
        raise PaymentRefused(too_long(MAX_REFUND_REASON, _("환불 사유")), field="reason")
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status not in (Status.PAID, Status.PARTIALLY_REFUNDED):
            raise PaymentRefused(_("결제가 완료된 건만 환불할 수 있습니다."))
        in_flight = locked.refunds.filter(status=RefundStatus.REQUESTED).aggregate(n=Sum("amount"))["n"] or 0
        available = locked.amount - locked.refunded_amount - in_flight
        if not 0 < int(amount) <= available:
            raise PaymentRefused(_("환불할 수 있는 금액은 {n:,}원입니다.").format(n=available))
        return Refund.objects.create(payment=locked, amount=int(amount), reason=reason, requested_by=by)


def refund_execute(*, refund, on_refunded=None):
    """Ask the provider to give the money back; record it (and `on_refunded`) in one transaction.

    A refund the provider did not answer stays requested: calling this again
    retries with the same idempotency key, so the provider refunds once.
    """
    refund.refresh_from_db()
    if refund.status != RefundStatus.REQUESTED:
        return refund
    payment = refund.payment
    provider = get_provider(payment.provider)
    try:
        result = provider.cancel(
            payment_key=payment.payment_key,
            amount=refund.amount,
            reason=refund.reason,
            idempotency_key=refund.idempotency_key,
        )
    except ProviderDeclined as declined:
        Refund.objects.filter(pk=refund.pk, status=RefundStatus.REQUESTED).update(
            status=RefundStatus.FAILED, failure_message=f"{declined.code}: {declined.message}"[:300]
        )
        refund.refresh_from_db()
        raise PaymentRefused(_("환불하지 못했습니다: {message}").format(message=declined.message)) from None
    except ProviderUnavailable:
        raise PaymentPending(
            _("결제사와 연결이 원활하지 않습니다. 환불 요청은 저장되었으니 잠시 뒤 다시 시도해 주세요.")
        ) from None
    now = timezone.now()
    with transaction.atomic():
        done = Refund.objects.filter(pk=refund.pk, status=RefundStatus.REQUESTED).update(
            status=RefundStatus.DONE, done_at=now, raw=result.raw
        )
        if done:
            if on_refunded is not None:
                on_refunded(refund)
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            locked.refunded_amount += refund.amount
            locked.status = Status.REFUNDED if locked.refunded_amount == locked.amount else Status.PARTIALLY_REFUNDED
            locked.save(update_fields=["refunded_amount", "status"])
    refund.refresh_from_db()
    return refund
