"""Checking a sign-in code: bad input and deactivated accounts get a clear answer on both doors,
and the words people read come from the settings."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from dangol.accounts import sms
from dangol.accounts.models import PhoneCode, User

PHONE = "010-5555-1234"
DEACTIVATED = "사용이 중지된 계정입니다. 고객센터에 문의해 주세요."


def _code():
    return re.search(r"\d{6}", sms.outbox[-1]["text"]).group()


def _ask(client, phone=PHONE):
    return client.post("/api/v1/auth/code", {"phone": phone}, content_type="application/json")


def _verify(client, code, phone=PHONE):
    return client.post("/api/v1/auth/verify", {"phone": phone, "code": code}, content_type="application/json")


@pytest.mark.parametrize("code", ["", "   ", "12ab56", "1234567", "１２３４５６"])
def test_the_api_answers_a_code_that_is_not_six_digits_with_a_field_error(db, code):
    client = Client()
    assert _ask(client).status_code == 202
    response = _verify(client, code)
    assert response.status_code == 400
    assert response.json()["errors"] == {"code": ["인증번호 6자리 숫자를 입력해 주세요."]}
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()
    assert PhoneCode.objects.get().attempts == 0


def test_the_page_says_the_same_about_a_code_that_is_not_six_digits(client, db):
    client.post(reverse("accounts:sign_in"), {"phone": PHONE})
    response = client.post(reverse("accounts:sign_in_code"), {"code": ""})
    assert response.status_code == 200
    assert "인증번호 6자리 숫자를 입력해 주세요." in response.content.decode()


@pytest.fixture
def deactivated(db):
    return User.objects.create_user("+821055551234", is_active=False)


def test_a_deactivated_account_gets_a_clear_403_and_no_session_from_the_api(deactivated):
    client = Client()
    _ask(client)
    response = _verify(client, _code())
    assert response.status_code == 403
    assert response.json()["detail"] == DEACTIVATED
    assert "_auth_user_id" not in client.session
    assert client.get("/api/v1/auth/me").status_code == 401
    deactivated.refresh_from_db()
    assert deactivated.last_login is None and not deactivated.is_active
    assert PhoneCode.objects.get().used_at is None
    assert User.objects.count() == 1


def test_a_deactivated_account_reads_the_same_on_the_page(client, deactivated):
    client.post(reverse("accounts:sign_in"), {"phone": PHONE})
    response = client.post(reverse("accounts:sign_in_code"), {"code": _code()})
    assert response.status_code == 200
    assert DEACTIVATED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_code_for_a_deactivated_account_does_not_tell_that_it_was_deactivated(deactivated):
    client = Client()
    _ask(client)
    wrong = "000000" if _code() != "000000" else "111111"
    response = _verify(client, wrong)
    assert response.status_code == 400
    assert response.json()["detail"] == "인증번호가 맞지 않거나 만료되었습니다. 다시 받아 주세요."
    assert PhoneCode.objects.get().attempts == 1


def test_the_code_lifetime_and_attempts_people_read_come_from_the_settings(client, db, settings):
    settings.SIGN_IN_CODE_TTL_SECONDS = 600
    settings.SIGN_IN_MAX_ATTEMPTS = 3
    client.post(reverse("accounts:sign_in"), {"phone": PHONE})
    assert "10분 안에 입력해 주세요" in sms.outbox[-1]["text"]
    page = client.get(reverse("accounts:sign_in_code")).content.decode()
    assert "10분 동안 쓸 수 있고, 3번 틀리면 다시 받아야 합니다" in page
    record = PhoneCode.objects.get()
    assert (record.expires_at - record.created_at).total_seconds() == 600


def test_asking_too_often_through_the_api_gets_429_in_korean(db, settings):
    settings.SIGN_IN_CODES_PER_PHONE = 1
    client = Client()
    assert _ask(client).status_code == 202
    response = _ask(client)
    assert response.status_code == 429
    assert response.json()["errors"] == {"phone": ["인증번호를 너무 자주 요청했습니다. 15분 뒤에 다시 시도해 주세요."]}
    assert PhoneCode.objects.count() == 1
