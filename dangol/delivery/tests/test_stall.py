"""Following by SMS alone, at the stall: the merchant types the number, the customer reads back the code."""

import re

import pytest
import time_machine
from django.urls import reverse

from dangol.accounts import sms
from dangol.accounts.models import PhoneCode, PhoneThrottle, User
from dangol.channels.models import ConsentEvent, Follow
from dangol.delivery.models import ChannelChoice, Delivery, MessageCredit, StallSignup
from dangol.delivery.services import deliveries_send_due
from dangol.messaging.services import message_send

PHONE = "+821055557777"
NOON = "2026-11-26 12:00 +0900"


def _start_url(store):
    return f"/m/{store.public_id}/regulars/by-sms/"


def _ask(client, store, *, phone="010-5555-7777", ads="yes", night="no"):
    return client.post(_start_url(store), {"phone": phone, "ads": ads, "night": night})


def _code():
    return re.search(r"\d{6}", sms.outbox[-1]["text"]).group()


def _confirm(client, store, code, signup=None):
    signup = signup or StallSignup.objects.latest("pk")
    return client.post(f"/m/{store.public_id}/regulars/by-sms/{signup.public_id}/", {"code": code})


def _nothing_written():
    assert not Follow.objects.exists()
    assert not ConsentEvent.objects.exists()
    assert not ChannelChoice.objects.exists()


@time_machine.travel(NOON, tick=False)
def test_a_customer_without_a_smartphone_follows_by_sms_at_the_stall(signed_in, merchant, store, market):
    MessageCredit.top_up(market=market, amount=1000)
    client = signed_in(merchant)
    page = client.get(_start_url(store)).content.decode()
    assert "광고 문자를 밤 9시부터 아침 8시 사이에도 받으시겠어요?" in page and "확인번호 문자 보내기" in page

    response = _ask(client, store, ads="yes", night="no")
    signup = StallSignup.objects.get()
    assert response.status_code == 302 and response.url == f"/m/{store.public_id}/regulars/by-sms/{signup.public_id}/"
    [text] = sms.outbox
    assert text["to"] == PHONE
    assert "[단골] 햇살과일 단골 등록" in text["text"]
    assert "광고 문자: 받음, 밤 광고(21시~08시): 받지 않음" in text["text"]
    assert not Follow.objects.exists()
    confirm_page = client.get(response.url).content.decode()
    assert "010-****-7777" in confirm_page and "확인번호 여섯 자리를 불러 주세요" in confirm_page

    response = _confirm(client, store, _code())
    assert response.status_code == 302 and response.url == _start_url(store)
    assert "010-****-7777 손님이 단골이 되었습니다." in client.get(response.url).content.decode()
    customer = User.objects.get(phone=PHONE)
    follow = Follow.objects.get(customer=customer, store=store)
    assert follow.is_active and follow.ads_consent and not follow.night_consent
    events = set(ConsentEvent.objects.filter(customer=customer).values_list("kind", "action", "via"))
    assert events == {("collection", "given", "stall"), ("ads", "given", "stall"), ("night", "refused", "stall")}
    assert ChannelChoice.objects.get(customer=customer, store=store).channel == "sms"

    # The consent record reaches them by SMS, the only way they read anything.
    deliveries_send_due()
    receipt = sms.outbox[-1]
    assert receipt["to"] == PHONE and receipt["text"].startswith("[햇살과일] ") and "동의 기록" in receipt["text"]
    assert "[햇살과일] [햇살과일]" not in receipt["text"]
    assert MessageCredit.objects.get(market=market).balance == 1000  # a receipt the law asks for is free


@time_machine.travel(NOON, tick=False)
def test_the_consent_receipt_goes_by_sms_even_without_credit(signed_in, merchant, store):
    client = signed_in(merchant)
    _ask(client, store)
    _confirm(client, store, _code())
    deliveries_send_due()
    assert sms.outbox[-1]["to"] == PHONE and "동의 기록" in sms.outbox[-1]["text"]
    assert Delivery.objects.get(customer__phone=PHONE, channel="sms").state == "sent"


@time_machine.travel(NOON, tick=False)
def test_night_ads_are_recorded_only_when_chosen_with_ads(signed_in, merchant, store):
    client = signed_in(merchant)
    _ask(client, store, ads="yes", night="yes")
    assert "밤 광고(21시~08시): 받음" in sms.outbox[-1]["text"]
    _confirm(client, store, _code())
    follow = Follow.objects.get(store=store)
    assert follow.ads_consent and follow.night_consent
    assert ConsentEvent.objects.filter(kind="night", action="given", via="stall").count() == 1


