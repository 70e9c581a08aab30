"""The cast every test draws from, and the rules for tests that need more.

PostgreSQL and browser tests are skipped with a reason outside CI; with
DANGOL_STRICT_TESTS=1 (set by .ci/run) a missing requirement is a failure.
"""

import os
import shutil

import pytest
from django.db import connection, connections
from django.utils import translation

from dangol.accounts import sms
from dangol.accounts.models import User
from dangol.channels.models import Store
from dangol.coupons.models import SigningKey
from dangol.markets.models import Market

STRICT = os.environ.get("DANGOL_STRICT_TESTS") == "1"
CHROMIUM = os.environ.get("DANGOL_CHROMIUM", "/usr/bin/chromium")


def _missing(reason):
    if STRICT:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SMS_BACKEND = "dangol.accounts.sms.LocMemSMS"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    sms.outbox.clear()
    # What a process keeps of the database starts empty, as in a new process: a rolled-back test's store
    # ids come again on SQLite.
    SigningKey.forget_current()
    # A request with English chosen leaves English active in its thread; every test starts in Korean.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def postgres(transactional_db):
    """For tests whose proof needs PostgreSQL's row locks and real concurrency."""
    if connection.vendor != "postgresql":
        _missing("needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)")


@pytest.fixture
def require():
    """require(condition, reason): a system tool a test needs (skipped outside CI, failed in CI)."""

    def check(condition, reason):
        if not condition:
            _missing(reason)

    return check


@pytest.fixture
def chromium_path():
    if not shutil.which(CHROMIUM):
        _missing(f"needs the system Chromium at {CHROMIUM} (Debian: apt-get install chromium)")
    return CHROMIUM


@pytest.fixture
def market(db):
    return Market.objects.create(name="시험시장", address="가상시 시험구 1")


@pytest.fixture
def merchant(db):
    return User.objects.create_user("+821011110001", name="과일가게 사장님")


@pytest.fixture
def other_merchant(db):
    return User.objects.create_user("+821011110002", name="생선가게 사장님")


@pytest.fixture
def customer(db):
    return User.objects.create_user("+821022220001")


@pytest.fixture
def stranger(db):
    return User.objects.create_user("+821099990001")


@pytest.fixture
def market_admin(db, market):
    user = User.objects.create_user("+821033330001", name="상인회")
    market.admins.add(user)
    return user


@pytest.fixture
def store(market, merchant):
    store = Store.objects.create(
        market=market, name="햇살과일", category="fruit", stall_number="가-01", phone="+8221234567"
    )
    store.owners.add(merchant)
    return store


@pytest.fixture
def other_store(market, other_merchant):
    store = Store.objects.create(market=market, name="바다수산", category="fish", stall_number="나-02")
    store.owners.add(other_merchant)
    return store


@pytest.fixture
def signed_in(client):
    """signed_in(user) → a test client with that user's session."""

    def sign_in(user):
        client.force_login(user, backend="dangol.accounts.backends.PhoneCodeBackend")
        return client

    return sign_in


CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def live_server(django_db_setup):
    """pytest-django's live server, started after the test database so that it stops,
    and lets go of its connection, before that database is dropped."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer(os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS", "localhost"))
    yield server
    server.stop()


@pytest.fixture
def browser_page(chromium_path, live_server):
    """A phone-sized Chromium page (Playwright) next to the live server."""
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs beside the ORM in this thread
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="ko-KR")
        yield context.new_page()
        browser.close()
        # Queries made while Playwright ran went through a connection of their own; let it go.
        connections.close_all()


@pytest.fixture
def assert_accessible():
    """assert_accessible(page): no serious or critical axe-core violations on the page."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        violations = axe.run(page).response["violations"]
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not serious, "\n".join(
            f"{v['id']}: {v['help']} → {[n['target'] for n in v['nodes']][:3]}" for v in serious
        )

    return check
