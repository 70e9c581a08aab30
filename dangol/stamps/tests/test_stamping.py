import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from dangol.accounts import sms
from dangol.accounts.models import User
from dangol.channels.models import Store
from dangol.coupons.models import Coupon
from dangol.lib.periodic import periodic_jobs
from dangol.stamps.jobs import PURGE_BATCH, purge_stamp_tokens
from dangol.stamps.members import member_token
from dangol.stamps.models import SCAN_GRACE, Stamp, StampCard, StampRefused, StampToken
from dangol.stamps.services import stamp_program_start

DAY1 = "2026-05-04 10:00 +0900"


def _days(n, hour=10):
    return f"2026-05-{4 + n:02d} {hour:02d}:00 +0900"


def _stamp(program, customer, when):
    with time_machine.travel(when, tick=False):
        return program.card_for(customer).add_stamp(via="member")


def test_the_customer_scans_the_stall_qr_and_gets_a_stamp(signed_in, merchant, customer, store, program):
    merchant_client = signed_in(merchant)
    frame = merchant_client.get(reverse("stamps:stall_qr", args=[store.public_id]))
    assert frame.status_code == 200 and frame["X-Frame-Options"] == "SAMEORIGIN"
    assert 'src="/static/stamps/stall_qr.js"' in frame.content.decode()  # it loads a fresh QR by itself
    token = StampToken.objects.get()
    client = signed_in(customer)
    url = reverse("stamps:scan", args=[token.nonce])
    assert "도장 받기" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    page = response.content.decode()
    assert "도장을 받았습니다" in page
    assert "●○○" in page
    card = StampCard.objects.get(customer=customer)
    assert card.stamps == 1 and Stamp.objects.get().via == "qr"


def test_a_used_stall_qr_cannot_be_used_again_and_the_stall_shows_a_new_one(
    signed_in, merchant, customer, stranger, store, program
):
    token = StampToken.current(program)
    token.use(customer=customer)
    response = signed_in(stranger).post(reverse("stamps:scan", args=[token.nonce]))
    assert response.status_code == 410
    assert "이미 쓰였거나 시간이 지났습니다" in response.content.decode()
    assert not StampCard.objects.filter(customer=stranger, stamps__gt=0).exists()
    assert StampToken.current(program) != token


def test_a_stall_qr_expires_and_rotates_about_every_thirty_seconds(signed_in, customer, program):
    with time_machine.travel(DAY1, tick=False) as traveller:
        first = StampToken.current(program)
        traveller.shift(10)
        assert StampToken.current(program) == first
        traveller.shift(25)
        second = StampToken.current(program)
        assert second != first
        traveller.shift(11)  # first is 46 s old
        response = signed_in(customer).post(reverse("stamps:scan", args=[first.nonce]))
    assert response.status_code == 410
    assert not Stamp.objects.exists()


def test_an_unknown_qr_gets_the_same_clear_message(client, db):
    response = client.get(reverse("stamps:scan", args=["nosuchnonce12345"]))
    assert response.status_code == 410
    assert "가게 화면에 새로 뜬 QR을 찍어 주세요" in response.content.decode()


def test_scanning_before_signing_in_still_counts_after_sign_in(client, program):
    with time_machine.travel(DAY1, tick=False) as traveller:
        token = StampToken.current(program)
        url = reverse("stamps:scan", args=[token.nonce])
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/sign-in/")
        traveller.shift(120)  # two minutes to sign in: the QR itself is long gone
        client.post(reverse("accounts:sign_in"), {"phone": "010-5555-7777", "next": url})
        code = re.search(r"\d{6}", sms.outbox[-1]["text"]).group()
        response = client.post(reverse("accounts:sign_in_code"), {"code": code})
        assert response.url == url
        response = client.post(url, follow=True)
    assert "도장을 받았습니다" in response.content.decode()
    assert StampCard.objects.get(customer__phone="+821055557777").stamps == 1


