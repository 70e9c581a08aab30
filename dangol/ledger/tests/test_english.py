"""The public ledger in English, and each reader's verification message in their own language."""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse


def test_the_verification_message_follows_the_readers_language_though_it_is_cached(client, chain):
    korean = client.get(reverse("ledger:ledger")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("ledger:ledger")).content.decode()

    assert "기록 6건의 연결과 내용을 모두 확인했습니다." in korean
    assert "All 6 entries checked: links and contents are intact." in english
    assert "기록 6건" not in english


def test_the_ledger_reads_in_english_with_phone_labels_from_the_page(client, chain):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("ledger:ledger")).content.decode()

    assert "✓ OK" in page
    assert page.count('data-label="Money in"') == 2  # one per book
    assert "기금 집행" not in page and "참여 기부" not in page
    assert "+30,000 won" in page


def test_the_phone_labels_of_the_books_are_not_korean_in_the_stylesheet():
    text = Path(finders.find("ledger/ledger.css")).read_text()

    assert "attr(data-label)" in text
    assert not any("\uac00" <= char <= "\ud7a3" for char in text)


def test_a_visitor_chooses_english_with_the_footer_button_and_goes_back_to_korean(client, chain):
    page = client.get(reverse("ledger:ledger")).content.decode()
    assert 'name="language" value="en"' in page and ">English</button>" in page

    chosen = client.post(reverse("set_language"), {"language": "en", "next": reverse("ledger:ledger")})
    english = client.get(chosen["Location"]).content.decode()

    assert chosen.status_code == 302
    assert 'lang="en"' in english and "Public ledger" in english
    assert 'name="language" value="ko"' in english and ">한국어</button>" in english

    client.post(reverse("set_language"), {"language": "ko", "next": "/"})
    assert "공개 장부" in client.get(reverse("ledger:ledger")).content.decode()
