"""Every control a finger must hit is at least 48 px tall, on the screens merchants and customers use most."""

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.browser

MIN_PX = 48
# Header links and buttons, form fields, and the labels that carry checkboxes and radio buttons.
TARGETS = (
    "header.top nav a, header.top nav button, main button, main .button, "
    "main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), main select, "
    "main label.check, main ul.radios label, main div[id^=id_] > div > label"
)


def _sign_in(page, live_server, user):
    client = Client()
    client.force_login(user, backend="dangol.accounts.backends.PhoneCodeBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def _too_small(page):
    return page.eval_on_selector_all(
        TARGETS,
        """(els, min) => els
            .filter(el => el.offsetParent !== null)
            .map(el => [el.outerHTML.slice(0, 90), Math.round(el.getBoundingClientRect().height)])
            .filter(([, h]) => h < min)""",
        MIN_PX,
    )


def test_merchant_and_customer_screens_have_big_enough_targets(
    browser_page, live_server, transactional_db, store, merchant, customer
):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/sign-in/")
    assert _too_small(page) == []
    _sign_in(page, live_server, customer)
    page.goto(f"{live_server.url}/s/{store.public_id}/follow/")
    assert _too_small(page) == []
    page.context.clear_cookies()
    _sign_in(page, live_server, merchant)
    for path in (f"/m/{store.public_id}/", f"/m/{store.public_id}/profile/", f"/m/{store.public_id}/messages/new/"):
        page.goto(f"{live_server.url}{path}")
        assert _too_small(page) == [], path
