"""A tutor logs a visit from a phone and prints the stall's poster; the operator sees the store move."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from dangol.channels.models import Store
from dangol.program.models import PrintRecord, Visit

pytestmark = pytest.mark.browser


def _become(page, live_server, user):
    client = Client()
    client.force_login(user, backend="dangol.accounts.backends.PhoneCodeBackend")
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def test_a_tutor_logs_a_visit_from_a_phone_and_the_operator_sees_the_store_move(
    browser_page, assert_accessible, live_server, transactional_db, cohort, market, store, operator, tutor
):
    Store.objects.filter(pk=store.pk).update(created_at=timezone.now() - dt.timedelta(days=20))
    cohort.assign_tutor(tutor=tutor, market=market)
    page = browser_page
    assert page.viewport_size["width"] == 360

    # Before: the operator sees 햇살과일 standing still, no poster printed.
    _become(page, live_server, operator)
    page.goto(f"{live_server.url}{cohort.get_absolute_url()}")
    expect(page.locator("#still")).to_contain_text("햇살과일")
    poster_step = page.locator("#step-counts .card", has_text="QR 포스터 인쇄")
    expect(poster_step.locator(".stat")).to_have_text("0")

    # The tutor, at the stall with a phone: from the program page to the store, logs the visit.
    _become(page, live_server, tutor)
    page.goto(f"{live_server.url}/program/")
    page.get_by_role("link", name=cohort.name).click()
    page.locator("#still").get_by_role("link", name="시험시장 · 햇살과일").click()
    page.get_by_role("link", name="방문 기록 남기기").click()
    assert_accessible(page)
    page.get_by_label("가르친 것").fill("QR 포스터 뽑아 계산대 옆에 붙이기")
    page.get_by_label("다음에 할 것").fill("단골 10명 모으기")
    page.get_by_role("button", name="기록 남기기").click()
    expect(page.get_by_text("방문 기록을 남겼습니다.")).to_be_visible()
    expect(page.locator("#visits")).to_contain_text("QR 포스터 뽑아 계산대 옆에 붙이기")
    expect(page.locator("#visits")).to_contain_text("김튜터")
    # ... and prints the stall's QR poster with the merchant.
    page.get_by_role("link", name="인쇄물 (QR 포스터·안내 책자·초대장)").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="QR 포스터 A4").click()
    assert download.value.suggested_filename == f"dangol-{store.public_id}-poster-a4.pdf"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert Visit.objects.get().store == store and PrintRecord.objects.filter(store=store).count() == 1

    # After: the operator sees the store move.
    _become(page, live_server, operator)
    page.goto(f"{live_server.url}{cohort.get_absolute_url()}")
    expect(poster_step.locator(".stat")).to_have_text("1")
    expect(page.locator("#still")).not_to_contain_text("햇살과일")
    expect(page.locator("#stores tr", has_text="햇살과일")).to_contain_text("1/6")
    page.locator("#stores").get_by_role("link", name="햇살과일").click()
    expect(page.locator('#checklist [data-step="poster"]')).to_contain_text("했어요")
    expect(page.locator("#visits")).to_contain_text("단골 10명 모으기")
    assert_accessible(page)
