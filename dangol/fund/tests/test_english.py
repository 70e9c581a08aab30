"""The fund's report in English: whole won amounts (억 and 만 are Korean counting), units that agree with their number."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from dangol.fund.reports import korean_won


def test_amounts_are_whole_won_in_english_and_counted_in_eok_in_korean():
    with translation.override("en"):
        assert korean_won(150_000_000) == "150,000,000 won"
    with translation.override("ko"):
        assert korean_won(150_000_000) == "1억 5,000만 원"


def test_the_report_reads_in_english_when_english_is_chosen(client, fund, program):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(fund.get_absolute_url()).content.decode()

    assert "Committed and paid out by area" in page
    assert "1,000,000,000 won" in page
    assert '<th scope="col">Area</th>' in page
    assert "억" not in page and "분야별" not in page


def test_english_kpi_units_agree_with_their_number(client, program, store):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("fund:program", args=[program.public_id])).content.decode()

    assert '1<span class="small"> store</span>' in page
    assert '0<span class="small"> coupons</span>' in page
    assert "Stores with a Dangol channel" in page
