"""axe-core over every customer, merchant and program screen, in normal and in large text.

One browser walks them all (to keep the sweep quick); every serious or critical violation of every
page is collected, so one run names them all.
"""

import pytest
from django.conf import settings
from django.test import Client

from .conftest import screens as screens_of

pytestmark = pytest.mark.browser


def _session(user):
    client = Client()
    client.force_login(user, backend="dangol.accounts.backends.PhoneCodeBackend")
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_every_screen_has_no_serious_accessibility_violations_in_normal_and_large_text(
    browser_page, assert_accessible, live_server, world, store, market, merchant, customer, market_admin
):
    page = browser_page
    screens = screens_of(world, store, market, merchant, customer, market_admin)
    sessions = {user: _session(user) for user, _path in screens if user is not None}
    found = []
    for large in ("0", "1"):
        for user, path in screens:
            page.context.clear_cookies()
            cookies = [{"name": "large_text", "value": large, "url": live_server.url}]
            if user is not None:
                cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": sessions[user], "url": live_server.url})
            page.context.add_cookies(cookies)
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, (path, response.status)
            try:
                assert_accessible(page)
            except AssertionError as violations:
                found.append(f"{path} (large_text={large}, {user or 'anonymous'}):\n{violations}")
    assert not found, "\n\n".join(found)
