"""Working through an outage, in Chromium's offline mode: the wallet and stamp cards read from the kept
copy, and two stall phones redeem coupons without network and sync when it comes back."""

import time

import pytest
from django.db import OperationalError
from django.test import Client
from playwright.sync_api import expect

from dangol.coupons.models import Campaign, DoubleUse, Redemption
from dangol.stamps.members import member_token
from dangol.stamps.models import Stamp
from dangol.stamps.services import stamp_program_start

pytestmark = pytest.mark.browser

KEPT_PATHS = "() => caches.open('dangol-pages-v1').then(c => c.keys()).then(ks => ks.map(r => new URL(r.url).pathname))"

# Older iPhone Safari has no Ed25519 in WebCrypto: this phone must verify with the vendored noble-ed25519.
NO_WEBCRYPTO_ED25519 = """
if (self.crypto && crypto.subtle) {
  const importKey = crypto.subtle.importKey.bind(crypto.subtle);
  crypto.subtle.importKey = (format, key, algorithm, ...rest) =>
    (algorithm && (algorithm.name || algorithm) === "Ed25519")
      ? Promise.reject(new DOMException("no Ed25519", "NotSupportedError"))
      : importKey(format, key, algorithm, ...rest);
}
"""


def _session_cookie(user, live_server):
    client = Client()
    client.force_login(user, backend="dangol.accounts.backends.PhoneCodeBackend")
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}


