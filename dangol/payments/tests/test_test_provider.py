from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from dangol.payments.models import Payment, RefundStatus, Status
from dangol.payments.providers import TestProvider
from dangol.payments.services import (
    PaymentRefused,
    payment_confirm,
    payment_fail,
    payment_start,
    refund_execute,
    refund_request,
)


@pytest.fixture
def payment(customer):
    return payment_start(
        customer=customer,
        amount=15000,
        order_name="같이 모금함 기부",
        success_url="/done/",
        fail_url="/failed/?x=1",
        provider="test",
    )


def _returned(response):
    url = urlsplit(response["Location"])
    return url.path, {k: v[0] for k, v in parse_qs(url.query).items()}


def test_the_checkout_opens_only_for_the_paying_customer(client, signed_in, payment, stranger):
    url = reverse("payments:test_checkout", args=[payment.order_id])
    assert client.get(url)["Location"].startswith("/accounts/sign-in/")
    assert signed_in(stranger).get(url).status_code == 404
    client.logout()
    response = signed_in(payment.customer).get(url)
    assert response.status_code == 200
    assert "15,000원" in response.content.decode()
    assert "실제 돈은 나가지 않습니다" in response.content.decode()


def test_paying_sends_the_customer_back_with_a_key_like_a_real_provider(signed_in, payment):
    response = signed_in(payment.customer).post(
        reverse("payments:test_checkout", args=[payment.order_id]), {"action": "pay"}
    )
    path, params = _returned(response)
    assert path == "/done/"
    assert params["orderId"] == payment.order_id
    assert params["amount"] == "15000"
    assert params["paymentKey"].startswith("test_")


def test_closing_the_window_sends_the_customer_to_the_fail_url(signed_in, payment):
    response = signed_in(payment.customer).post(
        reverse("payments:test_checkout", args=[payment.order_id]), {"action": "cancel"}
    )
    path, params = _returned(response)
    assert path == "/failed/"
    assert params["code"] == "PAY_PROCESS_CANCELED"
    assert params["x"] == "1"
    assert payment_fail(payment=payment, code=params["code"], message=params["message"])
    payment.refresh_from_db()
    assert payment.status == Status.CANCELED


def test_confirm_records_the_payment_once_however_often_it_is_called(payment):
    key = TestProvider().issue_key(order_id=payment.order_id, amount=payment.amount)
    paid = []
    for _ in range(3):
        payment_confirm(
            payment=payment, payment_key=key, order_id=payment.order_id, amount="15000", on_paid=paid.append
        )
    payment.refresh_from_db()
    assert payment.status == Status.PAID
    assert payment.payment_key == key
    assert payment.raw["status"] == "DONE"
    assert len(paid) == 1


@pytest.mark.parametrize("amount", ["100", "15001", "", "15000.0", "-15000"])
def test_a_tampered_amount_is_refused_and_nothing_is_paid(payment, amount):
    key = TestProvider().issue_key(order_id=payment.order_id, amount=payment.amount)
    paid = []
    with pytest.raises(PaymentRefused, match="결제 금액이나 주문 번호가 주문과 다릅니다"):
        payment_confirm(payment=payment, payment_key=key, order_id=payment.order_id, amount=amount, on_paid=paid.append)
    payment.refresh_from_db()
    assert payment.status == Status.PENDING
    assert paid == []


def test_a_key_signed_for_a_smaller_amount_is_refused_by_the_provider(payment):
    key = TestProvider().issue_key(order_id=payment.order_id, amount=100)
    with pytest.raises(PaymentRefused, match="승인되지 않았습니다"):
        payment_confirm(payment=payment, payment_key=key, order_id=payment.order_id, amount=15000)
    payment.refresh_from_db()
    assert payment.status == Status.FAILED
    assert payment.failure_code == "INVALID_REQUEST"


def test_a_forged_key_is_refused(payment):
    with pytest.raises(PaymentRefused):
        payment_confirm(payment=payment, payment_key="test_forged", order_id=payment.order_id, amount=15000)
    assert Payment.objects.get().status == Status.FAILED


def test_when_recording_fails_the_money_is_given_back(payment):
    key = TestProvider().issue_key(order_id=payment.order_id, amount=payment.amount)

    def broken(_payment):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        payment_confirm(payment=payment, payment_key=key, order_id=payment.order_id, amount=15000, on_paid=broken)
    payment.refresh_from_db()
    assert payment.status == Status.CANCELED
    assert payment.failure_code == "VOIDED"


def _paid(payment):
    key = TestProvider().issue_key(order_id=payment.order_id, amount=payment.amount)
    return payment_confirm(payment=payment, payment_key=key, order_id=payment.order_id, amount=payment.amount)


def test_refunds_never_exceed_the_payment(payment, customer):
    _paid(payment)
    first = refund_request(payment=payment, amount=5000, reason="일부 취소", by=customer)
    with pytest.raises(PaymentRefused, match="10,000원"):
        refund_request(payment=payment, amount=10001, reason="너무 많이", by=customer)
    refund_execute(refund=first)
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (Status.PARTIALLY_REFUNDED, 5000)
    rest = refund_request(payment=payment, amount=10000, reason="나머지", by=customer)
    refund_execute(refund=rest)
    refund_execute(refund=rest)  # a retry changes nothing
    payment.refresh_from_db()
    assert (payment.status, payment.refunded_amount) == (Status.REFUNDED, 15000)
    assert rest.status == RefundStatus.DONE


def test_an_unpaid_payment_cannot_be_refunded(payment):
    with pytest.raises(PaymentRefused, match="결제가 완료된 건만"):
        refund_request(payment=payment, amount=1000, reason="왜", by=None)


def test_a_refund_needs_a_reason(payment):
    _paid(payment)
    with pytest.raises(PaymentRefused, match="사유"):
        refund_request(payment=payment, amount=1000, reason="  ", by=None)


def test_the_deploy_check_warns_about_the_test_provider(settings):
    from dangol.payments.checks import payment_provider_is_real

    settings.PAYMENTS_PROVIDER = "test"
    assert [m.id for m in payment_provider_is_real(None)] == ["payments.W001"]
    settings.PAYMENTS_PROVIDER, settings.TOSS_SECRET_KEY, settings.TOSS_CLIENT_KEY = "toss", "", ""
    assert [m.id for m in payment_provider_is_real(None)] == ["payments.E001"]
    settings.TOSS_SECRET_KEY, settings.TOSS_CLIENT_KEY = "live_sk_x", "live_ck_x"
    assert payment_provider_is_real(None) == []
