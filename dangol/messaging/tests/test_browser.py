"""A customer scans a stall QR, signs in, follows, and reads the store's message, in Chromium."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dangol.accounts import sms
from dangol.messaging.models import MessageKind
from dangol.messaging.services import message_send

pytestmark = pytest.mark.browser


def test_a_customer_follows_a_store_and_reads_its_message(
    browser_page, assert_accessible, live_server, transactional_db, store, merchant
):
    page = browser_page
    page.goto(f"{live_server.url}/s/{store.public_id}/")
    expect(page.get_by_role("heading", name="햇살과일")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="단골 되기").click()

    page.get_by_label("휴대폰 번호").fill("010-7777-1234")
    page.get_by_role("button", name="인증번호 받기").click()
    code = re.search(r"\d{6}", sms.outbox[-1]["text"]).group()
    page.get_by_label("인증번호 6자리").fill(code)
    page.get_by_role("button", name="확인").click()

    assert_accessible(page)
    page.get_by_role("button", name="동의하고 단골 되기").click()
    expect(page.get_by_text("휴대폰 번호 수집·이용에 동의해야")).to_be_visible()
    page.get_by_label("[필수] 개인정보(휴대폰 번호) 수집·이용에 동의합니다.").check()
    page.get_by_label("[선택] 할인·행사 같은 광고성 정보를 받겠습니다.").check()
    page.get_by_role("button", name="동의하고 단골 되기").click()
    expect(page.get_by_text("햇살과일의 단골이 되었습니다!")).to_be_visible()

    message_send(store=store, author=merchant, kind=MessageKind.AD, body="오늘 사과 한 봉지 오천원")

    page.get_by_role("link", name="받은 메시지").first.click()
    expect(page.get_by_label("안 읽은 메시지")).to_have_text("1")  # the ad; the consent line arrives already read
    assert_accessible(page)
    page.get_by_text("오늘 사과 한 봉지 오천원").click()
    article = page.locator("article")
    expect(article.get_by_text("(광고) 햇살과일")).to_be_visible()
    expect(article.get_by_text("무료 수신거부")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(live_server_screenshot_dir() / "customer-reads-ad.png"), full_page=True)

    opt_out = article.locator("a[href*='/o/']").get_attribute("href")
    page.context.clear_cookies()
    page.goto(opt_out)
    assert_accessible(page)
    page.get_by_role("button", name="수신 거부").click()
    expect(page.get_by_role("heading", name="수신거부 완료")).to_be_visible()


def live_server_screenshot_dir():
    path = Path(os.environ.get("DANGOL_SCREENSHOTS", "var/screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path
