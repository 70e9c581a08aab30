import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from dangol.together.models import BoxStatus, EventKind, Fundraiser, Proposal, ProposalStatus, Refused, Review

from .conftest import NOTES, in_review


@pytest.fixture
def waiting(proposal):
    return in_review(proposal)


def test_reviewers_see_the_queue_and_nobody_else_does(client, signed_in, waiting, reviewer, customer, stranger):
    url = reverse("together:review_queue")
    assert client.get(url)["Location"].startswith("/accounts/sign-in/")
    for user in (customer, stranger):
        assert signed_in(user).get(url).status_code == 404
        client.logout()
    page = signed_in(reviewer).get(url).content.decode()
    assert waiting.title in page


def test_only_reviewers_open_the_review_page(client, signed_in, waiting, customer, stranger):
    url = reverse("together:review", args=[waiting.public_id])
    assert client.get(url)["Location"].startswith("/accounts/sign-in/")
    for user in (customer, stranger):
        assert signed_in(user).get(url).status_code == 404
        assert signed_in(user).post(url, {"decision": "approve", **NOTES}).status_code == 404
        client.logout()
    waiting.refresh_from_db()
    assert waiting.status == ProposalStatus.REVIEW


def test_approval_needs_a_note_on_each_of_the_four_criteria(signed_in, waiting, reviewer):
    notes = {**NOTES, "capability": "  "}
    response = signed_in(reviewer).post(
        reverse("together:review", args=[waiting.public_id]), {"decision": "approve", **notes}
    )
    assert response.status_code == 200
    assert "수행능력에 대한 심사 의견을 적어 주세요." in response.content.decode()
    assert not Fundraiser.objects.exists()
    with pytest.raises(Exception, match="수행능력에 대한 심사 의견을 적어 주세요"):
        waiting.approve(by=reviewer, notes=notes)
    assert not Review.objects.exists()


def test_approving_opens_the_box_for_the_proposed_goal_and_period(signed_in, waiting, reviewer, client):
    with time_machine.travel("2026-03-01 14:00 +0900", tick=False):
        response = signed_in(reviewer).post(
            reverse("together:review", args=[waiting.public_id]), {"decision": "approve", **NOTES}
        )
    assert response["Location"] == reverse("together:review_queue")
    box = Fundraiser.objects.get()
    assert (box.goal, box.status) == (1_000_000, BoxStatus.OPEN)
    # 30 days from 3/1: gifts are taken through 3/30, Seoul time.
    assert box.ends_at == dt.datetime.fromisoformat("2026-03-31 00:00 +09:00")
    waiting.refresh_from_db()
    assert waiting.status == ProposalStatus.APPROVED
    assert waiting.events.filter(kind=EventKind.APPROVED).count() == 1
    assert waiting.review.capability == NOTES["capability"]
    client.logout()
    assert client.get(waiting.get_absolute_url())["Location"] == box.get_absolute_url()
    page = client.get(box.get_absolute_url()).content.decode()
    assert "1,000,000원" in page
    assert NOTES["specificity"] in page  # the reviewer's notes are public
    assert "2026년 3월 30일까지" in page


def test_rejection_needs_a_reason_the_proposer_sees(signed_in, waiting, reviewer, client):
    url = reverse("together:review", args=[waiting.public_id])
    response = signed_in(reviewer).post(url, {"decision": "reject", "reason": ""})
    assert "반려 사유를 적어 주세요." in response.content.decode()
    signed_in(reviewer).post(url, {"decision": "reject", "reason": "예산 근거가 부족합니다."})
    waiting.refresh_from_db()
    assert waiting.status == ProposalStatus.REJECTED
    client.logout()
    page = signed_in(waiting.proposer).get(waiting.get_absolute_url()).content.decode()
    assert "예산 근거가 부족합니다." in page


def test_a_proposal_is_decided_once(waiting, reviewer):
    waiting.approve(by=reviewer, notes=NOTES)
    with pytest.raises(Refused, match="심사 중인 제안이 아닙니다"):
        waiting.approve(by=reviewer, notes=NOTES)
    with pytest.raises(Refused, match="심사 중인 제안이 아닙니다"):
        waiting.reject(by=reviewer, reason="다시")
    assert Fundraiser.objects.count() == 1


def test_a_proposal_still_gathering_agreements_cannot_be_approved(proposal, reviewer):
    with pytest.raises(Refused, match="심사 중인 제안이 아닙니다"):
        proposal.approve(by=reviewer, notes=NOTES)


def test_a_reviewer_does_not_review_their_own_proposal(make_proposal, reviewer, rules):
    own = in_review(make_proposal(proposer=reviewer))
    with pytest.raises(Refused, match="자기 제안은 심사할 수 없습니다"):
        own.approve(by=reviewer, notes=NOTES)


def test_the_api_lets_only_reviewers_decide(signed_in, waiting, reviewer, stranger, client):
    url = f"/api/v1/together/proposals/{waiting.public_id}/approve"
    assert client.post(url, NOTES, content_type="application/json").status_code == 401
    assert signed_in(stranger).post(url, NOTES, content_type="application/json").status_code == 404
    assert signed_in(waiting.proposer).get("/api/v1/together/review/queue").status_code == 404
    client.logout()
    api = signed_in(reviewer)
    assert [p["id"] for p in api.get("/api/v1/together/review/queue").json()] == [waiting.public_id]
    bad = api.post(url, {**NOTES, "credibility": ""}, content_type="application/json")
    assert bad.status_code == 400
    assert "credibility" in bad.json()["errors"]
    response = api.post(url, NOTES, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["goal"] == 1_000_000
    assert Proposal.objects.get().status == ProposalStatus.APPROVED


def test_the_api_rejects_with_a_reason(signed_in, waiting, reviewer):
    url = f"/api/v1/together/proposals/{waiting.public_id}/reject"
    api = signed_in(reviewer)
    assert api.post(url, {"reason": " "}, content_type="application/json").status_code == 400
    response = api.post(url, {"reason": "중복 제안"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["status"] == "rejected"
    assert response.json()["rejection_reason"] is None  # the reason is for the proposer
