"""Together's and payments' pages that the site-wide English sweep does not walk (review, plan, payout,
usage report, moderation, donation, checkout...) read in English when English is chosen; what people
write into records (the public ledger, a comment's name) stays in Korean whoever writes it."""

import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from dangol.accounts.models import User
from dangol.ledger.models import Entry
from dangol.lib.english import in_english, korean_left
from dangol.payments.services import checkout_url
from dangol.together.models import Comment, Fundraiser, Payout, PayoutPlan, Sponsor
from dangol.together.services import donation_refund, donation_start, together_close_due

from .conftest import NOTES, give, in_review, neighbour, png


@pytest.fixture
def moderator_who_reviews(reviewer):
    reviewer.is_staff = True
    reviewer.save()
    return reviewer


@pytest.fixture
def together_world(rules, make_proposal, moderator_who_reviews, customer):
    """A proposal in review, an open box with sponsors, gifts and a comment, a closed box whose plan
    waits, and a paid-out box whose usage report is being written; one proposal and one comment hidden."""
    reviewer = moderator_who_reviews
    rules.reports_to_hide = 1
    rules.save()
    waiting = in_review(make_proposal(title="경로당 보일러"))
    box = in_review(make_proposal(title="시장 골목 화재 예방")).approve(by=reviewer, notes=NOTES)
    Sponsor.objects.create(box=box, name="든든은행", participation_amount=100, participation_cap=1000)
    Sponsor.objects.create(box=box, name="함께재단", participation_amount=0, matching_cap=5000)
    donor = neighbour(1, name="김이웃")
    gift = give(box, donor, 20000, message="힘내세요")
    donation_refund(donation=gift, amount=5000, reason="일부 취소", by=reviewer)
    box.participate(user=donor, action="cheer")
    box.post_comment(user=neighbour(2), body="응원합니다")
    hidden_comment = box.post_comment(user=neighbour(3), body="광고 글")
    hidden_comment.report(by=donor, reason="spam")
    make_proposal(title="수상한 제안").report(by=donor, reason="false", detail="사실과 다릅니다")

    closed = in_review(make_proposal(title="장바구니 수레 나눔")).approve(by=reviewer, notes=NOTES)
    give(closed, donor, 30000)
    Fundraiser.objects.filter(pk=closed.pk).update(ends_at=timezone.now())
    paid = in_review(make_proposal(title="전통시장 쉼터")).approve(by=reviewer, notes=NOTES)
    give(paid, donor, 40000)
    Fundraiser.objects.filter(pk=paid.pk).update(ends_at=timezone.now())
    together_close_due()
    PayoutPlan.submit(box=closed, by=customer, body="수레 10대를 삽니다.")
    PayoutPlan.submit(box=paid, by=customer, body="의자를 삽니다.").decide(by=reviewer, approve=True)
    Payout.record(box=paid, by=reviewer)
    paid.refresh_from_db()
    paid.usage_report.add_expense(by=customer, description="의자 네 개", amount=10000, receipt=png())
    pending = donation_start(box=box, donor=donor, amount=5000, provider="test")
    return {
        "waiting": waiting,
        "box": box,
        "closed": closed,
        "paid": paid,
        "gift": gift,
        "pending": pending,
        "donor": donor,
        "reviewer": reviewer,
        "comment": Comment.objects.filter(body="응원합니다").get(),
    }


def test_together_pages_outside_the_site_sweep_are_english(together_world, signed_in, customer):
    w = together_world
    box, closed, paid = w["box"], w["closed"], w["paid"]
    pages = [
        (customer, reverse("together:propose")),
        (customer, reverse("together:mine")),
        (customer, box.get_absolute_url()),
        (customer, reverse("together:extend", args=[box.public_id])),
        (customer, closed.get_absolute_url()),
        (customer, reverse("together:plan", args=[closed.public_id])),
        (customer, paid.get_absolute_url()),
        (customer, reverse("together:usage_report", args=[paid.public_id])),
        (w["donor"], reverse("together:mine")),
        (w["donor"], reverse("together:donate", args=[box.public_id])),
        (w["donor"], w["gift"].get_absolute_url()),
        (w["donor"], w["pending"].get_absolute_url()),
        (w["donor"], checkout_url(w["pending"].payment)),
        (w["donor"], reverse("together:proposal_report", args=[w["waiting"].public_id])),
        (w["donor"], reverse("together:comment_report", args=[w["comment"].public_id])),
        (w["reviewer"], reverse("together:review_queue")),
        (w["reviewer"], reverse("together:review", args=[w["waiting"].public_id])),
        (w["reviewer"], w["waiting"].get_absolute_url()),
        (w["reviewer"], reverse("together:plan", args=[closed.public_id])),
        (w["reviewer"], paid.get_absolute_url()),
        (w["reviewer"], reverse("together:moderation")),
        (w["reviewer"], w["gift"].get_absolute_url()),
    ]
    found = {}
    for user, url in pages:
        response = in_english(signed_in(user)).get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert 'lang="en"' in html, url
        left = korean_left(html)
        if left:
            found[url] = left
    assert not found, found


def test_forms_and_refusals_answer_in_english(together_world, signed_in):
    donor, box = together_world["donor"], together_world["box"]
    client = in_english(signed_in(donor))
    gifts = donor.together_donations.count()
    page = client.post(reverse("together:donate", args=[box.public_id]), {"amount": "500"})
    assert "The smallest donation is 1,000 won." in page.content.decode()
    assert donor.together_donations.count() == gifts
    text = client.post(reverse("together:propose"), {"title": "", "goal": "5"}).content.decode()
    assert "This field is required." in text and "You can choose up to 90 days" in text
    assert not korean_left(text)
    answer = client.post(reverse("together:participate", args=[box.public_id]), {"action": "cheer"})
    assert "You have already done this (Cheer)." in client.get(answer.url).content.decode()


def test_the_receipt_is_english_when_english_is_chosen(together_world, signed_in):
    donation = together_world["gift"]
    response = in_english(signed_in(together_world["donor"])).get(
        reverse("together:donation_receipt", args=[donation.public_id])
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).replace("\x00", "")
    assert "Donation receipt" in text and "20,000 won" in text and "Refunded" in text
    assert not korean_left(text), text


def test_what_someone_reading_english_writes_into_records_stays_korean(box, stranger, customer, signed_in):
    Sponsor.objects.create(box=box, name="든든은행", participation_amount=100, participation_cap=1000)
    with translation.override("en"):
        give(box, stranger, 10000, anonymous=True, message="힘내세요")
        box.participate(user=stranger, action="cheer")
        box.post_comment(user=User.objects.create_user("+821077770001"), body="응원합니다")
    memos = Entry.objects.filter(book=box.book).order_by("seq").values_list("memo", flat=True)
    assert list(memos) == ["직접 기부", "참여 기부 · 응원", "참여 기부 · 댓글"]
    assert sorted(Comment.objects.values_list("author_label", flat=True)) == ["이웃", "익명"]
    page = in_english(signed_in(customer)).get(box.get_absolute_url()).content.decode()
    assert "Direct donation" in page and "Participation gift · Cheer" in page and "Anonymous" in page
    korean = signed_in(customer)
    korean.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    assert "참여 기부 · 응원" in korean.get(box.get_absolute_url()).content.decode()
