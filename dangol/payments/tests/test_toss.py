"""The Toss Payments client against a local server that follows Toss's documented API."""

import base64

import pytest
from django.urls import reverse

from dangol.payments.models import Payment, RefundStatus, Status
from dangol.payments.providers import ProviderDeclined, ProviderUnavailable, TossProvider
from dangol.payments.services import (
    PaymentPending,
    PaymentRefused,
    payment_confirm,
    payment_start,
    refund_execute,
    refund_request,
)


@pytest.fixture
def payment(toss, customer):
    return payment_start(
        customer=customer, amount=30000, order_name="같이 모금함 기부", success_url="/ok/", fail_url="/fail/"
    )


def _confirm(payment, key, amount=None, on_paid=None):
    return payment_confirm(
        payment=payment,
        payment_key=key,
        order_id=payment.order_id,
        amount=payment.amount if amount is None else amount,
        on_paid=on_paid,
    )


def test_new_payments_use_the_configured_provider(payment):
    assert payment.provider == "toss"


def test_confirm_posts_the_documented_request_with_basic_auth(toss, payment):
    key = toss.authorize(payment.order_id, 30000)
    _confirm(payment, key)
    method, path, headers, body = toss.requests[-1]
    assert (method, path) == ("POST", "/v1/payments/confirm")
    assert body == {"paymentKey": key, "orderId": payment.order_id, "amount": 30000}
    assert base64.b64decode(headers["Authorization"].removeprefix("Basic ")).decode() == f"{toss.secret_key}:"
    payment.refresh_from_db()
    assert payment.status == Status.PAID
    assert payment.raw["status"] == "DONE"
    assert payment.raw["totalAmount"] == 30000


def test_a_wrong_secret_key_is_declined_with_tosss_error_code(toss, settings, payment):
    settings.TOSS_SECRET_KEY = "test_sk_wrong"
    key = toss.authorize(payment.order_id, 30000)
    with pytest.raises(PaymentRefused, match="인증되지 않은 시크릿 키"):
        _confirm(payment, key)
    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == (Status.FAILED, "UNAUTHORIZED_KEY")


def test_a_tampered_amount_never_reaches_toss(toss, payment):
    key = toss.authorize(payment.order_id, 30000)
    with pytest.raises(PaymentRefused):
        _confirm(payment, key, amount=300)
    assert toss.requests == []
    payment.refresh_from_db()
    assert payment.status == Status.PENDING


def test_toss_refuses_a_key_it_issued_for_a_different_amount(toss, payment):
    key = toss.authorize(payment.order_id, 300)
    with pytest.raises(PaymentRefused, match="잘못된 요청"):
        _confirm(payment, key)
    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == (Status.FAILED, "INVALID_REQUEST")


def test_a_declined_card_fails_the_payment_and_credits_nothing(toss, payment):
    key = toss.authorize(payment.order_id, 30000)
    toss.decline_next = (403, "REJECT_CARD_PAYMENT", "한도초과 혹은 잔액부족으로 결제에 실패했습니다.")
    paid = []
    with pytest.raises(PaymentRefused, match="잔액부족"):
        _confirm(payment, key, on_paid=paid.append)
    assert paid == []
    assert Payment.objects.get().status == Status.FAILED


def test_a_second_confirm_is_idempotent(toss, payment):
    key = toss.authorize(payment.order_id, 30000)
    paid = []
    _confirm(payment, key, on_paid=paid.append)
    _confirm(payment, key, on_paid=paid.append)
    assert len(paid) == 1
    assert len(toss.requests) == 1  # the second call is answered from our own record


def test_a_lost_answer_is_recovered_by_asking_toss_for_the_payment(toss, payment):
    key = toss.authorize(payment.order_id, 30000)
    toss.drop_next_response = True
    with pytest.raises(PaymentPending):
        _confirm(payment, key)
    payment.refresh_from_db()
    assert payment.status == Status.PENDING  # we don't know yet: nothing recorded
    paid = []
    _confirm(payment, key, on_paid=paid.append)  # Toss says ALREADY_PROCESSED_PAYMENT; we look it up
    assert [r[:2] for r in toss.requests[-2:]] == [("POST", "/v1/payments/confirm"), ("GET", f"/v1/payments/{key}")]
    payment.refresh_from_db()
    assert payment.status == Status.PAID
    assert len(paid) == 1


