"""The page and the API allow, refuse or hide for the same people, with the same Korean words."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangol.payments.models import Refund
from dangol.together.models import (
    Agreement,
    Donation,
    DonationStatus,
    Fundraiser,
    Moderation,
    Proposal,
    ProposalStatus,
    Review,
)

from .conftest import NOTES, give, in_review, neighbour

API = "/api/v1/together"


def door(user):
    """A fresh client signed in as `user` (or anonymous), so the two doors never share a session."""
    client = Client()
    if user is not None:
        client.force_login(user, backend="dangol.accounts.backends.PhoneCodeBackend")
    return client


def flashed(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def post_json(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


@pytest.fixture
def removed(proposal):
    Proposal.objects.filter(pk=proposal.pk).update(moderation=Moderation.REMOVED)
    proposal.refresh_from_db()
    return proposal


@pytest.mark.parametrize(
    ("who", "sees"), [("moderator", True), ("proposer", True), ("stranger", False), ("anonymous", False)]
)
def test_a_removed_proposal_is_shown_or_hidden_alike_on_both_doors(request, removed, customer, who, sees):
    people = {"proposer": customer, "anonymous": None}
    user = people[who] if who in people else request.getfixturevalue(who)
    page = door(user).get(reverse("together:proposal", args=[removed.public_id]))
    api = door(user).get(f"{API}/proposals/{removed.public_id}")
    assert (page.status_code, api.status_code) == ((200, 200) if sees else (404, 404))
    if sees:
        assert removed.title in page.content.decode()
        assert api.json()["title"] == removed.title


@pytest.mark.parametrize(("who", "sees"), [("moderator", True), ("proposer", True), ("stranger", False)])
def test_the_box_of_a_removed_proposal_is_shown_or_hidden_alike(request, box, customer, who, sees):
    Proposal.objects.filter(pk=box.proposal_id).update(moderation=Moderation.REMOVED)
    user = customer if who == "proposer" else request.getfixturevalue(who)
    page = door(user).get(reverse("together:box", args=[box.public_id]))
    api = door(user).get(f"{API}/boxes/{box.public_id}")
    ledger = door(user).get(f"{API}/boxes/{box.public_id}/ledger")
    expected = 200 if sees else 404
    assert (page.status_code, api.status_code, ledger.status_code) == (expected, expected, expected)


def test_agreeing_twice_is_refused_with_the_same_words_on_both_doors(proposal, stranger):
    message = "이미 동의했습니다. 휴대폰 번호 하나로 한 번만 동의할 수 있습니다."
    page_url = reverse("together:agree", args=[proposal.public_id])
    api_url = f"{API}/proposals/{proposal.public_id}/agreements"

    first = door(stranger).post(page_url)
    assert first.status_code == 302 and flashed(first) == ["동의했습니다. 고맙습니다!"]

    through_api = post_json(door(stranger), api_url)
    assert through_api.status_code == 409
    assert through_api.json()["detail"] == message

    again = door(stranger).post(page_url)
    assert flashed(again) == [message]
    assert Agreement.objects.filter(proposal=proposal).count() == 1


def test_agreeing_through_the_api_first_then_the_page_refuses_alike(make_proposal, rules, stranger):
    proposal = make_proposal()
    assert post_json(door(stranger), f"{API}/proposals/{proposal.public_id}/agreements").status_code == 201
    page = door(stranger).post(reverse("together:agree", args=[proposal.public_id]))
    api = post_json(door(stranger), f"{API}/proposals/{proposal.public_id}/agreements")
    assert flashed(page) == [api.json()["detail"]]
    proposal.refresh_from_db()
    assert proposal.agreement_count == 1


def test_the_donor_cancels_on_either_door(box, stranger):
    on_page, on_api = give(box, stranger, 10000), give(box, stranger, 20000)
    page = door(stranger).post(reverse("together:donation_cancel", args=[on_page.public_id]))
    assert flashed(page) == ["기부를 취소했습니다. 결제한 곳으로 환불됩니다."]
    api = post_json(door(stranger), f"{API}/donations/{on_api.public_id}/cancel")
    assert api.status_code == 200
    assert (api.json()["status"], api.json()["refunded_amount"]) == ("refunded", 20000)
    statuses = set(Donation.objects.values_list("status", flat=True))
    assert statuses == {DonationStatus.REFUNDED}
    box.refresh_from_db()
    assert box.direct_total == 0


def test_after_the_box_closes_both_doors_refuse_the_donor_with_the_same_words(box, stranger):
    on_page, on_api = give(box, stranger, 10000), give(box, stranger, 20000)
    Fundraiser.objects.filter(pk=box.pk).update(ends_at=timezone.now())
    message = "모금이 끝난 뒤에는 직접 취소할 수 없습니다. 운영진에게 문의해 주세요."

    page = door(stranger).post(reverse("together:donation_cancel", args=[on_page.public_id]))
    api = post_json(door(stranger), f"{API}/donations/{on_api.public_id}/cancel")

    assert flashed(page) == [message]
    assert (api.status_code, api.json()["detail"]) == (400, message)
    assert set(Donation.objects.values_list("status", flat=True)) == {DonationStatus.PAID}
    assert not Refund.objects.exists()


def test_nobody_else_can_cancel_a_gift_on_either_door(box, stranger, customer, moderator):
    donation = give(box, stranger, 10000)
    for other in (customer, moderator, neighbour(9)):
        page = door(other).post(reverse("together:donation_cancel", args=[donation.public_id]))
        api = post_json(door(other), f"{API}/donations/{donation.public_id}/cancel")
        assert (page.status_code, api.status_code) == (404, 404)
    donation.refresh_from_db()
    assert (donation.status, donation.refunded_amount) == (DonationStatus.PAID, 0)
    assert not Refund.objects.exists()


@pytest.mark.parametrize("who", ["stranger", "moderator", "proposer"])
def test_a_non_reviewer_cannot_approve_on_either_door(request, proposal, customer, who):
    in_review(proposal)
    user = customer if who == "proposer" else request.getfixturevalue(who)
    page = door(user).post(reverse("together:review", args=[proposal.public_id]), {"decision": "approve", **NOTES})
    api = post_json(door(user), f"{API}/proposals/{proposal.public_id}/approve", NOTES)
    queue = (door(user).get(reverse("together:review_queue")), door(user).get(f"{API}/review/queue"))
    assert (page.status_code, api.status_code) == (404, 404)
    assert [r.status_code for r in queue] == [404, 404]
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REVIEW
    assert not Review.objects.exists() and not Fundraiser.objects.exists()


def test_a_reviewer_who_proposed_is_refused_with_the_same_words_on_both_doors(rules, make_proposal, reviewer):
    mine = in_review(make_proposal(proposer=reviewer))
    message = "자기 제안은 심사할 수 없습니다."
    page = door(reviewer).post(reverse("together:review", args=[mine.public_id]), {"decision": "approve", **NOTES})
    api = post_json(door(reviewer), f"{API}/proposals/{mine.public_id}/approve", NOTES)
    assert page.status_code == 200 and message in page.content.decode()
    assert (api.status_code, api.json()["detail"]) == (400, message)
    mine.refresh_from_db()
    assert mine.status == ProposalStatus.REVIEW
    assert not Fundraiser.objects.exists()


def test_a_reviewer_approves_on_either_door(rules, make_proposal, reviewer):
    on_page, on_api = in_review(make_proposal()), in_review(make_proposal())
    page = door(reviewer).post(reverse("together:review", args=[on_page.public_id]), {"decision": "approve", **NOTES})
    api = post_json(door(reviewer), f"{API}/proposals/{on_api.public_id}/approve", NOTES)
    assert (page.status_code, api.status_code) == (302, 201)
    assert set(Proposal.objects.values_list("status", flat=True)) == {ProposalStatus.APPROVED}
    assert Fundraiser.objects.count() == 2


def test_a_second_cheer_is_refused_with_the_same_words_on_both_doors(box, stranger):
    page_url = reverse("together:participate", args=[box.public_id])
    api_url = f"{API}/boxes/{box.public_id}/participations"
    assert door(stranger).post(page_url, {"action": "cheer"}).status_code == 302
    page = door(stranger).post(page_url, {"action": "cheer"})
    api = post_json(door(stranger), api_url, {"action": "cheer"})
    assert api.status_code == 409
    assert flashed(page) == [api.json()["detail"]] == ["이미 응원했습니다. 한 모금함에 한 번씩 참여할 수 있습니다."]
    assert box.participations.count() == 1
