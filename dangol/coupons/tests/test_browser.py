"""A customer claims a coupon from a message; the merchant redeems it on the stall screen, in Chromium."""

import os
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from dangol.channels.models import ConsentVia, Follow
from dangol.coupons.models import Campaign, Coupon, Method, Redemption
from dangol.coupons.services import campaign_message_send
from dangol.stamps.services import stamp_program_start

pytestmark = pytest.mark.browser


def _screenshots():
    path = Path(os.environ.get("DANGOL_SCREENSHOTS", "var/screenshots"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _session_cookie(user, live_server):
    client = Client()
    client.force_login(user, backend="dangol.accounts.backends.PhoneCodeBackend")
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


def test_a_customer_claims_a_coupon_from_a_message_and_the_merchant_redeems_it_at_the_stall(
    browser_page, assert_accessible, live_server, transactional_db, store, merchant, customer
):
    Follow.start(customer=customer, store=store, ads=True, night=True, via=ConsentVia.WEB)
    campaign = Campaign.objects.create(
        store=store, kind="amount", amount_off=2000, min_purchase=10000, valid_days=14, method=Method.MESSAGE
    )
    message = campaign_message_send(campaign=campaign, author=merchant, body="사과 사시면 2천원 깎아 드려요")
    stamp_program_start(
        store=store,
        by=merchant,
        goal=10,
        reward={"kind": "gift", "amount_off": None, "percent_off": None, "gift": "사과 한 봉지"},
        reward_days=30,
        expires_from="last",
        limit_mode="daily",
    )

    page = browser_page
    page.context.add_cookies([_session_cookie(customer, live_server)])
    page.goto(f"{live_server.url}/inbox/{message.public_id}/")
    expect(page.get_by_text("쿠폰: 2,000원 할인")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="쿠폰 받기").click()
    expect(page.get_by_text("쿠폰을 받았습니다!")).to_be_visible()
    expect(page.get_by_role("img", name="쿠폰 QR 코드")).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=str(_screenshots() / "wallet-coupon.png"), full_page=True)
    code = page.locator("#coupon-code").inner_text()
    assert code == Coupon.objects.get(customer=customer).display_code

    stall = page.context.browser.new_context(viewport={"width": 360, "height": 740}, locale="ko-KR")
    stall.add_cookies([_session_cookie(merchant, live_server)])
    counter = stall.new_page()
    script_errors = []
    counter.on("pageerror", lambda error: script_errors.append(error))
    counter.goto(f"{live_server.url}/m/{store.public_id}/stall/")
    expect(counter.get_by_role("heading", name="쿠폰 사용 처리")).to_be_visible()
    expect(counter.frame_locator("iframe").get_by_role("img", name="도장 받기 QR 코드")).to_be_visible()
    assert_accessible(counter)
    counter.get_by_label("쿠폰 번호 (8자리)").fill(code.lower().replace("-", " "))
    counter.get_by_label("구매 금액 (선택, 원)").fill("8000")
    counter.get_by_role("button", name="사용 처리").click()
    expect(counter.get_by_text("10,000원 이상 살 때 쓸 수 있는 쿠폰입니다.")).to_be_visible()
    counter.get_by_label("구매 금액 (선택, 원)").fill("12000")
    counter.get_by_role("button", name="사용 처리").click()
    expect(counter.get_by_text(f"사용 완료: 2,000원 할인 ({code})")).to_be_visible()
    expect(counter.get_by_role("button", name="되돌리기")).to_be_visible()
    counter.screenshot(path=str(_screenshots() / "stall-redeemed.png"), full_page=True)
    assert_accessible(counter)
    assert not script_errors
    stall.close()

    page.reload()
    expect(page.get_by_role("status").get_by_text("사용 완료")).to_be_visible()
    redemption = Redemption.objects.get()
    assert (redemption.amount, redemption.discount, redemption.redeemed_by) == (12000, 2000, merchant)


FAKE_CAMERA = """
window.__scanned = [];
window.BarcodeDetector = class {
  constructor(options) { this.formats = options.formats; }
  detect() { return Promise.resolve(window.__scanned.splice(0, 1).map((rawValue) => ({ rawValue }))); }
};
navigator.mediaDevices.getUserMedia = () => Promise.resolve(document.createElement("canvas").captureStream());
"""


def test_the_stall_camera_reads_a_coupon_qr_and_a_member_qr(
    browser_page, live_server, transactional_db, store, merchant, customer
):
    from dangol.stamps.members import member_token
    from dangol.stamps.models import Stamp

    campaign = Campaign.objects.create(store=store, kind="percent", percent_off=10, valid_days=7)
    coupon = campaign.claim(customer=customer)
    stamp_program_start(
        store=store,
        by=merchant,
        goal=5,
        reward={"kind": "gift", "amount_off": None, "percent_off": None, "gift": "귤 한 봉지"},
        reward_days=30,
        expires_from="last",
        limit_mode="daily",
    )
    page = browser_page
    page.add_init_script(FAKE_CAMERA)
    page.context.add_cookies([_session_cookie(merchant, live_server)])
    page.goto(f"{live_server.url}/m/{store.public_id}/stall/")

    page.evaluate("token => window.__scanned.push(token)", coupon.token())
    page.get_by_role("button", name="카메라로 QR 찍기").click()
    expect(page.get_by_text(f"사용 완료: 10% 할인 ({coupon.display_code})")).to_be_visible()
    assert Redemption.objects.get().via == "scan"

    page.evaluate("token => window.__scanned.push(token)", member_token(customer))
    page.get_by_role("button", name="카메라로 QR 찍기").click()
    expect(page.get_by_text("도장을 찍었습니다. (1/5)")).to_be_visible()
    assert Stamp.objects.get().customer == customer