@time_machine.travel(NOON, tick=False)
def test_the_code_read_aloud_at_the_stall_never_signs_anyone_in(signed_in, merchant, store, client):
    """The merchant hears the code: it confirms the signup only, and a sign-in with it is refused."""
    _ask(signed_in(merchant), store)
    heard = _code()
    client.logout()
    response = client.post(
        "/api/v1/auth/verify", {"phone": "010-5555-7777", "code": heard}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    # Nor while a sign-in code of the customer's own is live: only codes of the same purpose count.
    client.post("/api/v1/auth/code", {"phone": "010-5555-7777"}, content_type="application/json")
    response = client.post(
        "/api/v1/auth/verify", {"phone": "010-5555-7777", "code": heard}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    # The customer's own sign-in code, texted after, doesn't confirm the stall signup either.
    assert _confirm(signed_in(merchant), store, _code()).status_code == 200
    assert not Follow.objects.exists()
    assert _confirm(signed_in(merchant), store, heard).status_code == 302
    assert Follow.objects.filter(customer__phone=PHONE, store=store).exists()


def test_the_customer_later_signs_in_with_their_phone_and_finds_the_store_followed(signed_in, merchant, store, client):
    _ask(signed_in(merchant), store, ads="no")
    _confirm(signed_in(merchant), store, _code())
    client.logout()
    client.post("/api/v1/auth/code", {"phone": "010-5555-7777"}, content_type="application/json")
    response = client.post(
        "/api/v1/auth/verify", {"phone": "010-5555-7777", "code": _code()}, content_type="application/json"
    )
    assert response.status_code == 200
    assert User.objects.filter(phone=PHONE).count() == 1
    assert "햇살과일" in client.get("/my/stores/").content.decode()


def test_an_ad_by_sms_reaches_them_with_credit_and_waits_for_eight_without_night_consent(
    signed_in, merchant, store, market
):
    MessageCredit.top_up(market=market, amount=1000)
    with time_machine.travel(NOON, tick=False):
        _ask(signed_in(merchant), store, ads="yes", night="no")
        _confirm(signed_in(merchant), store, _code())
        deliveries_send_due()  # the consent record
        sms.outbox.clear()
        message_send(store=store, author=merchant, kind="ad", body="사과 한 바구니 5천원").deliver()
        deliveries_send_due()
        [ad] = sms.outbox
        assert ad["to"] == PHONE and ad["text"].startswith("(광고) 햇살과일\n사과 한 바구니 5천원")
    sms.outbox.clear()
    with time_machine.travel("2026-11-26 22:00 +0900", tick=False):
        message_send(store=store, author=merchant, kind="ad", body="밤 떨이 세일").deliver()
        deliveries_send_due()
        assert sms.outbox == []
    with time_machine.travel("2026-11-27 07:59 +0900", tick=False):
        deliveries_send_due()
        assert sms.outbox == []
    with time_machine.travel("2026-11-27 08:00 +0900", tick=False):
        deliveries_send_due()
        assert [m["text"].split("\n")[1] for m in sms.outbox] == ["밤 떨이 세일"]
    charged = Delivery.objects.filter(channel="sms", message__kind="ad").values_list("charged", flat=True)
    assert list(charged) == [20, 20]


# Refusals: each says why, and nothing is written.


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("12345", "휴대폰 번호 형식이 올바르지 않습니다."),
        ("02-123-4567", "문자를 받을 수 있는 휴대폰 번호를 입력해 주세요."),
    ],
)
def test_a_bad_number_is_refused_and_nothing_sent(signed_in, merchant, store, phone, shown):
    response = _ask(signed_in(merchant), store, phone=phone)
    assert response.status_code == 200 and shown in response.content.decode()
    assert sms.outbox == [] and not StallSignup.objects.exists() and not PhoneCode.objects.exists()


def test_night_without_ads_is_refused_and_nothing_sent(signed_in, merchant, store):
    response = _ask(signed_in(merchant), store, ads="no", night="yes")
    assert "야간 광고 수신은 광고성 정보 수신에 동의해야 선택할 수 있습니다." in response.content.decode()
    assert sms.outbox == [] and not StallSignup.objects.exists() and not PhoneCode.objects.exists()


def test_someone_already_a_regular_is_refused_and_nothing_sent(signed_in, merchant, store, follow):
    follow(User.objects.create_user(PHONE), store, ads=False)
    response = _ask(signed_in(merchant), store)
    assert "이미 단골입니다." in response.content.decode()
    assert sms.outbox == [] and not StallSignup.objects.exists()
    assert ConsentEvent.objects.count() == 3  # only the first follow's


