"""Sign-in as an attacker would try it: forged addresses, guessing all day, paid foreign texts, codes in logs."""

import logging
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from dangol.accounts import sms
from dangol.accounts.models import PhoneCode, PhoneThrottle, User

PHONE = "010-5555-1234"
E164 = "+821055551234"
LOCKED = "틀린 인증번호가 너무 많이 입력되어 오늘은 이 번호로 로그인할 수 없습니다. 내일 다시 시도해 주세요."


def _code():
    return re.search(r"\d{6}", sms.outbox[-1]["text"]).group()


def _wrong(code):
    return "000000" if code != "000000" else "111111"


def _ask(client, phone=PHONE, **meta):
    return client.post("/api/v1/auth/code", {"phone": phone}, content_type="application/json", **meta)


def _verify(client, code, phone=PHONE):
    return client.post("/api/v1/auth/verify", {"phone": phone, "code": code}, content_type="application/json")


# The client's address


def test_a_made_up_forwarded_for_header_does_not_escape_the_address_limit(db, settings):
    settings.SIGN_IN_CODES_PER_ADDRESS = 20
    client = Client()
    for n in range(20):
        assert _ask(client, f"010-5555-{n:04d}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code == 202
    response = _ask(client, "010-5555-0099", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert response.status_code == 429
    assert response.json()["detail"] == "이 기기에서 요청이 너무 많습니다. 1시간 뒤에 다시 시도해 주세요."
    assert set(PhoneCode.objects.values_list("requested_from", flat=True)) == {"127.0.0.1"}
    assert len(sms.outbox) == 20


@pytest.mark.parametrize("forwarded", ["not-an-ip", "198.51.100.7", "not-an-ip, 198.51.100.7", "1.2.3.4, 999.1.1.1"])
def test_behind_our_proxy_only_the_hop_it_appended_counts(db, settings, forwarded):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    _ask(Client(), HTTP_X_FORWARDED_FOR=f"{forwarded}, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert PhoneCode.objects.get().requested_from == "203.0.113.9"


def test_a_client_that_skips_our_proxy_is_counted_by_its_own_address(db, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    _ask(Client(), HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.2", REMOTE_ADDR="203.0.113.66")
    assert PhoneCode.objects.get().requested_from == "203.0.113.66"


def test_a_proxy_range_is_trusted_and_a_missing_header_counts_the_proxy(db, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    client = Client()
    _ask(client, "010-5555-0001", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.7")
    _ask(client, "010-5555-0002", REMOTE_ADDR="10.0.0.7")
    assert list(PhoneCode.objects.order_by("id").values_list("requested_from", flat=True)) == [
        "203.0.113.9",
        "10.0.0.7",
    ]


# Guessing


def test_codes_for_one_phone_stop_at_the_daily_cap_and_start_again_the_next_day(db, settings):
    settings.SIGN_IN_CODES_PER_PHONE = 5
    settings.SIGN_IN_CODES_PER_DAY = 10
    client = Client()
    for minutes in (0, 16, 32):
        with time_machine.travel(f"2026-11-26 10:{minutes:02d} +0900", tick=False):
            for _ in range(5):
                _ask(client)
    assert PhoneCode.objects.count() == 10
    with time_machine.travel("2026-11-26 10:32 +0900", tick=False):
        assert PhoneCode.objects.count() == 10
    with time_machine.travel("2026-11-26 23:59 +0900", tick=False):
        response = _ask(client)
    assert response.status_code == 429
    assert response.json()["detail"] == "오늘은 이 번호로 인증번호를 더 보낼 수 없습니다. 내일 다시 시도해 주세요."
    assert len(sms.outbox) == 10
    with time_machine.travel("2026-11-27 00:00 +0900", tick=False):
        assert _ask(client).status_code == 202


def test_ten_wrong_codes_in_a_day_lock_the_phone_until_midnight_and_tell_its_owner(
    db, settings, django_capture_on_commit_callbacks
):
    client = Client()
    with time_machine.travel("2026-11-26 10:00 +0900", tick=False):
        for _ in range(2):  # five wrong tries kill a code; the next code's tries count on
            _ask(client)
            code = _code()
            for n in range(5):
                with django_capture_on_commit_callbacks(execute=True):
                    response = _verify(client, _wrong(code))
                expected = 429 if n == 4 and PhoneCode.objects.count() == 2 else 400
                assert response.status_code == expected
    assert response.json()["detail"] == LOCKED
    notice = sms.outbox[-1]
    assert notice["to"] == E164 and "로그인을 막았습니다" in notice["text"]
    assert not re.search(r"\d{6}", notice["text"])
    with time_machine.travel("2026-11-26 23:59 +0900", tick=False):
        refused = _ask(client)
        assert refused.status_code == 429 and refused.json()["detail"] == LOCKED
        assert _verify(client, code).status_code == 429
    assert PhoneCode.objects.count() == 2
    assert not User.objects.exists() and "_auth_user_id" not in client.session
    with time_machine.travel("2026-11-27 00:00 +0900", tick=False):
        assert _ask(client).status_code == 202
        assert _verify(client, _code()).status_code == 200


def test_a_locked_phone_refuses_even_the_right_code_and_says_so_on_the_page(client, db, settings):
    settings.SIGN_IN_WRONG_CODES_PER_DAY = 1
    client.post(reverse("accounts:sign_in"), {"phone": PHONE})
    code = _code()
    client.post(reverse("accounts:sign_in_code"), {"code": _wrong(code)})
    response = client.post(reverse("accounts:sign_in_code"), {"code": code})
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert PhoneCode.objects.get().used_at is None
    assert PhoneThrottle.objects.get(phone=E164).wrong_codes == 1


def test_support_unlocks_a_phone_by_emptying_its_lock(db, settings):
    settings.SIGN_IN_WRONG_CODES_PER_DAY = 1
    client = Client()
    _ask(client)
    code = _code()
    _verify(client, _wrong(code))
    PhoneThrottle.objects.filter(phone=E164).update(locked_until=None)
    assert _verify(client, code).status_code == 200


# Foreign numbers


@pytest.mark.parametrize("phone", ["+44 7400 123456", "+86 139 1234 5678", "+81 90-1234-5678"])
def test_a_foreign_mobile_number_gets_no_text_and_a_clear_answer(db, phone):
    response = _ask(Client(), phone)
    assert response.status_code == 400
    assert response.json()["errors"] == {"phone": ["국내 휴대폰 번호(010 등)로만 로그인할 수 있습니다."]}
    assert sms.outbox == []
    assert not PhoneCode.objects.exists() and not PhoneThrottle.objects.exists()


def test_the_sign_in_page_says_the_same_about_a_foreign_number(client, db):
    response = client.post(reverse("accounts:sign_in"), {"phone": "+44 7400 123456"})
    assert "국내 휴대폰 번호(010 등)로만 로그인할 수 있습니다." in response.content.decode()
    assert sms.outbox == []


def test_a_setting_lets_foreign_numbers_sign_in(db, settings):
    settings.SIGN_IN_FOREIGN_NUMBERS = True
    client = Client()
    assert _ask(client, "+44 7400 123456").status_code == 202
    assert sms.outbox[-1]["to"] == "+447400123456"
    assert _verify(client, _code(), phone="+44 7400 123456").status_code == 200


def test_korean_mobile_numbers_in_every_spelling_still_get_a_code(db):
    client = Client()
    for phone in ["010-5555-0001", "01055550002", "+82 10 5555 0003", "011-555-0004"]:
        assert _ask(client, phone).status_code == 202, phone
    assert len(sms.outbox) == 4


# Logs


def test_no_code_or_digest_reaches_the_logs(db, settings, caplog, django_capture_on_commit_callbacks):
    settings.SIGN_IN_WRONG_CODES_PER_DAY = 1
    caplog.set_level(logging.DEBUG)
    client = Client()
    _ask(client)
    code = _code()
    with django_capture_on_commit_callbacks(execute=True):
        _verify(client, _wrong(code))
    digest = PhoneCode.objects.get().digest
    assert caplog.records, "the lock is logged"
    assert code not in caplog.text and digest not in caplog.text
    assert "5555-1234" not in caplog.text.replace("****-1234", "")
