"""Printed material in the language the person chose: the guide names buttons as the English screens do."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from dangol.coupons.models import Campaign

from .test_pdfs import _pdf, pdf_text  # noqa: F401 -- the fixture, shared


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _words(text):
    return " ".join(text.split())


def test_the_english_guide_names_the_buttons_as_the_english_sign_in_screen_shows_them(
    signed_in,
    merchant,
    client,
    store,
    pdf_text,  # noqa: F811
):
    data = _pdf(_english(signed_in(merchant)).get(reverse("printing:guide", args=[store.public_id])))
    with translation.override("en"):
        get_code = translation.gettext("인증번호 받기")
    client.logout()
    sign_in_page = _english(client).get(reverse("accounts:sign_in") + "?next=/").content.decode()

    text = _words(pdf_text(data)[0])
    assert "How to use Dangol" in text
    assert "Step 1 of 6" in text
    assert get_code in text
    assert get_code in sign_in_page
    assert "로그인하기" not in text and "단계" not in text


def test_the_english_poster_invites_in_english(signed_in, merchant, store, pdf_text):  # noqa: F811
    response = _english(signed_in(merchant)).get(reverse("printing:poster", args=[store.public_id, "a4"]))

    text = _words(pdf_text(_pdf(response))[0])
    assert "Scan with your phone camera and become a regular" in text
    assert "햇살과일" in text  # the name stays as the merchant wrote it


def test_english_paper_coupons_have_an_english_validity_and_minimum_line(
    signed_in,
    merchant,
    store,
    pdf_text,  # noqa: F811
):
    campaign = Campaign.create_for(
        store=store,
        by=merchant,
        kind="amount",
        amount_off=1000,
        method="paper",
        quantity=1,
        valid_days=30,
        min_purchase=5000,
    )
    day = campaign.coupons.first().last_day
    url = reverse("printing:coupon_sheet", args=[store.public_id, campaign.public_id])

    text = _words(pdf_text(_pdf(_english(signed_in(merchant)).get(url)))[0])

    assert "On purchases of 5,000 won or more" in text
    assert f"Until {day:%B} {day.day}, {day.year}" in text
    assert "까지" not in text and "구매 시" not in text
