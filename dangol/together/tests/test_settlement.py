import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from dangol.ledger.models import Entry
from dangol.together.models import BoxStatus, Fundraiser, Payout, PayoutPlan, PlanStatus, Refused, Rules
from dangol.together.services import donation_start, together_close_due

from .conftest import give, neighbour, png


@pytest.fixture
def closed(box):
    give(box, neighbour(1), 30000)
    give(box, neighbour(2), 20000)
    Fundraiser.objects.filter(pk=box.pk).update(ends_at=timezone.now())
    box.refresh_from_db()
    assert together_close_due()["boxes_closed"] == 1
    box.refresh_from_db()
    return box


@pytest.fixture
def paid_out(closed, reviewer):
    PayoutPlan.submit(box=closed, by=closed.proposal.proposer, body="소화기 40대를 삽니다.").decide(
        by=reviewer, approve=True
    )
    Payout.record(box=closed, by=reviewer)
    closed.refresh_from_db()
    return closed


def test_extending_moves_only_the_end_date(signed_in, box):
    old_end, goal = box.ends_at, box.goal
    response = signed_in(box.proposal.proposer).post(
        reverse("together:extend", args=[box.public_id]),
        {"last_day": (old_end + dt.timedelta(days=5)).date().isoformat()},
    )
    assert response.status_code == 302
    box.refresh_from_db()
    assert box.ends_at == old_end + dt.timedelta(days=6)
    assert box.goal == goal


def test_extending_is_refused_past_ninety_days_or_after_closing(signed_in, box):
    url = reverse("together:extend", args=[box.public_id])
    client = signed_in(box.proposal.proposer)
    far = (box.starts_at + dt.timedelta(days=100)).date().isoformat()
    assert "90일을 넘길 수 없습니다" in client.post(url, {"last_day": far}).content.decode()
    earlier = (box.ends_at - dt.timedelta(days=3)).date().isoformat()
    assert "뒤의 날짜를" in client.post(url, {"last_day": earlier}).content.decode()
    with time_machine.travel(box.ends_at + dt.timedelta(hours=1), tick=False):
        # Signed in again then: a box ends at the end of a Seoul day, so just after midnight in Seoul an hour past
        # its end is more than a session's 30 days from now (the test failed at 00:10 Seoul time).
        client = signed_in(box.proposal.proposer)
        later = (box.ends_at + dt.timedelta(days=3)).date().isoformat()
        assert "이미 끝난 모금함은 연장할 수 없습니다" in client.post(url, {"last_day": later}).content.decode()


def test_only_the_team_or_a_reviewer_extends(client, signed_in, box, stranger, customer, reviewer):
    url = reverse("together:extend", args=[box.public_id])
    assert signed_in(stranger).get(url).status_code == 404
    assert signed_in(reviewer).get(url).status_code == 200
    assert signed_in(customer).get(url).status_code == 200  # customer proposed it
    client.logout()
    assert client.get(url)["Location"].startswith("/accounts/sign-in/")


def test_the_team_submits_a_plan_after_closing_and_a_reviewer_approves(signed_in, closed, reviewer, client):
    url = reverse("together:plan", args=[closed.public_id])
    team = signed_in(closed.proposal.proposer)
    assert team.post(url, {"body": "소화기 40대와 경보기 20대를 삽니다."}).status_code == 302
    client.logout()
    page = signed_in(reviewer).get(url).content.decode()
    assert "소화기 40대와 경보기 20대" in page
    response = signed_in(reviewer).post(url, {"decision": "return", "note": ""})
    assert "보완할 점을 적어 주세요" in response.content.decode()
    signed_in(reviewer).post(url, {"decision": "approve", "note": ""})
    assert PayoutPlan.objects.get().status == PlanStatus.APPROVED


def test_no_plan_while_the_box_is_open(box):
    with pytest.raises(Refused, match="모금이 끝난 뒤에"):
        PayoutPlan.submit(box=box, by=box.proposal.proposer, body="계획")


def test_plan_and_payout_pages_refuse_the_wrong_people(client, signed_in, closed, stranger, reviewer):
    PayoutPlan.submit(box=closed, by=closed.proposal.proposer, body="계획")
    plan_url = reverse("together:plan", args=[closed.public_id])
    payout_url = reverse("together:payout", args=[closed.public_id])
    assert signed_in(stranger).get(plan_url).status_code == 404
    assert signed_in(stranger).post(plan_url, {"decision": "approve"}).status_code == 404
    assert signed_in(stranger).post(payout_url).status_code == 404
    client.logout()
    team = signed_in(closed.proposal.proposer)
    assert team.post(payout_url).status_code == 404  # the team never records its own payout
    assert team.post(plan_url, {"decision": "approve"}).status_code == 200  # their page is the plan form
    assert PayoutPlan.objects.get().status == PlanStatus.SUBMITTED
    client.logout()
    assert client.get(payout_url)["Location"].startswith("/accounts/sign-in/")


