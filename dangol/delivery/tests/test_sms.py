import datetime as dt

import pytest
import time_machine

from dangol.accounts import sms
from dangol.accounts.sms import SolapiSMS
from dangol.delivery.models import ChannelChoice, Delivery, MessageCredit, State
from dangol.delivery.services import deliveries_send_due, sms_preview
from dangol.messaging.services import message_send

NOON = "2026-11-26 12:00 +0900"


@pytest.fixture
def by_sms(store, follow):
    def choose(customer, **consent):
        follow(customer, store, **consent)
        ChannelChoice.objects.create(customer=customer, store=store, channel="sms")

    return choose


def _send(store, merchant, body="오늘 사과 세일", kind="info"):
    message = message_send(store=store, author=merchant, kind=kind, body=body)
    message.deliver()
    return message


def test_solapi_sends_one_text_signed_with_hmac_sha256(solapi):
    result = SolapiSMS().send("+821055551234", "인증번호 123456")
    assert result.ok and result.message_id == "M1"
    assert solapi.sent == [{"to": "01055551234", "from": "021234567", "text": "인증번호 123456"}]


def test_solapi_refuses_a_wrong_secret_and_nothing_is_sent(solapi):
    result = SolapiSMS(api_secret="wrong").send("+821055551234", "인증번호 123456")
    assert not result.ok and "SignatureDoesNotMatch" in result.error and not result.retry
    assert solapi.sent == []


def test_solapi_group_send_matches_each_answer_to_its_number_and_reports_delivery(solapi):
    results = SolapiSMS().send_many([("+821055551234", "안녕"), ("+821099990000", "안녕"), ("+821055556666", "안녕")])
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].error == "잘못된 수신번호"
    assert SolapiSMS().report([results[0].message_id]) == {results[0].message_id: "4000"}


def test_a_solapi_outage_is_worth_retrying(solapi):
    solapi.answers = {"/messages/v4/send-many/detail": [(503, {})]}
    [result] = SolapiSMS().send_many([("+821055551234", "안녕")])
    assert not result.ok and result.retry


def test_sign_in_codes_go_through_the_configured_adapter(db, solapi, client):
    client.post("/api/v1/auth/code", {"phone": "010-5555-1234"}, content_type="application/json")
    assert [m["to"] for m in solapi.sent] == ["01055551234"]


@time_machine.travel(NOON, tick=False)
def test_an_ad_by_sms_carries_the_label_the_sender_and_the_free_opt_out_number(
    settings, store, merchant, customer, by_sms, market
):
    settings.SMS_OPT_OUT_NUMBER = "080-123-4567"
    MessageCredit.top_up(market=market, amount=1000)
    by_sms(customer, ads=True)
    _send(store, merchant, kind="ad", body="고등어 한 손 5천원")
    deliveries_send_due()
    [text] = [m["text"] for m in sms.outbox]
    assert text.startswith("(광고) 햇살과일\n고등어 한 손 5천원")
    assert "02-123-4567" in text and text.endswith("무료거부 080-123-4567")


@time_machine.travel(NOON, tick=False)
def test_an_sms_is_drawn_from_the_market_credit_once_and_none_goes_without_credit(
    store, merchant, customer, stranger, by_sms, market
):
    MessageCredit.top_up(market=market, amount=20)  # one short SMS
    by_sms(customer)
    by_sms(stranger)
    _send(store, merchant)
    deliveries_send_due()
    deliveries_send_due()
    assert len(sms.outbox) == 1
    assert MessageCredit.objects.get(market=market).balance == 0
    states = sorted(Delivery.objects.values_list("state", "charged"))
    assert states == [(State.FAILED, 0), (State.SENT, 20)]
    assert Delivery.objects.get(state=State.FAILED).last_error == "문자 충전금이 모자라 보내지 못했습니다."


def test_a_retried_sms_is_not_charged_again(store, merchant, customer, by_sms, market, solapi):
    MessageCredit.top_up(market=market, amount=100)
    by_sms(customer)
    solapi.answers = {"/messages/v4/send-many/detail": [(500, {})]}
    with time_machine.travel(NOON, tick=False) as clock:
        _send(store, merchant)
        deliveries_send_due()
        row = Delivery.objects.get()
        assert row.state == State.QUEUED and row.charged == 20
        clock.shift(dt.timedelta(minutes=1))
        deliveries_send_due()
    assert Delivery.objects.get().state == State.SENT and len(solapi.sent) == 1
    assert MessageCredit.objects.get(market=market).balance == 80


def test_the_merchant_sees_how_many_get_an_sms_and_the_cost_before_sending(
    signed_in, store, merchant, customer, stranger, by_sms, market
):
    MessageCredit.top_up(market=market, amount=30)
    by_sms(customer, ads=True)
    by_sms(stranger, ads=False)
    assert sms_preview(store=store, kind="info", body="짧은 글") == {
        "count": 2,
        "each": 20,
        "total": 40,
        "credit": 30,
        "enough": False,
    }
    assert sms_preview(store=store, kind="ad", body="짧은 글")["count"] == 1
    assert sms_preview(store=store, kind="info", body="가" * 60)["each"] == 50
    page = signed_in(merchant).get(f"/m/{store.public_id}/messages/new/").content.decode()
    assert "문자로 받는 단골: 정보 2명, 광고 1명" in page and "충전금이 모자라" in page
    api = signed_in(merchant).post(
        f"/api/v1/stores/{store.public_id}/sms-preview",
        {"kind": "info", "body": "짧은 글"},
        content_type="application/json",
    )
    assert api.json()["total"] == 40


def test_another_merchant_cannot_see_the_sms_cost_of_a_store(signed_in, store, other_merchant):
    response = signed_in(other_merchant).post(
        f"/api/v1/stores/{store.public_id}/sms-preview", {"kind": "info", "body": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
