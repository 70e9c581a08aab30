"""The stall page, the customer's scan page and the API are doors to the same stamp rules: each
action is allowed, refused or hidden for the same people, with the same words."""

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from dangol.accounts.models import User
from dangol.coupons.models import ApiKey
from dangol.stamps.members import member_token
from dangol.stamps.models import BAD_QR, Stamp, StampToken

PEOPLE = ["merchant", "other_merchant", "customer", "stranger"]
MERCHANT_ONLY = {"merchant": "allowed", "other_merchant": "hidden", "customer": "hidden", "stranger": "hidden"}
SAME_DAY = "오늘은 이미 도장을 받았습니다. 내일 또 와 주세요."


def page_outcome(response):
    """("allowed" | "hidden" | "sign in" | "refused", the words shown) for a page's answer."""
    if response.status_code == 404:
        return "hidden", None
    if response.status_code == 302 and response.url.startswith("/accounts/sign-in/"):
        return "sign in", None
    shown = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    if response.context and response.context.get("error"):
        shown.append(str(response.context["error"]))
    return ("refused", shown[0]) if shown else ("allowed", None)


def api_outcome(response):
    if response.status_code in (401, 404):
        return {401: "sign in", 404: "hidden"}[response.status_code], None
    if response.status_code < 300:
        return "allowed", None
    return "refused", response.json()["detail"]


@pytest.fixture
def doors(client, signed_in, request):
    class Doors:
        def sign_in(self, who):
            signed_in(request.getfixturevalue(who))

        def page(self, url, data=None):
            return page_outcome(client.post(url, data or {}))

        def api(self, path, json=None, key=None):
            headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
            if json is None:
                return api_outcome(client.post(f"/api/v1{path}", **headers))
            return api_outcome(client.post(f"/api/v1{path}", json, content_type="application/json", **headers))

    return Doors()


@pytest.fixture
def regulars(db):
    """Two customers to stamp, one for each door."""
    return [User.objects.create_user(f"+82105555000{i}") for i in (1, 2)]


@pytest.fixture(autouse=True)
def _daytime():
    with time_machine.travel("2026-05-04 14:05 +0900", tick=False):
        yield


# The merchant stamps a customer's member QR ------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_only_the_stores_merchant_stamps_a_member_qr_through_either_door(doors, store, program, regulars, who):
    by_page, by_api = regulars
    doors.sign_in(who)
    page = doors.page(reverse("stamps:give", args=[store.public_id]), {"token": member_token(by_page)})
    api = doors.api(f"/stores/{store.public_id}/stamps", {"member_token": member_token(by_api)})
    assert page == api == (MERCHANT_ONLY[who], None)
    assert Stamp.objects.count() == (2 if who == "merchant" else 0)


def test_a_second_stamp_the_same_day_is_refused_with_the_same_words_on_both_doors(doors, store, program, regulars):
    doors.sign_in("merchant")
    give_url, give_path = reverse("stamps:give", args=[store.public_id]), f"/stores/{store.public_id}/stamps"
    by_page, by_api = regulars
    doors.page(give_url, {"token": member_token(by_page)})
    doors.api(give_path, {"member_token": member_token(by_api)})
    page = doors.page(give_url, {"token": member_token(by_page)})
    api = doors.api(give_path, {"member_token": member_token(by_api)})
    assert page == api == ("refused", SAME_DAY)
    assert Stamp.objects.count() == 2


def test_a_forged_member_qr_is_refused_with_the_same_words_on_both_doors(doors, store, program):
    doors.sign_in("merchant")
    page = doors.page(reverse("stamps:give", args=[store.public_id]), {"token": "DGM1.forged:x:y"})
    api = doors.api(f"/stores/{store.public_id}/stamps", {"member_token": "DGM1.forged:x:y"})
    assert page == api == ("refused", "손님 QR을 확인할 수 없습니다. 손님 화면의 QR을 새로 띄워 달라고 해 주세요.")
    assert not Stamp.objects.exists()


def test_a_point_of_sale_key_of_another_store_cannot_stamp_here(
    doors, client, store, program, other_store, other_merchant, customer
):
    other_key = ApiKey.create_for(store=other_store, name="옆 가게 POS", by=other_merchant)[1]
    api = doors.api(f"/stores/{store.public_id}/stamps", {"member_token": member_token(customer)}, key=other_key)
    assert api == ("hidden", None)
    qr = client.get(f"/api/v1/stores/{store.public_id}/stamp-qr", HTTP_AUTHORIZATION=f"Bearer {other_key}")
    assert qr.status_code == 404
    assert not Stamp.objects.exists()
    assert not StampToken.objects.exists()


def test_nobody_stamps_without_signing_in_through_either_door(doors, store, program, customer):
    page = doors.page(reverse("stamps:give", args=[store.public_id]), {"token": member_token(customer)})
    api = doors.api(f"/stores/{store.public_id}/stamps", {"member_token": member_token(customer)})
    assert page == api == ("sign in", None)
    assert not Stamp.objects.exists()


# A customer scans the stall's QR ---------------------------------------------------------------


@pytest.fixture
def two_stalls(program, make_program, other_store, other_merchant):
    """A stamp card at each of two stores: the page is tried at one, the API at the other."""
    return program, make_program(store=other_store, by=other_merchant)


def _scan(doors, two_stalls):
    by_page, by_api = (StampToken.current(program) for program in two_stalls)
    return doors.page(reverse("stamps:scan", args=[by_page.nonce])), doors.api(f"/stamps/{by_api.nonce}")


@pytest.mark.parametrize("who", PEOPLE)
def test_anyone_signed_in_collects_a_stamp_once_a_day_through_either_door(doors, two_stalls, who):
    doors.sign_in(who)
    assert _scan(doors, two_stalls) == (("allowed", None), ("allowed", None))
    assert _scan(doors, two_stalls) == (("refused", SAME_DAY), ("refused", SAME_DAY))
    assert Stamp.objects.count() == 2


def test_a_used_qr_is_refused_with_the_same_words_on_both_doors(doors, program, customer, stranger):
    used = StampToken.current(program)
    used.use(customer=stranger)
    doors.sign_in("customer")
    page = doors.page(reverse("stamps:scan", args=[used.nonce]))
    api = doors.api(f"/stamps/{used.nonce}")
    assert page == api == ("refused", str(BAD_QR))
    assert list(Stamp.objects.values_list("customer", flat=True)) == [stranger.pk]


def test_nobody_collects_without_signing_in_through_either_door(doors, program):
    token = StampToken.current(program)
    assert doors.page(reverse("stamps:scan", args=[token.nonce])) == ("sign in", None)
    assert doors.api(f"/stamps/{token.nonce}") == ("sign in", None)
    assert not Stamp.objects.exists()
