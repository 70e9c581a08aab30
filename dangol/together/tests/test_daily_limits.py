"""A person's proposals and photos per Seoul day: refused on both doors, with nothing written."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from dangol.accounts.models import User
from dangol.lib.periodic import periodic_jobs
from dangol.together.jobs import PURGE_BATCH, purge_allowances
from dangol.together.models import Allowance, Proposal, ProposalImage, Refused

from .conftest import png

API = "/api/v1/together"
PROPOSAL = {
    "title": "경로당 난방비",
    "story": "겨울 난방비가 부족합니다.",
    "beneficiary": "시험동 경로당",
    "goal": 500000,
    "period_days": 30,
    "category": "neighbour",
}
FORM = {**PROPOSAL, "goal": "500000", "period_days": "30"}
NOON = dt.datetime(2026, 5, 4, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def door(user):
    client = Client()
    client.force_login(user, backend="dangol.accounts.backends.PhoneCodeBackend")
    return client


@pytest.fixture
def limits(settings):
    settings.TOGETHER_PROPOSALS_PER_DAY = 3
    settings.TOGETHER_PHOTOS_PER_DAY = 4
    return settings


@time_machine.travel(NOON, tick=False)
def test_a_fourth_proposal_in_one_day_is_refused_on_the_api_and_the_page(rules, customer, limits):
    client = door(customer)
    for _n in range(3):
        assert client.post(f"{API}/proposals", PROPOSAL, content_type="application/json").status_code == 201
    response = client.post(f"{API}/proposals", PROPOSAL, content_type="application/json")
    assert response.status_code == 429
    assert response.json()["detail"] == "제안은 하루에 3건까지 올릴 수 있습니다. 내일 다시 올려 주세요."
    page = client.post(reverse("together:propose"), FORM)
    assert page.status_code == 200
    assert "제안은 하루에 3건까지 올릴 수 있습니다." in page.content.decode()
    assert Proposal.objects.count() == 3


def test_the_limit_starts_again_on_the_next_seoul_day(rules, make_proposal, customer, limits):
    with time_machine.travel(NOON.replace(hour=23, minute=50), tick=False):
        for _n in range(3):
            make_proposal()
        with pytest.raises(Refused, match="하루에 3건"):
            make_proposal()
    with time_machine.travel(NOON.replace(day=5, hour=0, minute=10), tick=False):
        make_proposal()
    assert Proposal.objects.count() == 4


@time_machine.travel(NOON, tick=False)
def test_a_new_account_on_the_same_phone_does_not_start_the_limit_again(rules, customer, limits):
    for _n in range(3):
        assert door(customer).post(f"{API}/proposals", PROPOSAL, content_type="application/json").status_code == 201
    phone = customer.phone
    customer.delete()
    again = User.objects.create_user(phone)
    response = door(again).post(f"{API}/proposals", PROPOSAL, content_type="application/json")
    assert response.status_code == 429
    assert Proposal.objects.filter(proposer=again).count() == 0


@time_machine.travel(NOON, tick=False)
def test_photos_past_the_daily_limit_are_refused_and_nothing_is_written(rules, customer, limits):
    client = door(customer)
    client.post(reverse("together:propose"), {**FORM, "images": [png(f"{n}.png") for n in range(3)]})
    assert ProposalImage.objects.count() == 3
    page = client.post(reverse("together:propose"), {**FORM, "title": "둘째", "images": [png("a.png"), png("b.png")]})
    assert "사진은 하루에 4장까지 올릴 수 있습니다. 내일 다시 올려 주세요." in page.content.decode()
    assert not Proposal.objects.filter(title="둘째").exists()
    assert ProposalImage.objects.count() == 3
    # The refused proposal gave its place back: the last photo and the last proposal still fit.
    client.post(reverse("together:propose"), {**FORM, "title": "셋째", "images": [png("c.png")]})
    assert Proposal.objects.get(title="셋째").images.count() == 1


def test_old_daily_counts_are_purged_a_batch_per_tick(db):
    now = dt.datetime(2026, 5, 10, 3, 0, tzinfo=dt.UTC)
    old = now - dt.timedelta(days=3)
    Allowance.objects.bulk_create(
        Allowance(what=Allowance.PHOTO, key=f"k{n}", window_start=old, used=1) for n in range(PURGE_BATCH + 5)
    )
    recent = Allowance.objects.create(what=Allowance.PHOTO, key="today", window_start=now - dt.timedelta(hours=5))
    assert "dangol.together.jobs.purge_allowances" in periodic_jobs()
    assert purge_allowances(now=now) == PURGE_BATCH
    assert purge_allowances(now=now) == 5
    assert purge_allowances(now=now) == 0
    assert list(Allowance.objects.all()) == [recent]
