"""Propose, gather agreements (threshold lowered), approve, donate and read the ledger, in Chromium."""

import os
import re
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from dangol.accounts import sms
from dangol.together.models import Fundraiser, Rules

from .conftest import neighbour

pytestmark = pytest.mark.browser


def _become(page, live_server, user):
    """Switch the browser to `user` by handing it a real session cookie."""
    client = Client()
    client.force_login(user, backend="dangol.accounts.backends.PhoneCodeBackend")
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_from_proposal_to_a_donation_in_the_public_ledger(
    browser_page, assert_accessible, live_server, transactional_db, reviewer
):
    rules = Rules.current()
    rules.agreement_threshold = 2
    rules.save()
    page = browser_page

    # A neighbour signs in with a texted code and proposes.
    page.goto(f"{live_server.url}/together/")
    assert_accessible(page)
    page.get_by_role("link", name="제안하기").click()
    page.get_by_label("휴대폰 번호").fill("010-7777-2345")
    page.get_by_role("button", name="인증번호 받기").click()
    page.get_by_label("인증번호 6자리").fill(re.search(r"\d{6}", sms.outbox[-1]["text"]).group())
    page.get_by_role("button", name="확인").click()
    expect(page.get_by_role("heading", name="도움이 필요한 일을 제안하기")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("제목").fill("시장 골목 화재 예방")
    page.get_by_label("사연").fill("지난 겨울 불이 난 뒤로 소화기가 부족합니다.")
    page.get_by_label("수혜 단체").fill("시험시장 상인회")
    page.get_by_label("목표 금액(원)").fill("500000")
    page.get_by_label("모금 기간(일)").fill("30")
    page.get_by_label("분야").select_option("disaster")
    page.get_by_role("button", name="제안 올리기").click()
    expect(page.get_by_text("제안을 올렸습니다")).to_be_visible()
    expect(page.get_by_text("0명 / 2명")).to_be_visible()
    proposal_url = page.url

    # Two neighbours agree; the second one sends it to review.
    for n in (1, 2):
        _become(page, live_server, neighbour(n))
        page.goto(proposal_url)
        page.get_by_role("button", name="동의하기").click()
        expect(page.get_by_text("동의했습니다. 고맙습니다!").first).to_be_visible()
    expect(page.get_by_text("동의가 모두 모여 심사기관이 심사하고 있습니다")).to_be_visible()
    assert_accessible(page)

    # The reviewer approves against the four criteria.
    _become(page, live_server, reviewer)
    page.goto(f"{live_server.url}/together/review/")
    page.get_by_role("link", name="심사하기").click()
    page.get_by_label("공익성").fill("시장 전체의 안전")
    page.get_by_label("신뢰성").fill("상인회가 관리")
    page.get_by_label("수행능력").fill("설치 업체 견적 확보")
    page.get_by_label("구체성").fill("소화기 40대")
    assert_accessible(page)
    page.get_by_role("button", name="승인하고 모금함 열기").click()
    expect(page.get_by_text("승인했습니다. 모금함이 열렸습니다.")).to_be_visible()
    box = Fundraiser.objects.get()

    # A neighbour donates through the test provider and finds the gift in the ledger.
    _become(page, live_server, neighbour(3, name="김이웃"))
    page.goto(f"{live_server.url}{box.get_absolute_url()}")
    assert_accessible(page)
    page.get_by_role("link", name="기부하기").click()
    page.get_by_label("기부 금액(원)").fill("10000")
    page.get_by_label("응원 한마디 (선택)").fill("힘내세요!")
    page.get_by_role("button", name="결제하러 가기").click()
    expect(page.get_by_role("heading", name="시험 결제")).to_be_visible()
    page.get_by_role("button", name="결제하기").click()
    expect(page.get_by_text("기부해 주셔서 고맙습니다!")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="시장 골목 화재 예방").click()
    expect(page.locator(".stat")).to_have_text("10,000원")
    ledger = page.locator("#ledger")
    expect(ledger.get_by_text("직접 기부")).to_be_visible()
    expect(ledger.get_by_text("+10,000원")).to_be_visible()
    expect(ledger).not_to_contain_text("김이웃")
    expect(page.get_by_text("힘내세요!")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(_screenshots() / "together-box.png"), full_page=True)


def _screenshots():
    path = Path(os.environ.get("DANGOL_SCREENSHOTS", "var/screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path