def test_once_a_day_by_default_in_seoul_days(program, customer):
    _stamp(program, customer, "2026-05-04 10:00 +0900")
    with pytest.raises(StampRefused, match="오늘은 이미 도장을 받았습니다"):
        _stamp(program, customer, "2026-05-04 23:59 +0900")
    _stamp(program, customer, "2026-05-05 00:01 +0900")
    assert StampCard.objects.get().stamps == 2


def test_a_refused_stamp_leaves_the_qr_for_the_next_customer(program, customer, stranger):
    _stamp(program, customer, "2026-05-04 09:00 +0900")
    with time_machine.travel("2026-05-04 10:00 +0900", tick=False):
        token = StampToken.current(program)
        with pytest.raises(StampRefused):
            token.use(customer=customer)
        token.refresh_from_db()
        assert token.used_at is None
        token.use(customer=stranger)
    assert StampCard.objects.get(customer=stranger).stamps == 1


def test_per_n_hours_limit(make_program, customer):
    program = make_program(limit_mode="hours", limit_hours=3)
    _stamp(program, customer, "2026-05-04 10:00 +0900")
    with pytest.raises(StampRefused, match="3시간에 한 번"):
        _stamp(program, customer, "2026-05-04 12:59 +0900")
    _stamp(program, customer, "2026-05-04 13:00 +0900")


def test_reaching_the_goal_issues_the_reward_once_and_starts_a_new_card(program, customer):
    for n in range(3):
        _stamp(program, customer, _days(n))
    card = StampCard.objects.get()
    assert (card.stamps, card.completed, card.round) == (0, 1, 2)
    rewards = Coupon.objects.filter(customer=customer)
    assert rewards.count() == 1 and rewards.get().campaign.benefit == "사은품: 떡 한 팩"
    _stamp(program, customer, _days(3))
    card.refresh_from_db()
    assert (card.stamps, card.completed) == (1, 1)
    assert Coupon.objects.filter(customer=customer).count() == 1


def test_a_reward_on_the_way(make_program, customer):
    program = make_program(
        goal=4,
        milestone_at=2,
        milestone={"kind": "amount", "amount_off": 500, "percent_off": None, "gift": ""},
    )
    for n in range(4):
        _stamp(program, customer, _days(n))
    benefits = sorted(c.campaign.benefit for c in Coupon.objects.filter(customer=customer))
    assert benefits == ["500원 할인", "사은품: 떡 한 팩"]


def test_a_card_expires_n_days_after_the_last_stamp(make_program, customer):
    program = make_program(expires_after_days=7, expires_from="last")
    _stamp(program, customer, _days(0))
    _stamp(program, customer, _days(7))  # day 7 is still within
    stamp = _stamp(program, customer, _days(15))  # 8 days after the last: a new card
    card = StampCard.objects.get()
    assert (card.stamps, card.round, stamp.number) == (1, 2, 1)
    assert not Coupon.objects.filter(customer=customer).exists()


def test_a_card_expires_n_days_after_the_first_stamp(make_program, customer):
    program = make_program(goal=5, expires_after_days=3, expires_from="first")
    _stamp(program, customer, _days(0))
    _stamp(program, customer, _days(2))
    stamp = _stamp(program, customer, _days(4))
    assert stamp.number == 1
    with time_machine.travel(_days(4), tick=False):
        assert StampCard.objects.get().current_stamps() == 1


def test_the_merchant_scans_a_member_qr(signed_in, merchant, customer, store, program):
    client = signed_in(customer)
    page = client.get(reverse("stamps:cards")).content.decode()
    assert "내 도장 QR" in page
    token = member_token(customer)
    response = signed_in(merchant).post(reverse("stamps:give", args=[store.public_id]), {"token": token}, follow=True)
    assert "도장을 찍었습니다. (1/3)" in response.content.decode()
    stamp = Stamp.objects.get()
    assert (stamp.via, stamp.given_by, stamp.customer) == ("member", merchant, customer)


