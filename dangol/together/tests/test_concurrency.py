"""Exactly-once under real concurrency, on PostgreSQL: many threads, one barrier, real row locks."""

import random

import pytest
from django.db.models import Sum

from dangol.ledger.models import Entry
from dangol.lib.testing import run_pool, run_together
from dangol.payments.models import Payment
from dangol.payments.providers import TestProvider
from dangol.together.models import (
    Agreement,
    AlreadyDone,
    Comment,
    Donation,
    DonationStatus,
    EventKind,
    Fundraiser,
    Participation,
    Proposal,
    ProposalImage,
    ProposalStatus,
    Refused,
    Rules,
    Sponsor,
)
from dangol.together.services import TryLater, donation_confirm

from .conftest import NOTES, in_review, neighbours, png

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
WORKERS = 32


def run_concurrently(tasks, work, workers=WORKERS):
    """Split `tasks` over `workers` threads that start together; return every outcome."""
    return [outcome for _task, outcome in run_pool(workers, tasks, work)]


def _proposal(proposer, threshold):
    rules = Rules.current()
    rules.agreement_threshold = threshold
    rules.save()
    return Proposal.propose(
        proposer=proposer,
        title="시장 화재 복구",
        story="불이 났습니다.",
        beneficiary="시험시장 상인회",
        goal=10_000_000,
        period_days=30,
        category="disaster",
    )


def test_a_thousand_agreements_at_once_open_review_exactly_once_and_count_exactly(postgres, customer):
    proposal = _proposal(customer, threshold=500)
    people = neighbours(1000)
    repeats = people[:100]  # a hundred of them press the button twice
    tasks = people + repeats
    random.Random(4).shuffle(tasks)

    def agree(user):
        Proposal.objects.get(pk=proposal.pk).agree(user=user)
        return "ok"

    outcomes = run_concurrently(tasks, agree)
    assert outcomes.count("ok") == 1000
    assert sum(isinstance(o, AlreadyDone) for o in outcomes) == 100
    assert [o for o in outcomes if o != "ok" and not isinstance(o, AlreadyDone)] == []
    proposal.refresh_from_db()
    assert proposal.agreement_count == Agreement.objects.filter(proposal=proposal).count() == 1000
    assert proposal.status == ProposalStatus.REVIEW
    assert proposal.events.filter(kind=EventKind.REVIEW_OPENED).count() == 1


def test_agreements_that_exactly_reach_the_threshold_open_review_once(postgres, customer):
    proposal = _proposal(customer, threshold=300)
    outcomes = run_concurrently(neighbours(300), lambda u: Proposal.objects.get(pk=proposal.pk).agree(user=u) and "ok")
    assert outcomes.count("ok") == 300
    proposal.refresh_from_db()
    assert (proposal.status, proposal.agreement_count) == (ProposalStatus.REVIEW, 300)
    assert proposal.events.filter(kind=EventKind.REVIEW_OPENED).count() == 1


@pytest.fixture
def open_box(postgres, customer, reviewer):
    proposal = in_review(_proposal(customer, threshold=1))
    return proposal.approve(by=reviewer, notes=NOTES)


def _pending_donations(box, count):
    donors = neighbours(100, start=5000)
    amounts = [1000 * (1 + n % 50) for n in range(count)]
    payments = Payment.objects.bulk_create(
        [
            Payment(
                amount=a, order_name="기부", provider="test", success_url="/", fail_url="/", customer=donors[n % 100]
            )
            for n, a in enumerate(amounts)
        ]
    )
    donations = Donation.objects.bulk_create(
        [Donation(box=box, donor=p.customer, amount=p.amount, donor_label="이웃", payment=p) for p in payments]
    )
    return list(Donation.objects.filter(pk__in=[d.pk for d in donations]).select_related("payment")), sum(amounts)


