"""Each step of the onboarding checklist turns on from what the store really did, and from nothing else."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dangol.accounts.models import User
from dangol.channels.models import ConsentVia
from dangol.channels.services import follow_start
from dangol.coupons.models import Campaign, Via
from dangol.messaging.services import message_send, messages_deliver_due
from dangol.program.models import PrintKind, PrintRecord
from dangol.program.progress import progress_for, step_counts
from dangol.stamps.models import StampProgram
from dangol.stamps.models import Via as StampVia


def _steps(store):
    [progress] = progress_for([store])
    return {key for key, _label, done in progress.checklist if done}


def _followers(store, n):
    for i in range(n):
        customer = User.objects.create_user(f"+82106000{i:04d}")
        follow_start(customer=customer, store=store, collection=True, ads=False, night=False, via=ConsentVia.WEB)


def _png():
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (20, 20), "red").save(out, "PNG")
    return SimpleUploadedFile("shop.png", out.getvalue(), content_type="image/png")


def test_a_new_store_has_done_nothing(store):
    assert _steps(store) == set()


def test_the_profile_step_needs_every_profile_field(store):
    store.description, store.opening_hours = "제철 과일", "09:00~19:00"
    store.save()
    assert "profile" not in _steps(store)  # no photo yet

    store.photo = _png()
    store.save()

    assert "profile" in _steps(store)


def test_downloading_the_poster_turns_on_the_poster_step(signed_in, merchant, store):
    PrintRecord.record(stores=[store], kind=PrintKind.GUIDE, by=merchant)
    assert "poster" not in _steps(store)

    signed_in(merchant).get(reverse("printing:poster", args=[store.public_id, "a5"]))

    assert "poster" in _steps(store)


def test_ten_regulars_turn_on_the_regulars_step(store):
    _followers(store, 9)
    assert "regulars" not in _steps(store)

    _followers_one_more = User.objects.create_user("+821070000001")
    follow_start(customer=_followers_one_more, store=store, collection=True, ads=False, night=False, via=ConsentVia.WEB)

    [progress] = progress_for([store])
    assert progress.regulars == 10
    assert "regulars" in _steps(store)


def test_a_notice_is_not_a_first_message_but_sent_news_is(store, merchant, customer):
    follow_start(customer=customer, store=store, collection=True, ads=False, night=False, via=ConsentVia.WEB)
    assert "message" not in _steps(store)  # the consent confirmation went out as a notice

    message_send(store=store, author=merchant, kind="info", body="오늘 딸기 들어왔어요")
    assert "message" not in _steps(store)  # written, not yet sent

    messages_deliver_due()

    assert "message" in _steps(store)


def test_a_redeemed_coupon_turns_on_the_step_and_an_undo_turns_it_off(store, merchant, customer):
    follow_start(customer=customer, store=store, collection=True, ads=False, night=False, via=ConsentVia.WEB)
    campaign = Campaign.create_for(
        store=store, by=merchant, kind="amount", amount_off=500, method="paper", quantity=1, valid_days=7
    )
    coupon = campaign.coupons.get()
    assert "redemption" not in _steps(store)

    coupon.redeem(via=Via.CODE, by=merchant)
    assert "redemption" in _steps(store)

    coupon.undo_redemption(by=merchant)
    assert "redemption" not in _steps(store)


def test_a_stamp_turns_on_the_stamp_step(store, merchant, customer):
    reward = Campaign.objects.create(store=store, kind="gift", gift="사과 한 알", method="reward", valid_days=30)
    program = StampProgram.objects.create(store=store, goal=10, reward=reward)
    assert "stamp" not in _steps(store)

    program.card_for(customer).add_stamp(via=StampVia.MEMBER, by=merchant)

    assert "stamp" in _steps(store)


def test_a_store_still_for_14_days_is_flagged_and_moving_unflags_it(store, merchant, customer):
    later = timezone.now() + dt.timedelta(days=15)
    [progress] = progress_for([store], now=later)
    assert progress.still

    with time_machine.travel(later - dt.timedelta(days=1)):
        follow_start(customer=customer, store=store, collection=True, ads=False, night=False, via=ConsentVia.WEB)

    [progress] = progress_for([store], now=later)
    assert not progress.still


def test_a_store_that_sent_then_went_quiet_stopped_sending(store, merchant, customer):
    follow_start(customer=customer, store=store, collection=True, ads=False, night=False, via=ConsentVia.WEB)
    [progress] = progress_for([store])
    assert not progress.stopped_sending  # never sent: not "stopped"

    message_send(store=store, author=merchant, kind="info", body="개업 인사")
    messages_deliver_due()
    [progress] = progress_for([store], now=timezone.now() + dt.timedelta(days=31))

    assert progress.stopped_sending


def test_step_counts_cover_every_store_in_a_fixed_number_of_queries(store, other_store, django_assert_num_queries):
    _followers(store, 10)
    from dangol.channels.models import Store

    with django_assert_num_queries(6):
        progress = progress_for(Store.objects.all())
    counts = dict(step_counts(progress))

    assert counts["단골 10명"] == 1
    assert counts["첫 메시지 보내기"] == 0


@pytest.mark.parametrize("who", ["merchant"])
def test_the_merchant_sees_their_own_checklist(signed_in, store, merchant, who):
    page = signed_in(merchant).get(reverse("program:checklist", args=[store.public_id]))

    assert page.status_code == 200
    assert "QR 포스터 인쇄" in page.content.decode()
