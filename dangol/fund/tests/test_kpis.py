import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from dangol.accounts.models import User
from dangol.channels.models import Follow, Store
from dangol.fund.services import program_kpis
from dangol.markets.models import Market
from dangol.messaging.models import Message, MessageKind, Status


def _kpis(program):
    return {kpi.key: kpi.value for kpi in program_kpis(program=program)}


def _send(store, kind, status=Status.SENT, at=None):
    at = at or dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)
    return Message.objects.create(store=store, kind=kind, body="소식", status=status, send_at=at, sent_at=at)


@pytest.fixture
def busy_market(market, store, other_store, customer, stranger):
    """Two stores in the test market: three follows (one ended), and messages of every kind and state."""
    Follow.start(customer=customer, store=store, ads=True, night=False, via="web")
    Follow.start(customer=stranger, store=store, ads=False, night=False, via="web")
    ended, _ = Follow.start(customer=customer, store=other_store, ads=False, night=False, via="web")
    ended.end(via="web")
    _send(store, MessageKind.INFO)
    _send(store, MessageKind.AD)
    _send(other_store, MessageKind.INFO)
    _send(store, MessageKind.NOTICE)  # a notice to one customer is not a store's news
    _send(store, MessageKind.AD, status=Status.SCHEDULED)
    _send(store, MessageKind.INFO, status=Status.CANCELED)
    return market


@pytest.fixture
def elsewhere(db):
    """A store in another market with a follower and a message: counted only when no market is set."""
    other = Market.objects.create(name="다른시장")
    shop = Store.objects.create(market=other, name="다른가게")
    Follow.start(customer=User.objects.create_user("+821077770001"), store=shop, ads=False, night=False, via="web")
    _send(shop, MessageKind.INFO)
    return other


def test_market_kpis_count_live_dangol_data(program, busy_market, elsewhere):
    program.market = busy_market
    program.save()

    assert _kpis(program) | {"redemptions": "-"} == {
        "stores": 2,
        "followers": 2,
        "messages": 3,
        "redemptions": "-",
    }


def test_without_a_market_the_kpis_cover_all_of_dangol(program, busy_market, elsewhere):
    assert _kpis(program) | {"redemptions": "-"} == {"stores": 3, "followers": 3, "messages": 4, "redemptions": "-"}


def test_kpis_count_only_within_the_programs_dates_in_seoul(program, busy_market, store):
    # 2026-11-20 23:30 in Seoul is still the 20th there, though it is the 20th 14:30 in UTC.
    _send(store, MessageKind.INFO, at=dt.datetime(2026, 11, 20, 14, 30, tzinfo=dt.UTC))
    # 2026-11-21 00:30 in Seoul: the 21st, after the program ends, though still the 20th in UTC.
    _send(store, MessageKind.INFO, at=dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC))
    program.starts_on, program.ends_on = dt.date(2026, 11, 20), dt.date(2026, 11, 20)
    program.save()

    assert _kpis(program)["messages"] == 4  # three from the fixture on the 20th (12:00 Seoul), plus one

    program.starts_on = program.ends_on = dt.date(2026, 11, 21)
    program.save()
    assert _kpis(program)["messages"] == 1
    assert _kpis(program)["stores"] == 0  # opened on the 26th


def test_kpis_follow_the_data_as_it_changes(program, store, customer, _today):
    assert _kpis(program)["followers"] == 0

    follow, _ = Follow.start(customer=customer, store=store, ads=False, night=False, via="web")
    assert _kpis(program)["followers"] == 1

    follow.end(via="web")
    assert _kpis(program)["followers"] == 0


def test_a_program_without_kpis_has_none(fire_program, busy_market):
    assert program_kpis(program=fire_program) == []


def test_redemptions_count_coupons_used_and_not_undone(program, store, other_store, merchant, customer, stranger):
    from dangol.coupons.models import Campaign, CouponKind, Method

    def used_coupon(shop, who):
        campaign = Campaign.objects.create(
            store=shop, kind=CouponKind.AMOUNT, amount_off=1000, valid_days=30, method=Method.FIRST_COME
        )
        coupon = campaign.claim(customer=who)
        coupon.redeem(via="code", by=merchant)
        return coupon

    used_coupon(store, customer)
    undone = used_coupon(store, stranger)
    used_coupon(other_store, customer)
    Campaign.objects.create(store=store, kind=CouponKind.AMOUNT, amount_off=500, valid_days=30).claim(customer=stranger)
    assert _kpis(program)["redemptions"] == 3

    undone.redemptions.get().undo(by=merchant)

    assert _kpis(program)["redemptions"] == 2


@time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
def test_the_program_page_shows_its_kpis(client, program, busy_market, elsewhere):
    page = client.get(reverse("fund:program", args=[program.public_id])).content.decode()

    assert "단골 채널을 연 가게" in page
    assert ">3<" in page  # stores
    assert "가게가 단골에게 보낸 소식" in page
    assert ">4<" in page  # messages
