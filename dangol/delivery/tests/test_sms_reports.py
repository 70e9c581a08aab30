import datetime as dt

import pytest
import time_machine

from dangol.accounts.models import User
from dangol.delivery.models import ChannelChoice, CreditShortfall, Delivery, MessageCredit, State
from dangol.delivery.services import deliveries_send_due, sms_reports_check
from dangol.messaging.models import InboxItem, MessageKind
from dangol.messaging.services import message_send

NOON = dt.datetime.fromisoformat("2026-11-26T12:00:00+09:00")


@pytest.fixture
def neighbour(db):
    # The SOLAPI fake refuses 0109999... numbers (the stranger's) at once; this one it takes.
    return User.objects.create_user("+821033330001")


@pytest.fixture
def by_sms(store, follow):
    def choose(customer, **consent):
        follow(customer, store, **consent)
        ChannelChoice.objects.create(customer=customer, store=store, channel="sms")

    return choose


def _send(store, merchant, body="오늘 사과 세일"):
    message = message_send(store=store, author=merchant, kind="info", body=body)
    message.deliver()
    return message


def _report_requests(solapi):
    return [r for r in solapi.requests if r.get("method") == "GET"]


def test_a_text_the_carrier_could_not_deliver_is_marked_failed_and_refunded_once(
    store, merchant, customer, neighbour, by_sms, market, solapi
):
    MessageCredit.top_up(market=market, amount=100)
    by_sms(customer)
    by_sms(neighbour)
    with time_machine.travel(NOON, tick=False) as clock:
        _send(store, merchant)
        deliveries_send_due()
        assert MessageCredit.objects.get(market=market).balance == 60
        lost = Delivery.objects.get(customer=neighbour)
        solapi.statuses[lost.answer["message_id"]] = "3059"

        assert sms_reports_check() == {"delivered": 0, "failed": 0, "pending": 0}  # not asked within a minute
        assert _report_requests(solapi) == []
        clock.shift(dt.timedelta(minutes=1))
        assert sms_reports_check() == {"delivered": 1, "failed": 1, "pending": 0}
        clock.shift(dt.timedelta(hours=1))
        assert sms_reports_check() == {"delivered": 0, "failed": 0, "pending": 0}

    lost.refresh_from_db()
    assert lost.state == State.FAILED and lost.charged == 0 and "3059" in lost.last_error
    reached = Delivery.objects.get(customer=customer)
    assert reached.state == State.SENT and reached.answer["report"] == "4000" and reached.report_due_at is None
    assert MessageCredit.objects.get(market=market).balance == 80  # the failed text's 20 won back, once
    assert len(_report_requests(solapi)) == 2


def test_a_text_still_under_way_is_asked_again_later_and_left_as_sent_after_three_days(
    store, merchant, customer, by_sms, market, solapi
):
    MessageCredit.top_up(market=market, amount=100)
    by_sms(customer)
    with time_machine.travel(NOON, tick=False) as clock:
        _send(store, merchant)
        deliveries_send_due()
        row = Delivery.objects.get()
        solapi.statuses[row.answer["message_id"]] = "3000"
        clock.shift(dt.timedelta(minutes=1))
        assert sms_reports_check()["pending"] == 1
        clock.shift(dt.timedelta(minutes=5))
        sms_reports_check()  # too early for the next question
        assert len(_report_requests(solapi)) == 1
        clock.shift(dt.timedelta(minutes=5))
        sms_reports_check()
        assert len(_report_requests(solapi)) == 2
        clock.shift(dt.timedelta(days=3))
        sms_reports_check()
        clock.shift(dt.timedelta(hours=1))
        sms_reports_check()
    row.refresh_from_db()
    assert len(_report_requests(solapi)) == 3
    assert row.state == State.SENT and row.report_due_at is None and row.answer["report"] == "3000"
    assert MessageCredit.objects.get(market=market).balance == 80


def test_each_tick_asks_about_a_bounded_number_of_texts(
    store, merchant, customer, neighbour, other_merchant, by_sms, market, solapi
):
    MessageCredit.top_up(market=market, amount=100)
    for person in (customer, neighbour, other_merchant):
        by_sms(person)
    with time_machine.travel(NOON, tick=False) as clock:
        _send(store, merchant)
        deliveries_send_due()
        clock.shift(dt.timedelta(minutes=1))
        assert sms_reports_check(limit=2)["delivered"] == 2
        assert sms_reports_check(limit=2)["delivered"] == 1
        assert sms_reports_check(limit=2)["delivered"] == 0
    assert len(_report_requests(solapi)) == 3


def test_an_unreachable_provider_leaves_the_texts_to_be_asked_again(store, merchant, customer, by_sms, market, solapi):
    MessageCredit.top_up(market=market, amount=100)
    by_sms(customer)
    with time_machine.travel(NOON, tick=False) as clock:
        _send(store, merchant)
        deliveries_send_due()
        solapi.stop()
        clock.shift(dt.timedelta(minutes=1))
        assert sms_reports_check() == {"delivered": 0, "failed": 0, "pending": 1}
    row = Delivery.objects.get()
    assert row.state == State.SENT and row.report_due_at == NOON + dt.timedelta(minutes=11)
    assert MessageCredit.objects.get(market=market).balance == 80


# Credit running out ------------------------------------------------------------------------------


def _credit_notices(merchant):
    return list(
        InboxItem.objects.filter(customer=merchant, message__kind=MessageKind.NOTICE).values_list(
            "message__body", flat=True
        )
    )


@time_machine.travel(NOON, tick=False)
def test_the_merchant_is_told_once_per_message_when_credit_runs_out(
    signed_in, store, merchant, customer, stranger, other_merchant, by_sms, market
):
    MessageCredit.top_up(market=market, amount=20)  # one short SMS of three
    for person in (customer, stranger, other_merchant):
        by_sms(person)
    first = _send(store, merchant, body="오늘 사과 세일")
    deliveries_send_due(limit=1)
    assert _credit_notices(merchant) == []  # the first SMS had credit
    deliveries_send_due(limit=1)
    deliveries_send_due(limit=1)
    deliveries_send_due()

    [notice] = _credit_notices(merchant)
    assert "문자 충전금이 모자라 「오늘 사과 세일」 메시지가 일부 단골에게 문자로 가지 못했습니다" in notice
    assert CreditShortfall.objects.get(message=first).unsent == 2
    assert "문자 충전금이 모자라" in signed_in(merchant).get("/inbox/").content.decode()
    reach = signed_in(merchant).get(f"/m/{store.public_id}/messages/{first.public_id}/reach/").content.decode()
    assert "문자 충전금이 모자라 2명에게 문자를 보내지 못했습니다" in reach

    _send(store, merchant, body="내일은 배 세일")
    deliveries_send_due()
    assert len(_credit_notices(merchant)) == 2  # a new message, a new notice
    # Nobody else hears of the market's credit.
    assert not InboxItem.objects.filter(customer__in=[customer, stranger], message__body__contains="충전금").exists()


@time_machine.travel(NOON, tick=False)
def test_the_merchant_is_not_told_while_credit_lasts(store, merchant, customer, by_sms, market):
    MessageCredit.top_up(market=market, amount=20)
    by_sms(customer)
    _send(store, merchant)
    deliveries_send_due()
    assert _credit_notices(merchant) == [] and not CreditShortfall.objects.exists()
    assert Delivery.objects.get().state == State.SENT
