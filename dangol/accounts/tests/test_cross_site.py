"""Another site's page can neither make its visitors' browsers ask for texts nor sign them in (login CSRF);
our own pages and apps still can."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from dangol.accounts import sms
from dangol.accounts.models import PhoneCode, User

PHONE = "010-5555-1234"
CROSS_SITE = "다른 사이트에서 보낸 로그인 요청은 받지 않습니다. 단골 화면에서 다시 시도해 주세요."


def _code():
    return re.search(r"\d{6}", sms.outbox[-1]["text"]).group()


def _post(path, body, content_type="application/json", **headers):
    return Client().post(path, json.dumps(body), content_type=content_type, headers=headers)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_body_a_browser_sends_cross_site_without_asking_is_refused(db, content_type):
    response = _post("/api/v1/auth/code", {"phone": PHONE}, content_type=content_type)
    assert response.status_code == 415
    assert response.json() == {"detail": "요청 본문은 JSON(application/json)이어야 합니다."}
    assert sms.outbox == [] and not PhoneCode.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://testserver.evil.example"},
        {"Referer": "https://evil.example/page"},
        {"Origin": "https://evil.example", "Referer": "http://testserver/accounts/sign-in/"},
    ],
)
def test_another_site_cannot_make_a_visitor_ask_for_a_text(db, headers):
    response = _post("/api/v1/auth/code", {"phone": PHONE}, **headers)
    assert response.status_code == 403
    assert response.json() == {"detail": CROSS_SITE}
    assert sms.outbox == [] and not PhoneCode.objects.exists()


def test_another_site_cannot_sign_a_visitor_into_the_attackers_account(db):
    attacker = Client()
    assert attacker.post("/api/v1/auth/code", {"phone": PHONE}, content_type="application/json").status_code == 202
    code = _code()
    visitor = Client()
    for content_type, headers in [("text/plain", {}), ("application/json", {"Origin": "https://evil.example"})]:
        response = visitor.post(
            "/api/v1/auth/verify",
            json.dumps({"phone": PHONE, "code": code}),
            content_type=content_type,
            headers=headers,
        )
        assert response.status_code in (403, 415)
        assert "_auth_user_id" not in visitor.session
    assert not User.objects.exists()
    assert PhoneCode.objects.get().used_at is None and PhoneCode.objects.get().attempts == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://testserver"},
        {"Referer": "http://testserver/accounts/sign-in/"},
        {"Origin": "https://dangol.example"},  # SITE_URL
        {"Origin": "https://app.dangol.example"},  # CSRF_TRUSTED_ORIGINS
        {},  # a phone app: no page, no visitor's cookies to abuse
    ],
)
def test_our_pages_and_apps_sign_in_through_the_api(db, settings, headers):
    settings.SITE_URL = "https://dangol.example"
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.dangol.example"]
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    response = client.post("/api/v1/auth/code", {"phone": PHONE}, content_type="application/json", headers=headers)
    assert response.status_code == 202
    response = client.post(
        "/api/v1/auth/verify", {"phone": PHONE, "code": _code()}, content_type="application/json", headers=headers
    )
    assert response.status_code == 200
    assert client.get("/api/v1/auth/me").json()["phone"] == "010-5555-1234"


def test_the_web_sign_in_pages_keep_working_with_their_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("accounts:sign_in")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(reverse("accounts:sign_in"), {"phone": PHONE, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    page = client.get(reverse("accounts:sign_in_code")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(reverse("accounts:sign_in_code"), {"code": _code(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_the_web_sign_in_pages_refuse_a_post_without_the_token(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:sign_in"), {"phone": PHONE})
    assert response.status_code == 403
    assert sms.outbox == []


def test_the_api_document_promises_the_refusals(db, client):
    spec = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/auth/code", "/api/v1/auth/verify"):
        assert {"403", "415", "429"} <= set(spec["paths"][path]["post"]["responses"])
