import io
from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from dangol.ledger.models import Entry
from dangol.payments.models import Status as PaymentStatus
from dangol.payments.tests.fake_toss import SECRET_KEY, FakeToss
from dangol.together.models import BoxStatus, Comment, Donation, DonationStatus, Fundraiser, Refused
from dangol.together.services import donation_confirm, donation_refund, donation_start

from .conftest import give, neighbour


def _donate_on_the_web(client, box, data):
    """Fill in the form, pay on the test provider's page, follow it back."""
    response = client.post(reverse("together:donate", args=[box.public_id]), data)
    assert response.status_code == 302, response.content.decode()
    checkout = response["Location"]
    assert checkout.startswith("/pay/test/")
    back = client.post(checkout, {"action": "pay"})["Location"]
    return back, client.get(back, follow=True)


def test_a_neighbour_donates_through_the_test_provider(signed_in, box, stranger):
    stranger.name = "김이웃"
    stranger.save()
    client = signed_in(stranger)
    _back, page = _donate_on_the_web(client, box, {"amount": "10000", "message": "힘내세요!"})
    assert "기부해 주셔서 고맙습니다!" in page.content.decode()
    donation = Donation.objects.get()
    assert (donation.status, donation.amount, donation.donor) == (DonationStatus.PAID, 10000, stranger)
    assert donation.payment.status == PaymentStatus.PAID
    box.refresh_from_db()
    assert (box.direct_total, box.total) == (10000, 10000)
    entry = Entry.objects.get(book=box.book)
    assert (entry.kind, entry.amount, entry.reference) == ("donation", 10000, f"donation:{donation.public_id}")
    assert "김이웃" not in entry.memo and stranger.phone not in entry.memo
    box_page = client.get(box.get_absolute_url()).content.decode()
    assert "10,000원" in box_page
    assert "김이웃" in box_page
    assert "힘내세요!" in box_page
    assert "직접 기부" in box_page


def test_an_anonymous_gift_shows_no_name(signed_in, box, stranger, client):
    stranger.name = "김이웃"
    stranger.save()
    _donate_on_the_web(signed_in(stranger), box, {"amount": "5000", "anonymous": "on", "message": "응원해요"})
    client.logout()
    page = client.get(box.get_absolute_url()).content.decode()
    assert "익명" in page
    assert "김이웃" not in page
    assert Comment.objects.get().author_label == "익명"


def test_a_tampered_amount_on_the_way_back_credits_nothing(signed_in, box, stranger):
    client = signed_in(stranger)
    response = client.post(reverse("together:donate", args=[box.public_id]), {"amount": "50000"})
    back = client.post(response["Location"], {"action": "pay"})["Location"]
    tampered = back.replace("amount=50000", "amount=1000")
    page = client.get(tampered, follow=True).content.decode()
    assert "결제 금액이나 주문 번호가 주문과 다릅니다" in page
    box.refresh_from_db()
    assert box.total == 0
    assert not Entry.objects.filter(book=box.book).exists()
    assert Donation.objects.get().status == DonationStatus.PENDING


def test_only_the_donor_can_complete_or_see_a_donation(signed_in, box, stranger, customer, client):
    donor = signed_in(stranger)
    response = donor.post(reverse("together:donate", args=[box.public_id]), {"amount": "10000"})
    back = donor.post(response["Location"], {"action": "pay"})["Location"]
    client.logout()
    other = signed_in(customer)
    assert other.get(back).status_code == 404
    donation = Donation.objects.get()
    for name in ("donation", "donation_receipt", "donation_failed"):
        assert other.get(reverse(f"together:{name}", args=[donation.public_id])).status_code == 404
    assert other.post(reverse("together:donation_cancel", args=[donation.public_id])).status_code == 404
    assert other.post(reverse("together:donation_refund", args=[donation.public_id]), {"amount": 1}).status_code == 404
    assert other.get(response["Location"]).status_code == 404  # the checkout page
    assert Donation.objects.get().status == DonationStatus.PENDING


def test_closing_the_payment_window_records_nothing(signed_in, box, stranger):
    client = signed_in(stranger)
    response = client.post(reverse("together:donate", args=[box.public_id]), {"amount": "10000"})
    page = client.post(response["Location"], {"action": "cancel"}, follow=True).content.decode()
    assert "결제하지 않았습니다" in page
    donation = Donation.objects.get()
    assert donation.status == DonationStatus.CANCELED
    assert donation.payment.status == PaymentStatus.CANCELED
    box.refresh_from_db()
    assert box.total == 0


@pytest.mark.parametrize(
    ("amount", "message"), [("500", "1,000원부터"), ("10000001", "10,000,000원까지"), ("만원", "숫자로")]
)
def test_bad_amounts_are_explained(signed_in, box, stranger, amount, message):
    response = signed_in(stranger).post(reverse("together:donate", args=[box.public_id]), {"amount": amount})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Donation.objects.exists()


def test_donating_needs_sign_in(client, box):
    response = client.post(reverse("together:donate", args=[box.public_id]), {"amount": "10000"})
    assert response["Location"].startswith("/accounts/sign-in/")


def test_a_closed_box_takes_no_donations(signed_in, box, stranger):
    with time_machine.travel(box.ends_at, tick=False):
        response = signed_in(stranger).post(reverse("together:donate", args=[box.public_id]), {"amount": "10000"})
        assert "모금이 끝났습니다" in response.content.decode()
        with pytest.raises(Refused):
            donation_start(box=box, donor=stranger, amount=10000)
    assert not Donation.objects.exists()