def test_the_payout_needs_an_approved_plan_and_is_recorded_once(closed, reviewer):
    with pytest.raises(Refused, match="집행 계획이 승인된 뒤에"):
        Payout.record(box=closed, by=reviewer)
    PayoutPlan.submit(box=closed, by=closed.proposal.proposer, body="계획").decide(by=reviewer, approve=True)
    payout = Payout.record(box=closed, by=reviewer)
    assert payout.amount == 50000
    with pytest.raises(Refused):
        Payout.record(box=closed, by=reviewer)
    closed.refresh_from_db()
    assert closed.status == BoxStatus.PAID_OUT
    assert list(Entry.objects.filter(book=closed.book, kind="payout").values_list("amount", flat=True)) == [-50000]
    assert list(Entry.objects.filter(book=closed.usage_book).values_list("amount", flat=True)) == [50000]


def test_the_payout_waits_for_a_payment_still_in_progress(closed, reviewer):
    PayoutPlan.submit(box=closed, by=closed.proposal.proposer, body="계획").decide(by=reviewer, approve=True)
    Fundraiser.objects.filter(pk=closed.pk).update(status=BoxStatus.OPEN, ends_at=closed.ends_at + dt.timedelta(days=1))
    closed.refresh_from_db()
    donation_start(box=closed, donor=neighbour(9), amount=5000)
    Fundraiser.objects.filter(pk=closed.pk).update(status=BoxStatus.CLOSED, ends_at=closed.starts_at)
    with pytest.raises(Refused, match="처리 중인 기부"):
        Payout.record(box=closed, by=reviewer)


def test_the_usage_report_must_add_up_to_the_payout(signed_in, paid_out):
    url = reverse("together:usage_report", args=[paid_out.public_id])
    team = signed_in(paid_out.proposal.proposer)
    team.post(url, {"add_expense": "1", "description": "소화기 40대", "amount": "40000", "receipt": png()})
    page = team.post(url, {"submit_report": "1", "body": "소화기를 설치했습니다."}).content.decode()
    assert "지출 합계 40,000원이 전달받은 금액 50,000원과 다릅니다" in page
    response = team.post(url, {"add_expense": "1", "description": "경보기 2대", "amount": "10000"})
    assert "필수 항목" in response.content.decode()  # a receipt is required
    team.post(url, {"add_expense": "1", "description": "경보기 2대", "amount": "10000", "receipt": png("r.png")})
    team.post(url, {"submit_report": "1", "body": "소화기를 설치했습니다."})
    paid_out.refresh_from_db()
    assert paid_out.status == BoxStatus.REPORTED
    usage = list(Entry.objects.filter(book=paid_out.usage_book).values_list("kind", "amount", "memo"))
    assert usage == [
        ("payout", 50000, "전달받은 모금액"),
        ("expense", -40000, "소화기 40대"),
        ("expense", -10000, "경보기 2대"),
    ]
    assert sum(amount for _kind, amount, _memo in usage) == 0


def test_a_submitted_report_is_public_and_final(client, signed_in, paid_out):
    report = paid_out.usage_report
    report.add_expense(by=paid_out.proposal.proposer, description="소화기", amount=50000, receipt=png())
    url = reverse("together:usage_report", args=[paid_out.public_id])
    assert client.get(url).status_code == 404  # drafts are the team's
    report.submit(by=paid_out.proposal.proposer, body="설치를 마쳤습니다.")
    page = client.get(url).content.decode()
    assert "설치를 마쳤습니다." in page
    assert "50,000원" in page
    with pytest.raises(Refused, match="이미 제출한"):
        report.add_expense(by=paid_out.proposal.proposer, description="더", amount=1, receipt=png())


def test_only_the_team_edits_the_report(signed_in, paid_out, stranger, reviewer):
    url = reverse("together:usage_report", args=[paid_out.public_id])
    for user in (stranger, reviewer):
        assert signed_in(user).get(url).status_code == 404
        assert signed_in(user).post(url, {"add_expense": "1", "description": "x", "amount": "1"}).status_code == 404
    expense = paid_out.usage_report.add_expense(
        by=paid_out.proposal.proposer, description="소화기", amount=1, receipt=png()
    )
    delete = reverse("together:expense_delete", args=[paid_out.public_id, expense.public_id])
    assert signed_in(stranger).post(delete).status_code == 404
    assert paid_out.usage_report.expenses.count() == 1
    with pytest.raises(ValidationError):
        paid_out.usage_report.add_expense(by=paid_out.proposal.proposer, description="", amount=0, receipt=None)


def test_an_overdue_report_is_shown_on_the_box(client, closed, reviewer):
    rules = Rules.current()
    rules.usage_report_days = 30
    rules.save()
    PayoutPlan.submit(box=closed, by=closed.proposal.proposer, body="계획").decide(by=reviewer, approve=True)
    with time_machine.travel("2026-06-01 10:00 +0900", tick=False):
        Payout.record(box=closed, by=reviewer)
    with time_machine.travel("2026-07-01 09:00 +0900", tick=False):
        assert "지났습니다" not in client.get(closed.get_absolute_url()).content.decode()
    with time_machine.travel("2026-07-01 10:00:01 +0900", tick=False):
        page = client.get(closed.get_absolute_url()).content.decode()
        assert "모금후기 제출 기한(2026년 7월 1일)이 지났습니다" in page
        assert "모금후기 기한 지남" in client.get(reverse("together:index")).content.decode()