@time_machine.travel(NOON, tick=False)
def test_a_wrong_code_is_refused_and_counts_as_a_wrong_sign_in_code(signed_in, merchant, store):
    client = signed_in(merchant)
    _ask(client, store)
    code = _code()
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    response = _confirm(client, store, wrong)
    assert "확인번호가 맞지 않거나 만료되었습니다." in response.content.decode()
    assert PhoneThrottle.objects.get(phone=PHONE).wrong_codes == 1
    assert PhoneCode.objects.get().attempts == 1
    _nothing_written()
    assert not User.objects.filter(phone=PHONE).exists()
    assert _confirm(client, store, code).status_code == 302  # the right one still works


@time_machine.travel(NOON, tick=False)
def test_letters_for_a_code_are_refused_without_counting(signed_in, merchant, store):
    client = signed_in(merchant)
    _ask(client, store)
    response = _confirm(client, store, "12a456")
    assert "확인번호 6자리 숫자를 입력해 주세요." in response.content.decode()
    assert PhoneThrottle.objects.get(phone=PHONE).wrong_codes == 0
    _nothing_written()


def test_an_expired_code_is_refused(signed_in, merchant, store, settings):
    with time_machine.travel(NOON, tick=False):
        _ask(signed_in(merchant), store)
        code = _code()
    with time_machine.travel(f"2026-11-26 12:{settings.SIGN_IN_CODE_TTL_SECONDS // 60 + 1:02d} +0900", tick=False):
        response = _confirm(signed_in(merchant), store, code)
    assert "확인번호가 만료되었습니다." in response.content.decode()
    _nothing_written()


@time_machine.travel(NOON, tick=False)
def test_a_used_signup_cannot_be_confirmed_again(signed_in, merchant, store):
    client = signed_in(merchant)
    _ask(client, store)
    code = _code()
    _confirm(client, store, code)
    response = _confirm(client, store, code)
    assert "이미 확인된 등록입니다." in response.content.decode()
    assert ConsentEvent.objects.count() == 3


@time_machine.travel(NOON, tick=False)
def test_too_many_codes_for_one_phone_are_refused_as_for_sign_in(signed_in, merchant, store, settings):
    settings.SIGN_IN_CODES_PER_PHONE = 2
    client = signed_in(merchant)
    _ask(client, store)
    _ask(client, store)
    response = _ask(client, store)
    assert "인증번호를 너무 자주 요청했습니다." in response.content.decode()
    assert len(sms.outbox) == 2 and StallSignup.objects.count() == 2


@time_machine.travel(NOON, tick=False)
def test_the_code_of_another_phone_does_not_confirm_this_one(signed_in, merchant, store):
    client = signed_in(merchant)
    _ask(client, store, phone="010-5555-7777")
    first = StallSignup.objects.get()
    _ask(client, store, phone="010-5555-8888")
    other_code = _code()
    response = _confirm(client, store, other_code, signup=first)
    assert "확인번호가 맞지 않거나 만료되었습니다." in response.content.decode()
    _nothing_written()


@time_machine.travel(NOON, tick=False)
def test_a_signup_of_another_store_is_not_found_there(signed_in, merchant, other_merchant, store, other_store):
    other_store.owners.add(merchant)  # a merchant of both stores
    client = signed_in(merchant)
    _ask(client, store)
    response = _confirm(client, other_store, _code(), signup=StallSignup.objects.get())
    assert response.status_code == 404
    _nothing_written()


# Who may use these pages.


@time_machine.travel(NOON, tick=False)
@pytest.mark.parametrize("who", ["other_merchant", "customer", "stranger"])
def test_nobody_but_the_stores_merchants_sees_or_uses_the_pages(signed_in, merchant, store, who, request):
    _ask(signed_in(merchant), store)
    code = _code()
    signup = StallSignup.objects.get()
    sms.outbox.clear()
    client = signed_in(request.getfixturevalue(who))
    assert client.get(_start_url(store)).status_code == 404
    assert _ask(client, store, phone="010-5555-6666").status_code == 404
    confirm_url = f"/m/{store.public_id}/regulars/by-sms/{signup.public_id}/"
    assert client.get(confirm_url).status_code == 404
    assert client.post(confirm_url, {"code": code}).status_code == 404
    assert sms.outbox == [] and StallSignup.objects.count() == 1
    _nothing_written()


