"""The merchant's first coupon, counted: from signing in to a coupon sent with a message and used at
the stall in 15 taps and fills or fewer, in Chromium; axe-core on each screen in normal and large text."""

import re

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from dangol.accounts import sms
from dangol.channels.models import ConsentVia, Follow
from dangol.coupons.models import Campaign, Coupon, Method, Redemption
from dangol.messaging.models import InboxItem, MessageKind

pytestmark = pytest.mark.browser

MAX_ACTIONS = 15
MIN_PX = 48
TARGETS = (
    "main button, main .button, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), "
    "main select, main label.check, main .choices label"
)


class Counted:
    """Every click, fill and check made through it is one action of the walk."""

    def __init__(self):
        self.actions = []

    def click(self, locator, what):
        self.actions.append(f"click {what}")
        locator.click()

    def fill(self, locator, value, what):
        self.actions.append(f"fill {what}")
        locator.fill(value)


def _check_screen(page, assert_accessible, live_server):
    """No serious axe-core violation in normal and in large text, and no control under 48 px."""
    small = page.eval_on_selector_all(
        TARGETS,
        """(els, min) => els.filter(el => el.offsetParent !== null)
            .map(el => [el.outerHTML.slice(0, 90), Math.round(el.getBoundingClientRect().height)])
            .filter(([, h]) => h < min)""",
        MIN_PX,
    )
    assert small == [], small
    assert_accessible(page)
    page.context.add_cookies([{"name": "large_text", "value": "1", "url": live_server.url}])
    page.reload()
    expect(page.locator("body.large-text")).to_have_count(1)
    assert_accessible(page)
    page.context.add_cookies([{"name": "large_text", "value": "0", "url": live_server.url}])
    page.reload()