def test_a_sponsor_doubles_gifts_up_to_its_cap(box, matcher):
    give(box, neighbour(1), 10000)
    second = give(box, neighbour(2), 10000)
    give(box, neighbour(3), 10000)
    box.refresh_from_db()
    matcher.refresh_from_db()
    assert (box.direct_total, box.matching_total, box.total) == (30000, 15000, 45000)
    assert matcher.matching_given == 15000
    assert second.matched_amount == 5000
    assert list(Entry.objects.filter(book=box.book, kind="matching").values_list("amount", flat=True)) == [10000, 5000]


def test_a_donor_cancels_while_the_box_is_open_and_matching_follows(signed_in, box, matcher, stranger):
    donation = give(box, stranger, 10000)
    page = signed_in(stranger).post(reverse("together:donation_cancel", args=[donation.public_id]), follow=True)
    assert "기부를 취소했습니다" in page.content.decode()
    donation.refresh_from_db()
    box.refresh_from_db()
    matcher.refresh_from_db()
    assert (donation.status, donation.refunded_amount, donation.matched_amount) == (DonationStatus.REFUNDED, 10000, 0)
    assert (box.direct_total, box.matching_total) == (0, 0)
    assert matcher.matching_given == 0
    kinds = list(Entry.objects.filter(book=box.book).values_list("kind", "amount"))
    assert kinds == [("donation", 10000), ("matching", 10000), ("refund", -10000), ("matching", -10000)]
    assert donation.payment.refunds.get().amount == 10000
    assert not Comment.objects.filter(donation=donation, moderation="visible").exists()


def test_staff_refund_part_of_a_gift(signed_in, box, stranger, moderator):
    donation = give(box, stranger, 10000)
    page = signed_in(moderator).post(
        reverse("together:donation_refund", args=[donation.public_id]),
        {"amount": "3000", "reason": "중복 결제"},
        follow=True,
    )
    assert "환불했습니다" in page.content.decode()
    donation.refresh_from_db()
    assert (donation.status, donation.net_amount) == (DonationStatus.PARTIALLY_REFUNDED, 7000)
    box.refresh_from_db()
    assert box.direct_total == 7000
    too_much = signed_in(moderator).post(
        reverse("together:donation_refund", args=[donation.public_id]), {"amount": "8000", "reason": "또"}, follow=True
    )
    assert "환불할 수 있는 금액은 7,000원입니다" in too_much.content.decode()


def test_a_customer_cannot_use_the_staff_refund(signed_in, box, stranger):
    donation = give(box, stranger, 10000)
    response = signed_in(stranger).post(
        reverse("together:donation_refund", args=[donation.public_id]), {"amount": "10000", "reason": "환불"}
    )
    assert response.status_code == 404
    donation.refresh_from_db()
    assert donation.status == DonationStatus.PAID


def test_no_refund_after_the_payout(box, stranger, moderator):
    donation = give(box, stranger, 10000)
    Fundraiser.objects.filter(pk=box.pk).update(status=BoxStatus.PAID_OUT)
    with pytest.raises(Refused, match="이미 전달해서"):
        donation_refund(donation=donation, amount=1000, reason="늦은 환불", by=moderator)
    donation.refresh_from_db()
    assert donation.refunded_amount == 0


def test_the_receipt_is_a_korean_pdf_for_the_donor_only(signed_in, box, stranger, customer, client):
    stranger.name = "김이웃"
    stranger.save()
    donation = give(box, stranger, 12000)
    response = signed_in(stranger).get(reverse("together:donation_receipt", args=[donation.public_id]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = text.replace("\x00", "").replace(" ", "")
    assert "기부영수증" in text
    assert "12,000원" in text
    assert donation.public_id in text
    client.logout()
    assert signed_in(customer).get(reverse("together:donation_receipt", args=[donation.public_id])).status_code == 404


def test_an_unpaid_donation_has_no_receipt(signed_in, box, stranger):
    donation = donation_start(box=box, donor=stranger, amount=10000)
    assert signed_in(stranger).get(reverse("together:donation_receipt", args=[donation.public_id])).status_code == 404


@pytest.fixture
def toss(settings):
    fake = FakeToss().start()
    settings.TOSS_SECRET_KEY, settings.TOSS_API_BASE = SECRET_KEY, fake.base_url
    yield fake
    fake.stop()


def test_a_donation_through_toss_payments(toss, box, stranger):
    donation = donation_start(box=box, donor=stranger, amount=25000, provider="toss")
    assert (
        urlsplit(reverse("payments:toss_checkout", args=[donation.payment.order_id])).path
        == f"/pay/toss/{donation.payment.order_id}/"
    )
    key = toss.authorize(donation.payment.order_id, 25000)
    donation_confirm(donation=donation, payment_key=key, order_id=donation.payment.order_id, amount="25000")
    donation_confirm(donation=donation, payment_key=key, order_id=donation.payment.order_id, amount="25000")
    box.refresh_from_db()
    assert box.direct_total == 25000
    assert Entry.objects.filter(book=box.book, kind="donation").count() == 1
    donation_refund(donation=donation, amount=25000, reason="기부자 요청", by=stranger)
    assert toss.payments[key]["status"] == "CANCELED"
    box.refresh_from_db()
    assert box.direct_total == 0


def test_a_payment_confirmed_after_the_payout_is_given_back(toss, box, stranger):
    donation = donation_start(box=box, donor=stranger, amount=25000, provider="toss")
    Fundraiser.objects.filter(pk=box.pk).update(status=BoxStatus.PAID_OUT)
    key = toss.authorize(donation.payment.order_id, 25000)
    with pytest.raises(Refused, match="기부를 받을 수 없습니다"):
        donation_confirm(donation=donation, payment_key=key, order_id=donation.payment.order_id, amount=25000)
    assert toss.payments[key]["status"] == "CANCELED"
    donation.refresh_from_db()
    assert donation.status == DonationStatus.CANCELED
    assert not Entry.objects.filter(book=box.book).exists()
