"""Claims per client address, and the clean-up that forgets what the limits no longer need."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from dangol.accounts.models import User
from dangol.coupons.jobs import PURGE_BATCH, purge_limits
from dangol.coupons.models import Allowance, Coupon, Method, PinFailure
from dangol.lib.periodic import periodic_jobs

CAPPED = "이 인터넷 연결에서 한 시간에 받을 수 있는 쿠폰 2장을 모두 받았습니다. 잠시 뒤에 다시 해 주세요."


def person(n):
    client = Client(REMOTE_ADDR="203.0.113.9")
    client.force_login(
        User.objects.create_user(f"+8210555{n:05d}"), backend="dangol.accounts.backends.PhoneCodeBackend"
    )
    return client


@pytest.fixture
def cap(settings):
    settings.COUPON_CLAIMS_PER_ADDRESS_PER_HOUR = 2


def test_claims_from_one_address_stop_at_the_hourly_cap_on_the_api(cap, make_campaign):
    campaign = make_campaign(quantity=50)
    url = f"/api/v1/campaigns/{campaign.public_id}/claim"
    assert [person(n).post(url).status_code for n in range(2)] == [201, 201]
    refused = person(3).post(url)
    assert refused.status_code == 429
    assert refused.json()["detail"] == CAPPED
    assert Coupon.objects.count() == 2
    elsewhere = person(4)
    elsewhere.defaults["REMOTE_ADDR"] = "198.51.100.4"
    assert elsewhere.post(url).status_code == 201


def test_the_page_shows_the_same_words_and_writes_nothing(cap, make_campaign):
    campaign = make_campaign(quantity=50)
    url = reverse("coupons:claim", args=[campaign.public_id])
    for n in range(2):
        person(n).post(url)
    page = person(3).post(url, follow=True)
    assert CAPPED in page.content.decode()
    assert Coupon.objects.count() == 2


def test_a_refused_claim_does_not_use_up_the_address(cap, make_campaign, customer):
    campaign = make_campaign(quantity=50)
    campaign.claim(customer=customer, address="203.0.113.9")
    refused = Client(REMOTE_ADDR="203.0.113.9")
    refused.force_login(customer, backend="dangol.accounts.backends.PhoneCodeBackend")
    assert refused.post(f"/api/v1/campaigns/{campaign.public_id}/claim").status_code == 409  # already has it
    assert person(1).post(f"/api/v1/campaigns/{campaign.public_id}/claim").status_code == 201


def test_welcome_and_message_coupons_are_not_capped_by_address(cap, make_campaign, customer, stranger):
    welcome = make_campaign(method=Method.WELCOME)
    for user in (customer, stranger, User.objects.create_user("+821055500009")):
        assert welcome.give_on_follow(customer=user) is not None


def test_old_pin_failures_and_claim_counts_are_purged_a_batch_per_tick(store, customer):
    now = dt.datetime(2026, 5, 10, 3, 0, tzinfo=dt.UTC)
    old = now - dt.timedelta(days=2)
    PinFailure.objects.bulk_create(
        PinFailure(store=store, customer=customer, created_at=old) for _n in range(PURGE_BATCH + 3)
    )
    fresh = PinFailure.objects.create(store=store, customer=customer, created_at=now - dt.timedelta(minutes=5))
    Allowance.objects.create(what=Allowance.CLAIM, key="old", window_start=old)
    current = Allowance.objects.create(what=Allowance.CLAIM, key="now", window_start=now.replace(minute=0))
    assert "dangol.coupons.jobs.purge_limits" in periodic_jobs()
    assert purge_limits(now=now) == {"pin_failures": PURGE_BATCH, "claim_allowances": 1}
    assert purge_limits(now=now) == {"pin_failures": 3, "claim_allowances": 0}
    assert list(PinFailure.objects.all()) == [fresh]
    assert list(Allowance.objects.all()) == [current]