def test_two_thousand_donations_at_once_give_an_exact_total(open_box):
    Sponsor.objects.create(box=open_box, name="함께재단", participation_amount=0, matching_cap=777_000)
    donations, expected = _pending_donations(open_box, 2000)
    tasks = donations + donations[:300]  # some donors come back from the checkout twice
    random.Random(7).shuffle(tasks)
    provider = TestProvider()

    def confirm(donation):
        key = provider.issue_key(order_id=donation.payment.order_id, amount=donation.amount)
        fresh = Donation.objects.select_related("box__proposal", "payment").get(pk=donation.pk)
        donation_confirm(donation=fresh, payment_key=key, order_id=donation.payment.order_id, amount=donation.amount)
        return "ok"

    outcomes = run_concurrently(tasks, confirm)
    unexpected = [o for o in outcomes if o != "ok" and not isinstance(o, TryLater)]
    assert unexpected == []
    assert Donation.objects.filter(status=DonationStatus.PAID).count() == 2000
    open_box.refresh_from_db()
    assert open_box.direct_total == expected
    ledger = Entry.objects.filter(book=open_box.book)
    assert ledger.filter(kind="donation").count() == 2000
    assert ledger.filter(kind="donation").aggregate(n=Sum("amount"))["n"] == expected
    assert open_box.matching_total == 777_000
    assert ledger.filter(kind="matching").aggregate(n=Sum("amount"))["n"] == 777_000
    assert Sponsor.objects.get().matching_given == 777_000
    assert Payment.objects.filter(status="paid").count() == 2000


def test_participation_gifts_never_pass_the_sponsors_cap(open_box):
    sponsor = Sponsor.objects.create(box=open_box, name="든든은행", participation_amount=100, participation_cap=30_000)
    people = neighbours(1000, start=9000)
    tasks = [(user, "cheer") for user in people] + [(user, "cheer") for user in people[:200]]
    random.Random(9).shuffle(tasks)

    def cheer(task):
        user, action = task
        return Fundraiser.objects.select_related("proposal").get(pk=open_box.pk).participate(user=user, action=action)

    outcomes = run_concurrently(tasks, cheer)
    assert sum(isinstance(o, AlreadyDone) for o in outcomes) == 200
    assert [o for o in outcomes if isinstance(o, Exception) and not isinstance(o, Refused)] == []
    sponsor.refresh_from_db()
    open_box.refresh_from_db()
    assert sponsor.participation_given == open_box.participation_total == 30_000
    assert Participation.objects.filter(box=open_box).count() == 1000
    assert Participation.objects.filter(box=open_box, amount=100).count() == 300
    ledger = Entry.objects.filter(book=open_box.book, kind="participation")
    assert ledger.aggregate(n=Sum("amount"))["n"] == 30_000


def test_ten_racing_proposals_by_one_person_make_exactly_three(postgres, customer, make_proposal, settings):
    settings.TOGETHER_PROPOSALS_PER_DAY = 3
    results = run_together(10, lambda i: make_proposal(title=f"제안 {i}"))
    made = [r for r in results if isinstance(r, Proposal)]
    refused = [r for r in results if isinstance(r, Refused)]
    assert (len(made), len(refused)) == (3, 7), results
    assert all(r.status == 429 for r in refused)
    assert Proposal.objects.filter(proposer=customer).count() == 3


def test_racing_uploads_stop_exactly_at_the_daily_photo_limit(postgres, customer, make_proposal, settings):
    settings.TOGETHER_PHOTOS_PER_DAY = 10
    results = run_together(8, lambda i: make_proposal(title=f"사진 {i}", images=[png(f"{i}a.png"), png(f"{i}b.png")]))
    assert sum(isinstance(r, Proposal) for r in results) == 5, results
    assert sum(isinstance(r, Refused) and r.field == "images" for r in results) == 3
    assert ProposalImage.objects.count() == 10
    assert Proposal.objects.count() == 5


def test_racing_agreements_by_one_person_stop_exactly_at_the_hourly_limit(postgres, customer, stranger):
    proposals = [_proposal(customer, threshold=500) for _n in range(20)]
    rules = Rules.current()
    rules.agreements_per_hour = 5
    rules.save()
    results = run_together(20, lambda i: Proposal.objects.get(pk=proposals[i].pk).agree(user=stranger))
    assert sum(isinstance(r, Agreement) for r in results) == 5, results
    assert sum(isinstance(r, Refused) and r.status == 429 for r in results) == 15
    assert Agreement.objects.filter(user=stranger).count() == 5


def test_racing_comments_by_one_person_stop_exactly_at_the_hourly_limit(postgres, customer, reviewer, stranger):
    box = in_review(_proposal(customer, threshold=500)).approve(by=reviewer, notes=NOTES)
    rules = Rules.current()
    rules.comments_per_hour = 3
    rules.save()
    results = run_together(
        20, lambda i: Fundraiser.objects.get(pk=box.pk).post_comment(user=stranger, body=f"응원 {i}")
    )
    assert sum(isinstance(r, Comment) for r in results) == 3, results
    assert Comment.objects.filter(author=stranger).count() == 3
