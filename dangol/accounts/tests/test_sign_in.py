import datetime as dt
import re

import time_machine
from django.urls import reverse

from dangol.accounts import sms
from dangol.accounts.models import PhoneCode, User


def _code():
    return re.search(r"\d{6}", sms.outbox[-1]["text"]).group()


def _request_code(client, phone="010-5555-1234", address="203.0.113.5"):
    return client.post(reverse("accounts:sign_in"), {"phone": phone}, REMOTE_ADDR=address)


def test_it_signs_in_a_new_customer_with_a_texted_code(client, db):
    response = _request_code(client)
    assert response.status_code == 302
    assert sms.outbox[-1]["to"] == "+821055551234"
    response = client.post(reverse("accounts:sign_in_code"), {"code": _code()})
    assert response.status_code == 302
    user = User.objects.get(phone="+821055551234")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert not user.has_usable_password()


def test_it_stores_only_a_hash_of_the_code(client, db):
    _request_code(client)
    record = PhoneCode.objects.get()
    assert _code() not in record.digest


def test_it_refuses_a_wrong_code_and_keeps_the_visitor_signed_out(client, db):
    _request_code(client)
    wrong = "000000" if _code() != "000000" else "111111"
    response = client.post(reverse("accounts:sign_in_code"), {"code": wrong})
    assert response.status_code == 200
    assert "인증번호가 맞지 않거나 만료되었습니다" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()


def test_it_refuses_an_expired_code(client, db):
    with time_machine.travel("2026-11-26 10:00 +0900", tick=False):
        _request_code(client)
        code = _code()
    with time_machine.travel("2026-11-26 10:05:01 +0900", tick=False):
        response = client.post(reverse("accounts:sign_in_code"), {"code": code})
    assert "만료" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_code_works_only_once(client, db):
    _request_code(client)
    code = _code()
    client.post(reverse("accounts:sign_in_code"), {"code": code})
    client.logout()
    session = client.session
    session["sign_in_phone"] = "+821055551234"
    session.save()
    response = client.post(reverse("accounts:sign_in_code"), {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_code_dies_after_five_wrong_tries(client, db):
    _request_code(client)
    code = _code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(reverse("accounts:sign_in_code"), {"code": wrong})
    response = client.post(reverse("accounts:sign_in_code"), {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_only_the_newest_code_counts(client, db):
    _request_code(client)
    first = _code()
    _request_code(client)
    second = _code()
    if first != second:
        response = client.post(reverse("accounts:sign_in_code"), {"code": first})
        assert "_auth_user_id" not in client.session
        assert response.status_code == 200
    client.post(reverse("accounts:sign_in_code"), {"code": second})
    assert "_auth_user_id" in client.session


def test_it_limits_codes_per_phone_number(client, db, settings):
    settings.SIGN_IN_CODES_PER_PHONE = 3
    for n in range(3):
        assert _request_code(client, address=f"203.0.113.{n}").status_code == 302
    response = _request_code(client, address="203.0.113.99")
    assert response.status_code == 200
    assert "너무 자주" in response.content.decode()
    assert PhoneCode.objects.count() == 3
    assert len(sms.outbox) == 3


def test_the_phone_limit_resets_after_fifteen_minutes(client, db, settings):
    settings.SIGN_IN_CODES_PER_PHONE = 1
    with time_machine.travel("2026-11-26 10:00 +0900", tick=False):
        _request_code(client)
    with time_machine.travel("2026-11-26 10:16 +0900", tick=False):
        assert _request_code(client).status_code == 302


def test_it_limits_codes_per_address(client, db, settings):
    settings.SIGN_IN_CODES_PER_ADDRESS = 2
    _request_code(client, phone="010-5555-0001")
    _request_code(client, phone="010-5555-0002")
    response = _request_code(client, phone="010-5555-0003")
    assert "요청이 너무 많습니다" in response.content.decode()
    assert PhoneCode.objects.count() == 2


def test_it_explains_a_number_that_is_not_a_mobile_phone(client, db):
    for phone, message in [("", "입력해 주세요"), ("02-123-4567", "휴대폰 번호"), ("12ab", "형식이 올바르지")]:
        response = _request_code(client, phone=phone)
        assert response.status_code == 200
        assert message in response.content.decode()
    assert not PhoneCode.objects.exists()


def test_the_code_page_refuses_letters(client, db):
    _request_code(client)
    response = client.post(reverse("accounts:sign_in_code"), {"code": "12ab56"})
    assert "6자리 숫자" in response.content.decode()


def test_it_goes_back_where_the_visitor_was_going_but_never_off_site(client, db):
    client.post(reverse("accounts:sign_in"), {"phone": "010-5555-1234", "next": "https://evil.example/"})
    response = client.post(reverse("accounts:sign_in_code"), {"code": _code()})
    assert response["Location"] == reverse("home")
    client.logout()
    client.post(reverse("accounts:sign_in"), {"phone": "010-5555-1234", "next": "/my/stores/"})
    response = client.post(reverse("accounts:sign_in_code"), {"code": _code()})
    assert response["Location"] == "/my/stores/"


def test_code_page_without_a_phone_goes_back_to_the_start(client, db):
    response = client.get(reverse("accounts:sign_in_code"))
    assert response["Location"] == reverse("accounts:sign_in")


def test_it_keeps_codes_for_a_few_minutes_only(db):
    record, _code_text = PhoneCode.issue(phone="+821055551234", address=None)
    assert record.expires_at - record.created_at == dt.timedelta(minutes=5)


def test_staff_sign_in_with_a_code_and_reach_the_admin(client, db):
    User.objects.create_superuser("+821090000001")
    assert client.get("/admin/login/")["Location"] == "/accounts/sign-in/?next=/admin/"
    client.post("/accounts/sign-in/", {"phone": "010-9000-0001", "next": "/admin/"})
    response = client.post(reverse("accounts:sign_in_code"), {"code": _code()})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_customers_do_not_reach_the_admin(signed_in, customer):
    response = signed_in(customer).get("/admin/")
    assert response.status_code == 302