def _session(user, live_server):
    client = Client()
    client.force_login(user, backend="dangol.accounts.backends.PhoneCodeBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return {"name": cookie.key, "value": cookie.value, "url": live_server.url}


def test_a_merchant_sends_a_first_coupon_with_a_message_and_redeems_it_in_15_actions(
    browser_page, assert_accessible, live_server, transactional_db, store, merchant, customer
):
    Follow.start(customer=customer, store=store, ads=True, night=True, via=ConsentVia.WEB)
    page, walk = browser_page, Counted()

    page.goto(f"{live_server.url}/accounts/sign-in/")
    walk.fill(page.get_by_label("휴대폰 번호"), "010-1111-0001", "phone")
    walk.click(page.get_by_role("button", name="인증번호 받기"), "send code")
    code = re.search(r"\d{6}", sms.outbox[-1]["text"]).group()
    walk.fill(page.get_by_label("인증번호 6자리"), code, "code")
    walk.click(page.get_by_role("button", name="확인"), "sign in")
    expect(page.get_by_role("heading", name="햇살과일")).to_be_visible()  # the merchant's own store

    walk.click(page.get_by_role("link", name="단골에게 메시지 보내기"), "message screen")
    expect(page.get_by_role("heading", name="쿠폰 붙여 보내기")).to_be_visible()
    _check_screen(page, assert_accessible, live_server)

    walk.click(page.get_by_role("button", name="새 쿠폰 만들어 붙이기"), "new coupon")
    expect(page.get_by_text("1 / 3 단계")).to_be_visible()
    _check_screen(page, assert_accessible, live_server)
    walk.click(page.get_by_role("button", name="금액 할인"), "kind")
    expect(page.get_by_text("2 / 3 단계")).to_be_visible()
    _check_screen(page, assert_accessible, live_server)
    walk.click(page.get_by_role("button", name="2,000원"), "value")
    expect(page.get_by_text("3 / 3 단계")).to_be_visible()
    expect(page.get_by_text("메시지에 붙여 보내기")).to_be_visible()
    _check_screen(page, assert_accessible, live_server)
    assert not Campaign.objects.exists()  # nothing is made before the last step
    walk.click(page.get_by_role("button", name="쿠폰 만들기"), "make coupon")

    expect(page.get_by_role("heading", name="쿠폰을 메시지에 붙여 보내기")).to_be_visible()
    preview = page.locator(".message-preview")
    expect(preview.get_by_text("(광고) 햇살과일")).to_be_visible()
    expect(preview.get_by_text("쿠폰: 2,000원 할인")).to_be_visible()
    _check_screen(page, assert_accessible, live_server)
    walk.click(page.get_by_role("button", name="보내기", exact=True), "send")
    expect(page.get_by_text("쿠폰을 붙인 메시지를 보냈습니다.")).to_be_visible()
    _check_screen(page, assert_accessible, live_server)

    campaign = Campaign.objects.get()
    assert (campaign.method, campaign.amount_off, campaign.valid_days) == (Method.MESSAGE, 2000, 30)
    assert campaign.message.kind == MessageKind.AD
    item = InboxItem.objects.get(customer=customer, message=campaign.message)

    # The customer opens the message from a notification and takes the coupon.
    phone = page.context.browser.new_context(viewport={"width": 360, "height": 740}, locale="ko-KR")
    phone.add_cookies([_session(customer, live_server)])
    customer_page = phone.new_page()
    customer_page.goto(f"{live_server.url}{item.get_absolute_url()}")
    walk.click(customer_page.get_by_role("button", name="쿠폰 받기"), "customer claims")
    code = customer_page.locator("#coupon-code").inner_text()

    walk.click(page.get_by_role("link", name="손님이 쿠폰을 보여 주면: 계산대 화면 열기"), "stall")
    walk.fill(page.get_by_label("쿠폰 번호 (8자리)"), code, "coupon code")
    walk.click(page.get_by_role("button", name="사용 처리"), "redeem")
    expect(page.get_by_text(f"사용 완료: 2,000원 할인 ({code})")).to_be_visible()
    phone.close()

    assert len(walk.actions) <= MAX_ACTIONS, walk.actions
    coupon = Coupon.objects.get(customer=customer)
    assert coupon.status == "redeemed"
    assert Redemption.objects.get().coupon == coupon
    print(f"first coupon walk: {len(walk.actions)} actions: {walk.actions}")


def test_the_message_screens_preview_and_send_to_me_first_in_chromium(
    browser_page, assert_accessible, live_server, transactional_db, store, merchant, customer
):
    Follow.start(customer=customer, store=store, ads=True, night=True, via=ConsentVia.WEB)
    campaign = Campaign.objects.create(store=store, kind="percent", percent_off=10, valid_days=7, method=Method.MESSAGE)
    page = browser_page
    page.context.add_cookies([_session(merchant, live_server)])
    page.goto(f"{live_server.url}/m/{store.public_id}/messages/new/")
    page.get_by_label("내용").fill("오늘 딸기 들어왔어요")
    page.get_by_role("button", name="미리 보기").click()
    expect(page.locator(".message-preview").get_by_text("오늘 딸기 들어왔어요")).to_be_visible()
    expect(page.get_by_label("내용")).to_have_value("오늘 딸기 들어왔어요")
    _check_screen(page, assert_accessible, live_server)

    page.get_by_role("button", name="나에게 먼저 보내기").click()
    expect(page.get_by_text("내 받은 메시지함에 먼저 보냈습니다.")).to_be_visible()
    assert not InboxItem.objects.filter(customer=customer).exclude(message__kind="notice").exists()

    # Attach the waiting coupon: what was written comes along.
    page.get_by_role("button", name="10% 할인 쿠폰 붙이기").click()
    expect(page.get_by_label("메시지 내용")).to_have_value("오늘 딸기 들어왔어요")
    expect(page.locator(".message-preview").get_by_text("쿠폰: 10% 할인")).to_be_visible()
    _check_screen(page, assert_accessible, live_server)
    page.get_by_role("button", name="나에게 먼저 보내기").click()
    expect(page.get_by_text("내 받은 메시지함에 먼저 보냈습니다.")).to_be_visible()
    campaign.refresh_from_db()
    assert campaign.message is None

    page.get_by_role("link", name="받은 메시지").first.click()
    expect(page.get_by_text("나에게 먼저 보낸 메시지 · (광고) 햇살과일").first).to_be_visible()
    _check_screen(page, assert_accessible, live_server)

    for path in (f"/m/{store.public_id}/coupon-pin/", f"/m/{store.public_id}/api-keys/", campaign.get_absolute_url()):
        page.goto(f"{live_server.url}{path}")
        _check_screen(page, assert_accessible, live_server)
