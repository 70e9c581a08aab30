"""Every limit holds on both doors: the model methods refuse what the forms refuse, with the field at fault."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangol.payments.models import Payment
from dangol.together.models import Comment, Donation, Fundraiser, Payout, PayoutPlan, Proposal, Refused, Report

from .conftest import NOTES, give, in_review, neighbour, png

API = "/api/v1/together"
PROPOSAL = {
    "title": "경로당 난방비",
    "story": "겨울 난방비가 부족합니다.",
    "beneficiary": "시험동 경로당",
    "goal": 500000,
    "period_days": 30,
    "category": "neighbour",
}
MEGABYTE = "x" * 1_000_000  # just under the request size limit, so the rule, not the edge, answers
ZERO_WIDTH = "\u200b\u200b"


def door(user):
    client = Client()
    client.force_login(user, backend="dangol.accounts.backends.PhoneCodeBackend")
    return client


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.mark.parametrize("field", ["title", "story", "beneficiary"])
def test_a_megabyte_of_text_in_a_proposal_is_a_field_error_and_writes_nothing(rules, customer, field):
    response = post_json(door(customer), f"{API}/proposals", {**PROPOSAL, field: MEGABYTE})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert "자까지 쓸 수 있습니다" in response.json()["errors"][field][0]
    assert not Proposal.objects.exists()


def test_the_api_refuses_a_beneficiary_the_form_refuses(rules, customer):
    response = post_json(door(customer), f"{API}/proposals", {**PROPOSAL, "beneficiary": "가" * 101})
    assert response.status_code == 400
    assert response.json()["errors"]["beneficiary"] == ["수혜 단체는 100자까지 쓸 수 있습니다."]
    assert not Proposal.objects.exists()


def test_a_title_of_zero_width_spaces_is_refused_on_the_page_and_the_api(rules, customer):
    api = post_json(door(customer), f"{API}/proposals", {**PROPOSAL, "title": ZERO_WIDTH})
    assert api.status_code == 400
    assert api.json()["errors"] == {"title": ["제목을 적어 주세요."]}
    page = door(customer).post(reverse("together:propose"), {**PROPOSAL, "title": ZERO_WIDTH})
    assert page.status_code == 200
    assert "제목을 적어 주세요." in page.content.decode()
    assert not Proposal.objects.exists()


def test_the_visible_text_is_what_is_kept(rules, customer):
    response = post_json(door(customer), f"{API}/proposals", {**PROPOSAL, "title": "\u200b 경로당 난방비 \u3164"})
    assert response.status_code == 201
    assert Proposal.objects.get().title == "경로당 난방비"


def test_the_receipt_prints_the_longest_beneficiary_a_proposal_may_have(rules, make_proposal, reviewer, signed_in):
    proposal = make_proposal(beneficiary="가" * 100, title="나" * 80)
    box = in_review(proposal).approve(by=reviewer, notes=NOTES)
    donor = neighbour(1, name="이" * 50)
    donation = give(box, donor, 10000)
    response = signed_in(donor).get(reverse("together:donation_receipt", args=[donation.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_a_comment_of_invisible_characters_or_too_long_writes_nothing(box, stranger):
    url = f"{API}/boxes/{box.public_id}/comments"
    blank = post_json(door(stranger), url, {"body": ZERO_WIDTH})
    assert (blank.status_code, blank.json()["errors"]) == (400, {"body": ["댓글 내용을 적어 주세요."]})
    long = post_json(door(stranger), url, {"body": "가" * 501})
    assert (long.status_code, list(long.json()["errors"])) == (400, ["body"])
    page = door(stranger).post(reverse("together:comment", args=[box.public_id]), {"body": ZERO_WIDTH})
    assert page.status_code == 302
    assert not Comment.objects.exists()


def test_a_cheer_message_over_the_limit_starts_no_payment(box, stranger):
    response = post_json(
        door(stranger), f"{API}/boxes/{box.public_id}/donations", {"amount": 10000, "message": "가" * 301}
    )
    assert (response.status_code, list(response.json()["errors"])) == (400, ["message"])
    assert not Donation.objects.exists() and not Payment.objects.exists()


@pytest.mark.parametrize("amount", [999, 10_000_001, True])
def test_a_gift_outside_the_limits_starts_no_payment(box, stranger, amount):
    response = post_json(door(stranger), f"{API}/boxes/{box.public_id}/donations", {"amount": amount})
    assert response.status_code in (400, 422)
    assert not Donation.objects.exists() and not Payment.objects.exists()


def test_a_report_with_a_long_detail_is_refused_not_cut(proposal, stranger):
    url = f"{API}/proposals/{proposal.public_id}/reports"
    response = post_json(door(stranger), url, {"reason": "spam", "detail": "가" * 501})
    assert (response.status_code, list(response.json()["errors"])) == (400, ["detail"])
    assert not Report.objects.exists()
    assert post_json(door(stranger), url, {"reason": "spam", "detail": "가" * 500}).status_code == 201


def test_review_notes_and_reasons_have_a_limit(proposal, reviewer):
    in_review(proposal)
    too_long = post_json(
        door(reviewer), f"{API}/proposals/{proposal.public_id}/approve", {**NOTES, "credibility": "가" * 2001}
    )
    assert (too_long.status_code, list(too_long.json()["errors"])) == (400, ["credibility"])
    blank = post_json(door(reviewer), f"{API}/proposals/{proposal.public_id}/reject", {"reason": ZERO_WIDTH})
    assert (blank.status_code, list(blank.json()["errors"])) == (400, ["reason"])
    proposal.refresh_from_db()
    assert proposal.status == "review"
    assert not Fundraiser.objects.exists()


@pytest.fixture
def paid_out(box, reviewer):
    give(box, neighbour(1), 30000)
    Fundraiser.objects.filter(pk=box.pk).update(ends_at=timezone.now())
    box.refresh_from_db()
    PayoutPlan.submit(box=box, by=box.proposal.proposer, body="소화기를 삽니다.").decide(by=reviewer, approve=True)
    Payout.record(box=box, by=reviewer)
    box.refresh_from_db()
    return box


def test_an_expense_is_refused_rather_than_cut_or_overflowing(paid_out):
    report, team = paid_out.usage_report, paid_out.proposal.proposer
    with pytest.raises(ValidationError) as long:
        report.add_expense(by=team, description="가" * 201, amount=1000, receipt=png())
    assert list(long.value.message_dict) == ["description"]
    with pytest.raises(ValidationError) as huge:
        report.add_expense(by=team, description="소화기", amount=10**19, receipt=png())
    assert list(huge.value.message_dict) == ["amount"]
    with pytest.raises(ValidationError) as blank:
        report.submit(by=team, body=ZERO_WIDTH)
    assert list(blank.value.message_dict) == ["body"]
    assert not report.expenses.exists()


def test_plan_and_payout_notes_are_refused_rather_than_cut(box, reviewer):
    give(box, neighbour(1), 30000)
    Fundraiser.objects.filter(pk=box.pk).update(ends_at=timezone.now())
    box.refresh_from_db()
    with pytest.raises(ValidationError):
        PayoutPlan.submit(box=box, by=box.proposal.proposer, body="가" * 5001)
    plan = PayoutPlan.submit(box=box, by=box.proposal.proposer, body="소화기를 삽니다.")
    with pytest.raises(ValidationError):
        plan.decide(by=reviewer, approve=False, note=ZERO_WIDTH)
    plan.decide(by=reviewer, approve=True)
    with pytest.raises(ValidationError):
        Payout.record(box=box, by=reviewer, note="가" * 201)
    assert not Payout.objects.exists()


def test_receipts_count_as_photos(paid_out, settings):
    settings.TOGETHER_PHOTOS_PER_DAY = 1
    report, team = paid_out.usage_report, paid_out.proposal.proposer
    report.add_expense(by=team, description="소화기", amount=1000, receipt=png())
    with pytest.raises(Refused, match="사진은 하루에 1장까지") as refused:
        report.add_expense(by=team, description="경보기", amount=1000, receipt=png())
    assert (refused.value.status, refused.value.field) == (429, "receipt")
    assert report.expenses.count() == 1
