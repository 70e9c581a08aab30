"""Production refuses unsafe settings; every page carries the security headers; sessions slide."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings

from dangol.core.checks import unsafe_settings

ROOT = Path(__file__).resolve().parents[3]
STRONG_KEY = "k3Y-" + "x9Qz" * 15


def _ids(**overrides):
    from django.test import override_settings

    with override_settings(**overrides):
        return sorted(problem.id for problem in unsafe_settings())


def test_debug_mode_refuses_nothing():
    assert _ids(DEBUG=True, SECRET_KEY=django_settings.DEV_SECRET_KEY) == []


def test_production_refuses_the_development_key_the_console_sms_and_the_test_payments():
    found = _ids(
        DEBUG=False,
        SECRET_KEY=django_settings.DEV_SECRET_KEY,
        SMS_BACKEND="dangol.accounts.sms.ConsoleSMS",
        PAYMENTS_PROVIDER="test",
        DEMO=False,
    )
    assert found == ["dangol.E001", "dangol.E003", "dangol.E004"]


def test_production_refuses_a_short_key():
    assert _ids(DEBUG=False, SECRET_KEY="short-key", SMS_BACKEND="x.Real", PAYMENTS_PROVIDER="toss") == ["dangol.E002"]


def test_solapi_without_its_keys_is_refused():
    common = {"DEBUG": False, "SECRET_KEY": STRONG_KEY, "PAYMENTS_PROVIDER": "toss", "DEMO": False}
    solapi = "dangol.accounts.sms.SolapiSMS"
    assert _ids(SMS_BACKEND=solapi, SOLAPI_API_KEY="", SOLAPI_API_SECRET="", SMS_SENDER="", **common) == ["dangol.E005"]
    ready = {"SOLAPI_API_KEY": "k", "SOLAPI_API_SECRET": "s", "SMS_SENDER": "+8215881234"}
    assert _ids(SMS_BACKEND=solapi, **ready, **common) == []


def test_a_demo_may_use_the_console_sms_and_test_payments_but_still_needs_a_key():
    common = {
        "DEBUG": False,
        "SMS_BACKEND": "dangol.accounts.sms.ConsoleSMS",
        "PAYMENTS_PROVIDER": "test",
        "DEMO": True,
    }
    assert _ids(SECRET_KEY=STRONG_KEY, **common) == []
    assert _ids(SECRET_KEY=django_settings.DEV_SECRET_KEY, **common) == ["dangol.E001"]


def _run(code_or_args, **env):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("DANGOL_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment.update(env)
    return subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, *code_or_args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_management_commands_and_the_web_server_refuse_to_start_on_unsafe_settings():
    command = _run(["manage.py", "check"], DANGOL_DEBUG="0")
    assert command.returncode != 0
    assert "dangol.E001" in command.stderr
    server = _run(["-c", "import dangol.wsgi"], DANGOL_DEBUG="0")
    assert server.returncode != 0
    assert "Dangol refuses to start" in server.stderr
    safe = _run(
        ["-c", "import dangol.wsgi"],
        DANGOL_DEBUG="0",
        DANGOL_SECRET_KEY=STRONG_KEY,
        DANGOL_DEMO="1",
        DANGOL_VAR_DIR=str(ROOT / "var"),
    )
    assert safe.returncode == 0, safe.stderr


@pytest.mark.slow
def test_behind_tls_the_site_sends_hsts_redirects_to_https_and_trusts_the_proxy_header():
    printed = _run(
        [
            "-c",
            "import django,os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','dangol.settings'); django.setup();"
            "from django.conf import settings as s;"
            "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)",
        ],
        DANGOL_HTTPS="1",
    )
    assert printed.stdout.split() == ["31536000", "True", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')"]


def test_pages_carry_a_content_security_policy_without_inline_scripts(client, db):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=(self)" in response.headers["Permissions-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_with_debug_off_cookies_are_secure_by_default():
    assert django_settings.DEBUG is False
    assert django_settings.SESSION_COOKIE_SECURE is True


def test_a_session_in_use_is_renewed_once_half_its_life_has_passed(client, customer):
    with time_machine.travel("2026-11-01 10:00 +0900", tick=False):
        client.force_login(customer, backend="dangol.accounts.backends.PhoneCodeBackend")
        first = client.cookies["sessionid"]["expires"]
    with time_machine.travel("2026-11-10 10:00 +0900", tick=False):
        client.get("/my/stores/")
        assert client.cookies["sessionid"]["expires"] == first  # not yet: no write
    with time_machine.travel("2026-11-20 10:00 +0900", tick=False):
        assert client.get("/my/stores/").status_code == 200
        renewed = client.cookies["sessionid"]["expires"]
    assert renewed != first
    assert renewed == "Sun, 20 Dec 2026 01:00:00 GMT"  # 30 days from the 20th of November
    with time_machine.travel("2026-12-15 10:00 +0900", tick=False):
        assert client.get("/my/stores/").status_code == 200  # past the first expiry, still signed in


@pytest.mark.slow
def test_check_deploy_passes_with_production_settings():
    checked = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DANGOL_DEBUG="0",
        DANGOL_SECRET_KEY=STRONG_KEY,
        DANGOL_HTTPS="1",
        DANGOL_SMS_BACKEND="dangol.accounts.sms.SolapiSMS",
        DANGOL_SOLAPI_API_KEY="NCSTEST",
        DANGOL_SOLAPI_API_SECRET="secret",
        DANGOL_SMS_SENDER="+8215881234",
        DANGOL_PAYMENTS_PROVIDER="toss",
        DANGOL_TOSS_CLIENT_KEY="test_ck_x",
        DANGOL_TOSS_SECRET_KEY="test_sk_x",
        DANGOL_ALLOWED_HOSTS="dangol.example.kr",
    )
    assert checked.returncode == 0, checked.stderr + checked.stdout
    assert "no issues" in checked.stdout
