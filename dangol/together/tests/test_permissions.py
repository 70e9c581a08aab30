"""Every object URL of Together and payments, tried by the wrong people."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dangol.together.models import Comment, Fundraiser, Moderation, Payout, PayoutPlan
from dangol.together.services import donation_start

from .conftest import give, png


@pytest.fixture
def world(box, stranger, reviewer):
    """A box with a paid donation, a pending one, a comment, and a closed twin with a draft usage report."""
    donor = stranger
    paid = give(box, donor, 10000)
    pending = donation_start(box=box, donor=donor, amount=5000)
    comment = box.post_comment(user=donor, body="힘내세요")
    return {"box": box, "donor": donor, "paid": paid, "pending": pending, "comment": comment}


def _urls(world):
    box, paid, pending, comment = world["box"], world["paid"], world["pending"], world["comment"]
    proposal = box.proposal
    return {
        # (method, url): who may use it besides staff where noted
        "review": ("get", reverse("together:review", args=[proposal.public_id])),
        "review_queue": ("get", reverse("together:review_queue")),
        "moderation": ("get", reverse("together:moderation")),
        "extend": ("post", reverse("together:extend", args=[box.public_id])),
        "plan": ("post", reverse("together:plan", args=[box.public_id])),
        "payout": ("post", reverse("together:payout", args=[box.public_id])),
        "donation": ("get", reverse("together:donation", args=[paid.public_id])),
        "donation_paid": ("get", reverse("together:donation_paid", args=[pending.public_id])),
        "donation_failed": ("get", reverse("together:donation_failed", args=[pending.public_id])),
        "donation_cancel": ("post", reverse("together:donation_cancel", args=[paid.public_id])),
        "donation_refund": ("post", reverse("together:donation_refund", args=[paid.public_id])),
        "donation_receipt": ("get", reverse("together:donation_receipt", args=[paid.public_id])),
        "checkout": ("post", reverse("payments:test_checkout", args=[pending.payment.order_id])),
        "comment_report": ("get", reverse("together:comment_report", args=[comment.public_id])),
    }


LOGIN_ONLY = {"comment_report"}  # any signed-in neighbour may report


def test_anonymous_visitors_are_sent_to_sign_in_everywhere_private(client, world):
    extra = {
        "propose": reverse("together:propose"),
        "mine": reverse("together:mine"),
        "agree": reverse("together:agree", args=[world["box"].proposal.public_id]),
        "donate": reverse("together:donate", args=[world["box"].public_id]),
        "participate": reverse("together:participate", args=[world["box"].public_id]),
        "comment": reverse("together:comment", args=[world["box"].public_id]),
        "proposal_report": reverse("together:proposal_report", args=[world["box"].proposal.public_id]),
    }
    urls = {name: url for name, (_m, url) in _urls(world).items()} | extra
    for name, url in urls.items():
        response = client.post(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/sign-in/"), name


@pytest.mark.parametrize("who", ["customer", "other_merchant", "reviewer"])
def test_signed_in_strangers_get_404_and_change_nothing(request, client, signed_in, world, who, customer, reviewer):
    user = {"customer": None, "other_merchant": request.getfixturevalue("other_merchant"), "reviewer": reviewer}[who]
    denied = set(_urls(world)) - LOGIN_ONLY
    if who == "customer":
        # The customer proposed this box: team pages are theirs, money and review pages are not.
        user = customer
        denied -= {"extend", "plan"}
        denied.add("review")
    if who == "reviewer":
        denied -= {"review", "review_queue", "extend", "plan", "payout"}
    api = signed_in(user)
    for name, (method, url) in _urls(world).items():
        if name not in denied:
            continue
        response = getattr(api, method)(url, {"amount": "1", "reason": "x", "action": "pay", "body": "x"})
        assert response.status_code == 404, (who, name)
    world["paid"].refresh_from_db()
    world["pending"].refresh_from_db()
    assert (world["paid"].status, world["pending"].status) == ("paid", "pending")
    assert world["paid"].refunded_amount == 0


def test_the_donor_and_staff_see_the_donation(signed_in, world, moderator, client):
    url = reverse("together:donation", args=[world["paid"].public_id])
    assert signed_in(world["donor"]).get(url).status_code == 200
    client.logout()
    page = signed_in(moderator).get(url).content.decode()
    assert "운영진: 환불" in page


def test_team_only_pages_after_the_payout(client, signed_in, world, reviewer, stranger, customer):
    box = world["box"]
    Fundraiser.objects.filter(pk=box.pk).update(ends_at=timezone.now() - dt.timedelta(seconds=1))
    Fundraiser.objects.close_due()
    world["pending"].payment.mark_failed(code="X", message="x")
    world["pending"].cancel_unpaid()
    PayoutPlan.submit(box=box, by=customer, body="계획").decide(by=reviewer, approve=True)
    Payout.record(box=box, by=reviewer)
    box.refresh_from_db()
    expense = box.usage_report.add_expense(by=customer, description="쌀", amount=100, receipt=png())
    report_url = reverse("together:usage_report", args=[box.public_id])
    delete_url = reverse("together:expense_delete", args=[box.public_id, expense.public_id])
    for user in (stranger, reviewer):
        assert signed_in(user).get(report_url).status_code == 404
        assert signed_in(user).post(delete_url).status_code == 404
    client.logout()
    assert client.get(report_url).status_code == 404
    assert client.post(delete_url)["Location"].startswith("/accounts/sign-in/")
    assert box.usage_report.expenses.count() == 1
    assert signed_in(customer).post(delete_url).status_code == 302
    assert box.usage_report.expenses.count() == 0


def test_a_hidden_comment_cannot_be_reported_again(signed_in, world, stranger):
    Comment.objects.filter(pk=world["comment"].pk).update(moderation=Moderation.HIDDEN)
    assert (
        signed_in(stranger).get(reverse("together:comment_report", args=[world["comment"].public_id])).status_code
        == 404
    )


def test_my_page_lists_only_my_things(signed_in, world, customer):
    page = signed_in(customer).get(reverse("together:mine")).content.decode()
    assert world["box"].proposal.title in page  # customer proposed it
    assert "10,000원" not in page  # but did not give
    page = signed_in(world["donor"]).get(reverse("together:mine")).content.decode()
    assert "10,000원" in page