def test_a_server_error_leaves_the_payment_pending_for_a_retry(toss, payment):
    key = toss.authorize(payment.order_id, 30000)
    toss.fail_next_with_500 = True
    with pytest.raises(PaymentPending, match="잠시 뒤"):
        _confirm(payment, key)
    payment.refresh_from_db()
    assert (payment.status, payment.confirming_since) == (Status.PENDING, None)
    _confirm(payment, key)
    payment.refresh_from_db()
    assert payment.status == Status.PAID


def test_an_unreachable_toss_is_reported_as_unavailable(toss):
    toss.stop()
    client = TossProvider(secret_key="x", base_url=toss.base_url, timeout=2)
    with pytest.raises(ProviderUnavailable):
        client.confirm(payment_key="k", order_id="o", amount=1)


def test_refunds_use_the_cancel_api_with_an_idempotency_key(toss, payment, customer):
    key = toss.authorize(payment.order_id, 30000)
    _confirm(payment, key)
    refund = refund_request(payment=payment, amount=10000, reason="기부자 요청", by=customer)
    refund_execute(refund=refund)
    method, path, headers, body = toss.requests[-1]
    assert (method, path) == ("POST", f"/v1/payments/{key}/cancel")
    assert body == {"cancelReason": "기부자 요청", "cancelAmount": 10000}
    assert headers["Idempotency-Key"] == f"refund-{refund.public_id}"
    assert toss.payments[key]["balanceAmount"] == 20000
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (Status.PARTIALLY_REFUNDED, 10000)


def test_a_refund_whose_answer_was_lost_is_retried_without_refunding_twice(toss, payment):
    key = toss.authorize(payment.order_id, 30000)
    _confirm(payment, key)
    refund = refund_request(payment=payment, amount=30000, reason="전액 취소")
    toss.drop_next_response = True
    with pytest.raises(PaymentPending, match="환불 요청은 저장되었으니"):
        refund_execute(refund=refund)
    assert toss.payments[key]["status"] == "CANCELED"  # Toss did it; we did not hear back
    refund_execute(refund=refund)  # same Idempotency-Key: Toss repeats its first answer
    payment.refresh_from_db()
    refund.refresh_from_db()
    assert (payment.status, payment.refunded_amount, refund.status) == (Status.REFUNDED, 30000, RefundStatus.DONE)
    assert len(toss.payments[key]["cancels"]) == 1


def test_toss_refusing_a_refund_marks_it_failed_and_frees_the_amount(toss, payment):
    key = toss.authorize(payment.order_id, 30000)
    _confirm(payment, key)
    toss.payments[key]["balanceAmount"] = 0  # say it was canceled in Toss's dashboard
    refund = refund_request(payment=payment, amount=1000, reason="취소")
    with pytest.raises(PaymentRefused, match="취소 할 수 없는 금액"):
        refund_execute(refund=refund)
    refund.refresh_from_db()
    assert refund.status == RefundStatus.FAILED
    assert "NOT_CANCELABLE_AMOUNT" in refund.failure_message
    payment.refresh_from_db()
    assert payment.refunded_amount == 0


def test_the_client_reads_tosss_error_body(toss):
    client = TossProvider(secret_key=toss.secret_key, base_url=toss.base_url)
    with pytest.raises(ProviderDeclined) as declined:
        client.retrieve(payment_key="nope")
    assert declined.value.code == "NOT_FOUND_PAYMENT"


def test_the_base_url_must_be_http(settings):
    with pytest.raises(ValueError, match="TOSS_API_BASE"):
        TossProvider(secret_key="x", base_url="file:///etc/passwd")


def test_the_toss_checkout_page_hands_the_order_to_tosss_sdk(signed_in, payment, stranger, client):
    url = reverse("payments:toss_checkout", args=[payment.order_id])
    assert signed_in(stranger).get(url).status_code == 404
    client.logout()
    page = signed_in(payment.customer).get(url).content.decode()
    assert "js.tosspayments.com/v2/standard" in page
    assert f'"orderId": "{payment.order_id}"' in page
    assert '"amount": 30000' in page
    assert '"successUrl": "http://testserver/ok/"' in page


def test_the_toss_checkout_page_runs_no_inline_script_and_allows_only_tosss_sdk(signed_in, payment):
    response = signed_in(payment.customer).get(reverse("payments:toss_checkout", args=[payment.order_id]))
    page = response.content.decode()
    assert "<script>" not in page  # every script is a file; the order is a JSON data block
    assert "payments/toss_checkout.js" in page
    policy = response.headers["Content-Security-Policy"]
    script_src = policy.split("script-src")[1].split(";")[0]
    assert "https://js.tosspayments.com" in script_src
    assert "unsafe-inline" not in script_src
    assert "frame-src" in policy and "tosspayments.com" in policy.split("frame-src")[1].split(";")[0]
