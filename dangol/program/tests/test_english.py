"""A person who chose English reads the program's pages, dates and notices in English; Korean stays the default."""

from django.conf import settings
from django.urls import reverse

from dangol.program.models import Invitation


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_cohort_page_is_english_with_english_dates_when_english_is_chosen(signed_in, cohort, operator, store):
    client = _english(signed_in(operator))

    page = client.get(cohort.get_absolute_url()).content.decode()

    assert 'lang="en"' in page
    assert "Stores at each step" in page
    assert "Fill in store details" in page
    assert f"{cohort.starts_on:%B} {cohort.starts_on.day}, {cohort.starts_on.year}" in page
    assert "단계별 가게 수" not in page and "년" not in page


def test_the_cohort_page_stays_korean_by_default(signed_in, cohort, operator, store):
    page = signed_in(operator).get(cohort.get_absolute_url()).content.decode()

    assert "단계별 가게 수" in page
    assert f"{cohort.starts_on.year}년 {cohort.starts_on.month}월 {cohort.starts_on.day}일" in page


def test_the_checklist_and_its_regulars_column_read_in_english(signed_in, cohort, operator, merchant, store):
    checklist = _english(signed_in(merchant)).get(reverse("program:checklist", args=[store.public_id])).content
    assert "Getting started" in checklist.decode() and "10 regulars" in checklist.decode()

    page = _english(signed_in(operator)).get(reverse("program:store", args=[cohort.public_id, store.public_id]))
    assert "Regulars" in page.content.decode()


def test_the_invitation_list_shows_english_dates(signed_in, market_admin, store):
    invitation, _token = Invitation.issue(store=store, by=market_admin)

    page = _english(signed_in(market_admin)).get(reverse("program:invite", args=[store.public_id])).content.decode()

    assert f"{invitation.expires_at:%B}" in page
    assert "월" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_a_refusal_reads_in_english_when_english_is_chosen(signed_in, operator, store, market):
    client = _english(signed_in(operator))
    cohort_url = reverse("program:cohort_new")
    operator.is_staff = True
    operator.save()

    response = client.post(cohort_url, {"name": "X", "starts_on": "2026-05-02", "ends_on": "2026-05-01"})

    assert "The end date must be on or after the start date." in response.content.decode()
