"""Together's workflows that reach outside the app: payments, the scheduler."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangol.lib.refusals import NotNow
from dangol.payments.models import Status as PaymentStatus
from dangol.payments.services import (
    PaymentPending,
    PaymentRefused,
    payment_confirm,
    payment_fail,
    payment_start,
    refund_execute,
    refund_request,
)

from .models import (
    MAX_DONATION,
    MIN_DONATION,
    BoxStatus,
    Donation,
    Fundraiser,
    Proposal,
    Refused,
)
from .models.base import collect_text
from .models.boxes import MAX_MESSAGE

# A payment nobody came back from within this long is given up.
UNPAID_DONATION_TTL = dt.timedelta(hours=1)
DONOR_CANCEL_REASON = "기부자 취소"  # kept on the refund and sent to the payment provider


class TryLater(NotNow):
    """The payment provider's answer is not in yet."""


def donation_start(*, box, donor, amount, anonymous=False, message="", provider=None, now=None):
    """Write a pending donation and its payment; the donor then goes to the provider's checkout."""
    now = now or timezone.now()
    errors = {}
    if isinstance(amount, bool) or not isinstance(amount, int) or not MIN_DONATION <= amount <= MAX_DONATION:
        errors["amount"] = _("기부 금액은 {lo:,}원부터 {hi:,}원까지입니다.").format(lo=MIN_DONATION, hi=MAX_DONATION)
    message = collect_text(
        errors, message, field="message", max_length=MAX_MESSAGE, label=_("응원 한마디"), required=False
    )
    if errors:
        raise ValidationError(errors)
    box._refuse_unless_open(now)
    with transaction.atomic():
        donation = Donation(
            box=box,
            donor=donor,
            amount=amount,
            anonymous=anonymous,
            donor_label=(donor.name or "").strip(),
            message=message,
        )
        donation.payment = payment_start(
            customer=donor,
            amount=amount,
            order_name=_("같이 모금함 기부: {title}").format(title=box.proposal.title),
            success_url=reverse("together:donation_paid", args=[donation.public_id]),
            fail_url=reverse("together:donation_failed", args=[donation.public_id]),
            provider=provider,
        )
        donation.created_at = now
        donation.save()
    return donation


def donation_confirm(*, donation, payment_key, order_id, amount):
    """The provider sent the donor back: confirm the payment and credit the gift in one transaction."""
    try:
        payment_confirm(
            payment=donation.payment,
            payment_key=payment_key,
            order_id=order_id,
            amount=amount,
            on_paid=lambda payment: donation.credit(),
        )
    except PaymentPending as pending:
        raise TryLater(str(pending)) from None
    except (PaymentRefused, Refused) as refusal:
        donation.payment.refresh_from_db()
        if donation.payment.status != PaymentStatus.PENDING:
            donation.cancel_unpaid()
        donation.refresh_from_db()
        raise Refused(str(refusal)) from None
    donation.refresh_from_db()
    return donation


def donation_fail(*, donation, code, message):
    payment_fail(payment=donation.payment, code=code, message=message)
    donation.payment.refresh_from_db()
    if donation.payment.status != PaymentStatus.PENDING:
        donation.cancel_unpaid()
    donation.refresh_from_db()
    return donation


def donation_cancel(*, donation, by, now=None):
    """The donor takes their whole gift back, while the box still takes gifts."""
    if donation.donor_id != by.pk:
        raise Refused(_("기부한 분만 취소할 수 있습니다."), status=403)
    return _refund(donation=donation, amount=None, reason=DONOR_CANCEL_REASON, by=by, while_open=True, now=now)


def donation_refund(*, donation, amount, reason, by):
    """Give (part of) a gift back before the money is paid out; the ledger records it with the refund."""
    return _refund(donation=donation, amount=amount, reason=reason, by=by)


def _refund(*, donation, amount, reason, by, while_open=False, now=None):
    """`amount` None: all that is left of the gift. `while_open`: only while the box takes gifts."""
    with transaction.atomic():
        box = donation.box._lock()
        if while_open and not box.is_open(now):
            raise Refused(_("모금이 끝난 뒤에는 직접 취소할 수 없습니다. 운영진에게 문의해 주세요."))
        if box.status not in (BoxStatus.OPEN, BoxStatus.CLOSED):
            raise Refused(_("모금액을 이미 전달해서 환불할 수 없습니다."))
        if not donation.is_settled:
            raise Refused(_("환불할 수 있는 기부가 아닙니다. ({status})").format(status=donation.get_status_display()))
        if amount is None:
            amount = donation.net_amount
        try:
            refund = refund_request(payment=donation.payment, amount=amount, reason=reason, by=by)
        except PaymentRefused as refusal:
            raise Refused(str(refusal)) from None
    try:
        refund_execute(refund=refund, on_refunded=lambda done: donation.record_refund(amount=done.amount))
    except PaymentPending as pending:
        raise TryLater(str(pending)) from None
    except PaymentRefused as refusal:
        raise Refused(str(refusal)) from None
    donation.refresh_from_db()
    return refund


def together_close_due(*, now=None):
    """Scheduler tick: close proposals past their window and boxes past their end, give up stale payments."""
    now = now or timezone.now()
    proposals = Proposal.objects.close_expired(now=now)
    boxes = Fundraiser.objects.close_due(now=now)
    stale = now - UNPAID_DONATION_TTL
    unpaid = (
        Donation.objects.awaiting_payment()
        .filter(created_at__lt=stale)
        .filter(Q(payment__confirming_since__isnull=True) | Q(payment__confirming_since__lt=stale))
    )
    expired = 0
    for donation in unpaid.select_related("payment"):
        payment_fail(payment=donation.payment, code="EXPIRED", message="결제하지 않고 시간이 지났습니다.")
        donation.payment.refresh_from_db()
        if donation.payment.status != PaymentStatus.PENDING:
            expired += donation.cancel_unpaid()
    return {"proposals_closed": proposals, "boxes_closed": boxes, "donations_expired": expired}