@time_machine.travel(NOON, tick=False)
def test_anonymous_visitors_are_sent_to_sign_in(client, signed_in, merchant, store):
    _ask(signed_in(merchant), store)
    signup = StallSignup.objects.get()
    client.logout()
    for url in (_start_url(store), f"/m/{store.public_id}/regulars/by-sms/{signup.public_id}/"):
        response = client.post(url, {"phone": "010-5555-6666", "ads": "yes", "night": "no", "code": "123456"})
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:sign_in"))
    assert len(sms.outbox) == 1
    _nothing_written()


# The same through the API, for a merchant's session.


@time_machine.travel(NOON, tick=False)
def test_a_merchant_does_the_same_through_the_api(signed_in, merchant, store):
    client = signed_in(merchant)
    base = f"/api/v1/stores/{store.public_id}/regulars/by-sms"
    response = client.post(
        base, {"phone": "010-5555-7777", "ads": True, "night": False}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["phone"] == "010-****-7777" and body["ads"] is True and body["night"] is False
    wrong = client.post(f"{base}/{body['signup_id']}/confirm", {"code": "000000"}, content_type="application/json")
    if _code() == "000000":  # one in a million
        wrong = client.post(f"{base}/{body['signup_id']}/confirm", {"code": "999999"}, content_type="application/json")
    assert wrong.status_code == 400
    assert wrong.json()["errors"] == {"code": ["확인번호가 맞지 않거나 만료되었습니다. 다시 확인해 주세요."]}
    _nothing_written()
    response = client.post(f"{base}/{body['signup_id']}/confirm", {"code": _code()}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {
        "store_id": store.public_id,
        "phone": "010-****-7777",
        "ads": True,
        "night": False,
        "channel": "sms",
    }
    assert ConsentEvent.objects.filter(via="stall").count() == 3
    again = client.post(f"{base}/{body['signup_id']}/confirm", {"code": _code()}, content_type="application/json")
    assert again.status_code == 409


@time_machine.travel(NOON, tick=False)
def test_the_api_refuses_with_the_same_words_and_status(signed_in, merchant, store, follow, settings):
    client = signed_in(merchant)
    base = f"/api/v1/stores/{store.public_id}/regulars/by-sms"
    night = client.post(base, {"phone": "010-5555-7777", "ads": False, "night": True}, content_type="application/json")
    assert night.status_code == 400 and "night" in night.json()["errors"]
    bad = client.post(base, {"phone": "1234", "ads": False}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"] == {"phone": ["휴대폰 번호 형식이 올바르지 않습니다."]}
    follow(User.objects.create_user("+821055558888"), store)
    already = client.post(base, {"phone": "010-5555-8888", "ads": False}, content_type="application/json")
    assert already.status_code == 409 and already.json()["detail"] == "이미 단골입니다."
    settings.SIGN_IN_CODES_PER_PHONE = 1
    client.post(base, {"phone": "010-5555-7777", "ads": False}, content_type="application/json")
    too_many = client.post(base, {"phone": "010-5555-7777", "ads": False}, content_type="application/json")
    assert too_many.status_code == 429
    assert len(sms.outbox) == 1 and StallSignup.objects.count() == 1


@time_machine.travel(NOON, tick=False)
@pytest.mark.parametrize("who", ["other_merchant", "customer", None])
def test_the_api_hides_the_store_from_anyone_else(signed_in, merchant, store, who, request, client):
    _ask(signed_in(merchant), store)
    signup, code = StallSignup.objects.get(), _code()
    client.logout()
    if who:
        client = signed_in(request.getfixturevalue(who))
    base = f"/api/v1/stores/{store.public_id}/regulars/by-sms"
    start = client.post(base, {"phone": "010-5555-6666", "ads": False}, content_type="application/json")
    confirm = client.post(f"{base}/{signup.public_id}/confirm", {"code": code}, content_type="application/json")
    assert (start.status_code, confirm.status_code) == ((404, 404) if who else (401, 401))
    assert len(sms.outbox) == 1
    _nothing_written()


def test_the_message_screen_links_to_following_by_sms(signed_in, merchant, store):
    page = signed_in(merchant).get(reverse("messaging:compose", args=[store.public_id])).content.decode()
    assert f'href="{_start_url(store)}"' in page and "스마트폰 없는 손님을 문자로 단골 등록" in page


@time_machine.travel(NOON, tick=False)
def test_a_deactivated_account_is_not_made_a_regular_and_its_code_is_not_used(signed_in, merchant, store):
    User.objects.create_user(PHONE, is_active=False)
    client = signed_in(merchant)
    _ask(client, store)
    response = _confirm(client, store, _code())
    assert "사용이 중지된 계정입니다." in response.content.decode()
    assert PhoneCode.objects.get().used_at is None
    _nothing_written()