def test_a_forged_or_old_member_qr_is_refused(signed_in, merchant, customer, store, program):
    client = signed_in(merchant)
    with time_machine.travel(DAY1, tick=False):
        old = member_token(customer)
    forged = member_token(customer)[:-2] + "xx"
    for bad in (old, forged, "DGM1.nothing", "hello"):
        response = client.post(reverse("stamps:give", args=[store.public_id]), {"token": bad}, follow=True)
        assert "손님 QR을 확인할 수 없습니다" in response.content.decode()
    assert not Stamp.objects.exists()


def test_more_than_five_stamps_a_day_across_the_market_is_flagged(signed_in, market, merchant, customer, program):
    stores = []
    for i in range(5):
        other = Store.objects.create(market=market, name=f"가게{i}")
        owner = User.objects.create_user(f"+8210444400{i:02d}")
        other.owners.add(owner)
        stores.append(
            stamp_program_start(
                store=other,
                by=owner,
                goal=10,
                reward={"kind": "gift", "amount_off": None, "percent_off": None, "gift": "x"},
                reward_days=30,
                expires_from="last",
                limit_mode="daily",
            )
        )
    with time_machine.travel(DAY1, tick=False):
        for other_program in stores:
            other_program.card_for(customer).add_stamp(via="member")
        sixth = program.card_for(customer).add_stamp(via="member")
        page = signed_in(merchant).get(reverse("stamps:program", args=[program.store.public_id])).content.decode()
    assert sixth.flagged
    assert Stamp.objects.filter(flagged=True).count() == 1
    assert "확인이 필요한 도장" in page and customer.masked_phone in page


def test_an_ended_program_gives_no_stamps(program, customer):
    program.end()
    with pytest.raises(StampRefused, match="스탬프 카드를 쓰지 않습니다"):
        program.card_for(customer).add_stamp(via="member")


def test_the_wallet_shows_stamp_cards(signed_in, customer, program):
    _stamp(program, customer, _days(0))
    with time_machine.travel(_days(0), tick=False):
        page = signed_in(customer).get(reverse("coupons:wallet")).content.decode()
    assert "●○○" in page and "도장 3개를 모으면 <strong>사은품: 떡 한 팩</strong> 쿠폰을 드립니다" in page


def test_time_is_stored_in_utc(program, customer):
    stamp = _stamp(program, customer, "2026-05-04 08:30 +0900")
    assert stamp.created_at == dt.datetime(2026, 5, 3, 23, 30, tzinfo=dt.UTC)


def test_stall_qrs_past_their_use_are_purged_a_batch_per_tick(program, customer):
    now = dt.datetime(2026, 5, 10, 3, 0, tzinfo=dt.UTC)
    dead = now - SCAN_GRACE - dt.timedelta(seconds=1)
    StampToken.objects.bulk_create(
        StampToken(program=program, created_at=dead, expires_at=dead) for _n in range(PURGE_BATCH + 2)
    )
    used = StampToken.objects.create(program=program, created_at=dead, expires_at=dead)
    stamp = StampToken.objects.get(pk=used.pk).use(customer=customer, now=dead - dt.timedelta(seconds=30))
    # Still scannable: within its grace, or fresh.
    grace = StampToken.objects.create(program=program, created_at=now, expires_at=now - SCAN_GRACE / 2)
    fresh = StampToken.current(program, now=now)
    assert "dangol.stamps.jobs.purge_stamp_tokens" in periodic_jobs()
    assert purge_stamp_tokens(now=now) == PURGE_BATCH
    assert purge_stamp_tokens(now=now) == 3
    assert purge_stamp_tokens(now=now) == 0
    assert set(StampToken.objects.all()) == {grace, fresh}
    stamp.refresh_from_db()
    assert stamp.token is None  # the stamp stays; only the spent QR is forgotten
