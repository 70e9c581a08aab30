"""The public ledger on a 360 px phone: nothing scrolls sideways, in normal or large text."""

import os
from pathlib import Path

import pytest

from dangol.ledger.models import Entry

pytestmark = pytest.mark.browser


def _screenshots():
    path = Path(os.environ.get("DANGOL_SCREENSHOTS", "var/screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sideways(page):
    """How far the page, or any box inside it, reaches past its width (0 when nothing scrolls)."""
    return page.evaluate(
        """() => Math.max(
            document.documentElement.scrollWidth - window.innerWidth,
            ...[...document.querySelectorAll('main *')].map(el => {
                const style = getComputedStyle(el);
                return ['auto', 'scroll'].includes(style.overflowX) ? el.scrollWidth - el.clientWidth : 0;
            }))"""
    )


def test_the_ledger_reads_on_a_phone_without_scrolling_sideways(browser_page, live_server, transactional_db):
    book = "together/k3m9x2p7qa"
    Entry.append(book=book, kind="donation", amount=1_250_000, memo="익명 기부", reference="donation:a1")
    Entry.append(book="fund", kind="disbursement", amount=-120_000_000, memo="디지털 전환 · 교육", reference="d:1")
    Entry.append(
        book=book, kind="payout", amount=-1_250_000, memo="시험시장 상인회에 지급 (소화기 40대)", reference="payout:1"
    )
    page = browser_page
    assert page.viewport_size["width"] == 360

    for large in ("0", "1"):
        page.context.add_cookies([{"name": "large_text", "value": large, "url": live_server.url}])
        for path in ("/ledger/", f"/ledger/{book}/"):
            page.goto(f"{live_server.url}{path}")
            wide = page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
                    .slice(0, 5).map(el => el.tagName + '.' + el.className + ' ' + (el.textContent || '').trim().slice(0, 30))"""
            )
            assert _sideways(page) <= 0, (path, large, wide)
            card = page.locator("table.entries tbody tr").first
            assert card.bounding_box()["width"] <= 360
            # Each entry still says what, how much and whether it checks out.
            assert "지급" in card.inner_text() and "-1,250,000원" in card.inner_text() and "확인" in card.inner_text()
        page.screenshot(path=str(_screenshots() / f"ledger-phone-large{large}.png"), full_page=True)


def test_the_ledger_keeps_its_table_on_a_wide_screen(browser_page, live_server, transactional_db):
    Entry.append(book="fund", kind="disbursement", amount=-5_000_000, memo="디지털 전환 · 교육", reference="d:1")
    page = browser_page
    page.set_viewport_size({"width": 1024, "height": 800})
    page.goto(f"{live_server.url}/ledger/")
    assert page.locator("table.entries thead").is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('table.entries tr')).display") == "table-row"