def _wait_until(page, condition, what, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OperationalError as error:
            # The test database is SQLite in memory, shared with the live server's thread: a read that meets
            # the server's write in progress is refused ("table is locked") rather than waiting; ask again.
            if "locked" not in str(error):
                raise
        page.wait_for_timeout(200)
    raise AssertionError(f"gave up waiting for {what}")


def _kept(page, *paths):
    _wait_until(page, lambda: set(paths) <= set(page.evaluate(KEPT_PATHS)), f"the worker to keep {paths}")


def _gift(name):
    return {"kind": "gift", "amount_off": None, "percent_off": None, "gift": name}


def test_the_wallet_and_stamp_cards_read_offline_and_a_coupon_used_offline_waits(
    browser_page, assert_accessible, live_server, transactional_db, store, merchant, customer
):
    kimchi = Campaign.objects.create(store=store, kind="gift", gift="김치 한 포기", valid_days=14)
    coupon = kimchi.claim(customer=customer)
    Campaign.objects.create(store=store, kind="amount", amount_off=3000, valid_days=7).claim(customer=customer)
    program = stamp_program_start(
        store=store,
        by=merchant,
        goal=10,
        reward=_gift("사과 한 봉지"),
        reward_days=30,
        expires_from="last",
        limit_mode="daily",
    )
    program.give_to_member(member_token(customer), by=merchant)

    page = browser_page
    page.context.add_cookies([_session_cookie(customer, live_server)])
    page.goto(f"{live_server.url}/wallet/")
    expect(page.get_by_text("마지막 동기화")).to_be_visible()
    _kept(page, "/wallet/", coupon.get_absolute_url(), "/static/coupons/coupons.css", "/static/coupons/offline.js")
    page.goto(f"{live_server.url}/cards/")
    _kept(page, "/cards/")
    page.goto(f"{live_server.url}/wallet/")
    expect(page.locator("body[data-kept]")).to_be_attached(timeout=15000)  # this visit's copies are in place
    # Given after the last visit: the copy shown offline cannot know it, which proves it is the copy.
    Campaign.objects.create(store=store, kind="gift", gift="두부 한 모", valid_days=7).claim(customer=customer)

    _go_offline(page)
    page.reload()
    expect(page.get_by_text("인터넷이 끊겨 있습니다. 마지막으로 받은 화면을 보여 드립니다.")).to_be_visible()
    expect(page.get_by_text("사은품: 김치 한 포기")).to_be_visible()
    expect(page.get_by_text("3,000원 할인")).to_be_visible()
    expect(page.get_by_label("도장 1개 / 10개")).to_be_visible()
    expect(page.get_by_text("두부 한 모")).to_have_count(0)
    assert_accessible(page)

    page.get_by_text("사은품: 김치 한 포기").click()
    expect(page.get_by_role("img", name="쿠폰 QR 코드")).to_be_visible()
    expect(page.locator("#coupon-code")).to_have_text(coupon.display_code)
    page.get_by_role("link", name="사용", exact=True).click()
    expect(page.get_by_text("사용 대기", exact=True)).to_be_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/cards/")
    expect(page.get_by_role("img", name="내 도장 QR 코드")).to_be_visible()
    expect(page.get_by_label("도장 1개 / 10개")).to_be_visible()
    page.goto(f"{live_server.url}/wallet/")
    expect(page.locator(f'[data-coupon="{coupon.public_id}"]').get_by_text("사용 대기")).to_be_visible()

    # The stall's record reaches the server: online again, the coupon says it was used.
    coupon.redeem(via="scan", by=merchant)
    page.context.set_offline(False)
    page.reload()
    expect(page.get_by_text("인터넷이 끊겨 있습니다.")).to_be_hidden()
    expect(page.locator("[data-pending-badge]:visible")).to_have_count(0)
    assert page.evaluate("localStorage.getItem('dangol.pending-uses')") == "{}"
    expect(page.get_by_role("link", name="햇살과일 · 사은품: 김치 한 포기")).to_be_visible()


def _stall_phone(browser, live_server, merchant, store, *, init_script=None):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ko-KR")
    context.add_cookies([_session_cookie(merchant, live_server)])
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    page.goto(f"{live_server.url}/m/{store.public_id}/stall/")
    expect(page.locator("#synced-at[data-kept]")).to_be_attached(timeout=15000)
    _kept(
        page,
        f"/m/{store.public_id}/stall/",
        "/static/coupons/stall-offline.js",
        "/static/coupons/vendor/noble-ed25519-3.0.1/index.js",
        "/static/coupons/vendor/jsqr-1.4.0/jsQR.js",
    )
    return context, page, errors


def _present(page, text, amount=""):
    page.get_by_label("쿠폰 번호 (8자리)").fill(text)
    page.get_by_label("구매 금액 (선택, 원)").fill(amount)
    page.get_by_role("button", name="사용 처리").click()


# On PostgreSQL only: three phones sync while the test reads the database, and an in-memory SQLite shares
# one connection between the live server's thread and the test's, so a write meeting a read fails there
# ("cannot open savepoint") and the phone waits for its next sync.
@pytest.mark.postgres
def test_two_stall_phones_redeem_offline_and_the_server_keeps_each_once_and_reports_the_double_use(
    browser_page, assert_accessible, live_server, postgres, store, merchant, customer, stranger
):
    apples = Campaign.objects.create(store=store, kind="amount", amount_off=2000, min_purchase=10000, valid_days=14)
    pears = Campaign.objects.create(store=store, kind="gift", gift="배 하나", valid_days=14)
    first, second = apples.claim(customer=customer), pears.claim(customer=customer)
    third = pears.claim(customer=stranger)
    cancelled = Campaign.objects.create(store=store, kind="percent", percent_off=10, valid_days=7)
    revoked = cancelled.claim(customer=stranger)
    revoked.revoke()
    stamp_program_start(
        store=store,
        by=merchant,
        goal=5,
        reward=_gift("귤 한 봉지"),
        reward_days=30,
        expires_from="last",
        limit_mode="daily",
    )

    browser = browser_page.context.browser
    one, counter, errors_one = _stall_phone(browser, live_server, merchant, store)
    two, other, errors_two = _stall_phone(browser, live_server, merchant, store, init_script=NO_WEBCRYPTO_ED25519)
    _go_offline(counter)
    _go_offline(other)
    counter.reload()
    other.reload()
    expect(counter.get_by_text("인터넷이 끊겨 있습니다.")).to_be_visible()

    _present(counter, first.token(), "8000")
    expect(counter.get_by_role("alert")).to_have_text("10,000원 이상 살 때 쓸 수 있는 쿠폰입니다.")
    _present(counter, first.token(), "12000")
    expect(counter.get_by_role("status").get_by_text("사용 처리 (인터넷 연결 대기): 2,000원 할인")).to_be_visible()
    _present(counter, second.display_code.lower().replace("-", " "))
    expect(
        counter.get_by_text(f"사용 처리 (인터넷 연결 대기): 사은품: 배 하나 ({second.display_code})")
    ).to_be_visible()
    _present(counter, third.token())
    expect(counter.get_by_text(f"({third.display_code})").first).to_be_visible()
    _present(counter, revoked.token())
    expect(counter.get_by_role("alert")).to_have_text("가게에서 취소한 쿠폰이라 쓸 수 없습니다.")
    _present(counter, first.token(), "15000")
    expect(counter.get_by_role("alert")).to_contain_text("이미 사용한 쿠폰입니다.")
    _present(counter, first.token()[:-3] + "AAA")
    expect(counter.get_by_role("alert")).to_have_text(
        "이 QR로는 쿠폰을 확인할 수 없습니다. 쿠폰 번호를 직접 입력해 주세요."
    )
    counter.locator("#member-form [name=token]").evaluate(
        "(input, value) => { input.value = value; }", member_token(customer)
    )
    counter.locator("#member-form").evaluate("form => form.requestSubmit()")
    expect(counter.get_by_text("도장 기록 (인터넷이 돌아오면 확인합니다)")).to_be_visible()
    expect(counter.locator("#queue-count")).to_have_text("4")
    assert_accessible(counter)

    # The second phone never heard of the first one's use, and checks the QR with noble-ed25519.
    other.wait_for_timeout(1100)
    _present(other, first.token(), "20000")
    expect(other.get_by_text("사용 처리 (인터넷 연결 대기): 2,000원 할인")).to_be_visible()
    expect(other.locator("#queue-count")).to_have_text("1")
    assert Redemption.objects.count() == 0 and Stamp.objects.count() == 0

    # The later use reaches the server first; the earlier one still counts once it arrives.
    two.set_offline(False)
    _wait_until(other, lambda: Redemption.objects.count() == 1, "the second phone's record")
    one.set_offline(False)
    _wait_until(counter, lambda: DoubleUse.objects.count() == 1 and Redemption.objects.count() == 3, "the sync")
    _wait_until(counter, lambda: Stamp.objects.count() == 1, "the stamp")
    expect(counter.locator("#queue-count")).to_have_text("0")

    kept = Redemption.objects.get(coupon=first)
    double = DoubleUse.objects.get()
    assert (kept.amount, kept.discount, double.amount, double.kept) == (12000, 2000, 20000, kept)
    assert kept.created_at < double.used_at
    assert sorted(Redemption.objects.values_list("coupon_id", flat=True)) == sorted([first.pk, second.pk, third.pk])
    assert Stamp.objects.get().customer == customer

    counter.reload()
    report = counter.locator("#double-uses")
    expect(report.get_by_role("heading", name="두 번 쓰인 쿠폰")).to_be_visible()
    expect(report.get_by_text(first.display_code)).to_be_visible()
    expect(report.get_by_text("12,000원")).to_be_visible()
    expect(report.get_by_text("20,000원")).to_be_visible()
    assert_accessible(counter)
    assert not errors_one and not errors_two, errors_one + errors_two
    one.close()
    two.close()


def _go_offline(page):
    """Offline for the page and its service worker, and wait until the page itself sees it."""
    page.context.set_offline(True)
    page.wait_for_function("() => navigator.onLine === false")
