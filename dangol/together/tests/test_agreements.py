import pytest
import time_machine
from django.urls import reverse

from dangol.accounts.models import User
from dangol.together.models import (
    Agreement,
    AlreadyDone,
    EventKind,
    Moderation,
    Proposal,
    ProposalStatus,
    Refused,
)

from .conftest import neighbour


def test_a_neighbour_agrees_once(signed_in, proposal, stranger):
    client = signed_in(stranger)
    response = client.post(reverse("together:agree", args=[proposal.public_id]), follow=True)
    assert "동의했습니다. 고맙습니다!" in response.content.decode()
    response = client.post(reverse("together:agree", args=[proposal.public_id]), follow=True)
    assert "이미 동의했습니다" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.agreement_count == 1
    assert Agreement.objects.count() == 1


def test_a_re_created_account_with_the_same_phone_does_not_agree_twice(proposal, stranger):
    proposal.agree(user=stranger)
    phone = stranger.phone
    stranger.delete()
    again = User.objects.create_user(phone)
    with pytest.raises(AlreadyDone, match="휴대폰 번호 하나로 한 번만"):
        proposal.agree(user=again)
    proposal.refresh_from_db()
    assert proposal.agreement_count == 1
    assert proposal.has_agreed(again)


def test_agreements_store_no_phone_number(proposal, stranger):
    proposal.agree(user=stranger)
    agreement = Agreement.objects.get()
    assert stranger.phone not in agreement.phone_key
    assert stranger.phone.removeprefix("+82") not in agreement.phone_key


def test_crossing_the_threshold_opens_review_once_and_later_agreements_still_count(proposal):
    for n in range(5):
        proposal.agree(user=neighbour(n))
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REVIEW
    assert proposal.agreement_count == 5
    assert proposal.events.filter(kind=EventKind.REVIEW_OPENED).count() == 1
    assert proposal.review_started_at is not None


def test_the_page_says_review_started(client, proposal):
    for n in range(3):
        proposal.agree(user=neighbour(n))
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "동의가 모두 모여 심사기관이 심사하고 있습니다" in page


def test_no_agreement_after_the_window(make_proposal, rules):
    with time_machine.travel("2026-03-01 10:00 +0900", tick=False):
        proposal = make_proposal()
        proposal.agree(user=neighbour(1))
    with (
        time_machine.travel("2026-03-31 10:00 +0900", tick=False),
        pytest.raises(Refused, match="동의 기간이 끝났습니다"),
    ):
        proposal.agree(user=neighbour(2))
    proposal.refresh_from_db()
    assert (proposal.status, proposal.agreement_count) == (ProposalStatus.CLOSED, 1)


def test_agreements_are_rate_limited_per_person(make_proposal, rules, stranger):
    rules.agreements_per_hour = 2
    rules.save()
    first, second, third = (make_proposal(title=f"제안 {n}") for n in range(3))
    with time_machine.travel("2026-03-01 10:00 +0900", tick=False):
        first.agree(user=stranger)
        second.agree(user=stranger)
        with pytest.raises(Refused, match="한 시간 뒤에"):
            third.agree(user=stranger)
    with time_machine.travel("2026-03-01 11:00:01 +0900", tick=False):
        third.agree(user=stranger)


def test_a_hidden_proposal_takes_no_agreements(proposal, stranger):
    Proposal.objects.filter(pk=proposal.pk).update(moderation=Moderation.HIDDEN)
    with pytest.raises(Refused, match="운영진이 확인하는"):
        proposal.agree(user=stranger)


def test_a_rejected_proposal_takes_no_agreements(proposal, reviewer, stranger):
    Proposal.objects.filter(pk=proposal.pk).update(status=ProposalStatus.REVIEW)
    proposal.reject(by=reviewer, reason="근거 부족")
    with pytest.raises(Refused, match="동의를 받지 않는 제안"):
        proposal.agree(user=stranger)


def test_agreeing_needs_sign_in_and_a_post(client, proposal):
    url = reverse("together:agree", args=[proposal.public_id])
    assert client.post(url)["Location"].startswith("/accounts/sign-in/")
    proposal.refresh_from_db()
    assert proposal.agreement_count == 0


def test_agreeing_with_get_does_nothing(signed_in, proposal, stranger):
    assert signed_in(stranger).get(reverse("together:agree", args=[proposal.public_id])).status_code == 405


def test_the_api_agrees_once_per_phone(signed_in, proposal, stranger, client):
    url = f"/api/v1/together/proposals/{proposal.public_id}/agreements"
    assert client.post(url).status_code == 401
    api = signed_in(stranger)
    response = api.post(url)
    assert response.status_code == 201
    assert response.json() == {"proposal_id": proposal.public_id, "agreement_count": 1, "status": "agreeing"}
    again = api.post(url)
    assert again.status_code == 409
    assert "이미 동의했습니다" in again.json()["detail"]
    assert api.post("/api/v1/together/proposals/nope/agreements").status_code == 404
