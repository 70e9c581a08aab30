import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from dangol.together.models import EventKind, Proposal, ProposalImage, ProposalStatus, Rules

from .conftest import png

FORM = {
    "title": "시장 골목 화재 예방",
    "story": "지난 겨울 불이 난 뒤로 소화기가 부족합니다.",
    "beneficiary": "시험시장 상인회",
    "goal": "1000000",
    "period_days": "30",
    "category": "disaster",
}


def test_a_signed_in_neighbour_proposes_with_pictures(signed_in, customer, rules):
    response = signed_in(customer).post(reverse("together:propose"), {**FORM, "images": [png("a.png"), png("b.png")]})
    proposal = Proposal.objects.get()
    assert response["Location"] == proposal.get_absolute_url()
    assert (proposal.proposer, proposal.goal, proposal.period_days) == (customer, 1_000_000, 30)
    assert proposal.status == ProposalStatus.AGREEING
    assert proposal.images.count() == 2
    assert proposal.events.get().kind == EventKind.PROPOSED
    page = signed_in(customer).get(proposal.get_absolute_url()).content.decode()
    assert "시장 골목 화재 예방" in page
    assert "0명 / 3명" in page


def test_proposing_needs_a_signed_in_phone(client, db):
    response = client.post(reverse("together:propose"), FORM)
    assert response["Location"].startswith("/accounts/sign-in/")
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("period_days", "91", "90"),
        ("period_days", "0", "1"),
        ("goal", "5000", "10000"),
        ("goal", "백만원", "정수를 입력하세요"),
        ("title", "", "필수 항목"),
        ("beneficiary", "", "필수 항목"),
        ("category", "gambling", "올바르게 선택해 주세요"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(signed_in, customer, rules, field, value, message):
    response = signed_in(customer).post(reverse("together:propose"), {**FORM, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Proposal.objects.exists()


def test_at_most_five_pictures_and_only_pictures(signed_in, customer, rules):
    client = signed_in(customer)
    response = client.post(reverse("together:propose"), {**FORM, "images": [png(f"{n}.png") for n in range(6)]})
    assert "사진은 5장까지" in response.content.decode()
    fake = png("x.png")
    fake.file.write(b"not really")
    fake.file.seek(0)
    fake.file.truncate(5)
    response = client.post(reverse("together:propose"), {**FORM, "images": [fake]})
    assert "사진 파일을 읽을 수 없습니다" in response.content.decode()
    assert not Proposal.objects.exists()
    assert not ProposalImage.objects.exists()


def test_the_model_refuses_the_same_rules_for_the_api(customer, rules):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        Proposal.propose(proposer=customer, title=" ", story="", beneficiary="", goal=1, period_days=120, category="x")
    assert set(error.value.message_dict) == {"title", "story", "beneficiary", "goal", "period_days", "category"}


def test_a_proposal_keeps_the_rules_it_was_made_under(make_proposal, rules):
    with time_machine.travel("2026-03-01 10:00 +0900", tick=False):
        proposal = make_proposal()
    rules.agreement_threshold, rules.agreement_window_days = 800, 10
    rules.save()
    proposal.refresh_from_db()
    assert proposal.threshold == 3
    assert proposal.agree_until == dt.datetime.fromisoformat("2026-03-31 10:00 +09:00")


def test_the_default_rules_are_500_agreements_in_30_days(db):
    current = Rules.current()
    assert (current.agreement_threshold, current.agreement_window_days) == (500, 30)


def test_a_proposal_that_missed_its_window_closes_visibly(client, make_proposal, rules):
    with time_machine.travel("2026-03-01 10:00 +0900", tick=False):
        proposal = make_proposal()
    with time_machine.travel("2026-03-31 10:00:01 +0900", tick=False):
        page = client.get(proposal.get_absolute_url()).content.decode()
        assert "동의 3명을 모으지 못해 마감되었습니다" in page
        assert "동의하기" not in page
        assert Proposal.objects.close_expired() == 1
        assert Proposal.objects.close_expired() == 0
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CLOSED
    assert proposal.events.filter(kind=EventKind.CLOSED).count() == 1


def test_the_index_lists_proposals_still_gathering_agreements(client, make_proposal, rules):
    with time_machine.travel("2026-03-01 10:00 +0900", tick=False):
        old = make_proposal(title="오래된 제안")
    fresh = make_proposal(title="새 제안")
    page = client.get(reverse("together:index")).content.decode()
    assert fresh.title in page
    assert old.title not in page


def test_the_index_page_runs_a_fixed_number_of_queries(client, make_proposal, rules, django_assert_num_queries):
    for n in range(5):
        make_proposal(title=f"제안 {n}")
    with django_assert_num_queries(4):
        client.get(reverse("together:index"))


def test_a_rejected_proposal_shows_the_reason_to_its_proposer_only(signed_in, proposal, reviewer, stranger, client):
    from .conftest import in_review

    in_review(proposal).reject(by=reviewer, reason="수혜 단체가 확인되지 않습니다.")
    assert (
        "수혜 단체가 확인되지 않습니다"
        in signed_in(proposal.proposer).get(proposal.get_absolute_url()).content.decode()
    )
    client.logout()
    page = signed_in(stranger).get(proposal.get_absolute_url()).content.decode()
    assert "반려되었습니다" in page
    assert "수혜 단체가 확인되지 않습니다" not in page
