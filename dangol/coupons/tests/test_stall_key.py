"""The stall's coupon routes read the till's key with the coupon in one statement (`presented_with_key`):
every refusal is still the one the key, the store and the coupon would each give on their own."""

import json

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db.models import F

from dangol.api import api as dangol_api
from dangol.coupons import tokens
from dangol.coupons.auth import StoreKeyAuth, UncheckedKey
from dangol.coupons.models import ApiKey, Coupon, Redemption, SigningKey
from dangol.lib.sql import MARKER_TEXT, FixedQuery

STALL_ROUTES = ("coupon-check", "redemptions")
BAD_QR = {"detail": "이 QR로는 쿠폰을 확인할 수 없습니다. 쿠폰 번호를 직접 입력해 주세요."}


@pytest.fixture
def other_key(other_store, other_merchant):
    return ApiKey.create_for(store=other_store, name="옆 가게 POS", by=other_merchant)[1]


def _wrong(key):
    return key[:-4] + ("aaaa" if not key.endswith("aaaa") else "bbbb")


@pytest.mark.parametrize("route", STALL_ROUTES)
def test_a_wrong_or_revoked_key_is_refused_before_anything_it_sent_is_read(api, store, coupon, api_key, route):
    path = f"/stores/{store.public_id}/{route}"
    sent = [
        {"code": coupon.code},
        {"token": coupon.token()},
        {"code": "ZZZZ-ZZZZ"},  # no such coupon
        {"token": "DG1.e30.AAAA"},  # no such token
        {"code": coupon.code, "token": coupon.token()},  # both
        {"code": coupon.token()},  # a token in the code's place
    ]
    for body in sent:
        for key in (_wrong(api_key), "dgk_nosuchkey_secret", "dgk__secret"):
            assert api("post", path, body, key=key).status_code == 401, (body, key)
    # A body that doesn't fit the schema is only read after the key: 401 with a wrong one, 422 with the right one.
    for body in ({"code": coupon.code, "amount": -5}, {"code": 12345678}):
        assert api("post", path, body, key=_wrong(api_key)).status_code == 401, body
        assert api("post", path, body, key=api_key).status_code == 422, body
    ApiKey.objects.get().revoke()
    for body in sent[:3]:
        assert api("post", path, body, key=api_key).status_code == 401, body
    assert not Redemption.objects.exists()
    assert Coupon.objects.get(pk=coupon.pk).status == "issued"


@pytest.mark.parametrize("route", STALL_ROUTES)
def test_a_key_acts_only_at_its_own_store(api, store, other_store, coupon, other_key, api_key, route, make_campaign):
    # Another store's key, at this store's stall, with this store's coupon: the store is not its to act for.
    for body in ({"code": coupon.code}, {"token": coupon.token()}):
        response = api("post", f"/stores/{store.public_id}/{route}", body, key=other_key)
        assert response.status_code == 404, body
    # This store's key, at this store's stall, with another store's coupon: no such coupon here.
    foreign = make_campaign(store=other_store).claim(customer=coupon.customer)
    by_code = api("post", f"/stores/{store.public_id}/{route}", {"code": foreign.code}, key=api_key)
    assert by_code.status_code == 404
    by_qr = api("post", f"/stores/{store.public_id}/{route}", {"token": foreign.token()}, key=api_key)
    assert by_qr.status_code == 400 and by_qr.json() == BAD_QR
    assert not Redemption.objects.exists()


def test_forged_altered_expired_and_foreign_qrs_get_one_answer_from_a_till(
    api, store, other_store, coupon, api_key, make_campaign
):
    good = coupon.token()
    body, _dot, signature = good.rpartition(".")
    payload = json.loads(tokens.unb64u(body[len(tokens.PREFIX) :]))
    altered = tokens.PREFIX + tokens.b64u(json.dumps({**payload, "c": "ABCDEFGH"}).encode()) + "." + signature
    forged = tokens.sign(payload, Ed25519PrivateKey.generate())
    foreign = make_campaign(store=other_store).claim(customer=coupon.customer).token()
    path = f"/stores/{store.public_id}/redemptions"
    for bad in (altered, forged, foreign, good + "A"):
        response = api("post", path, {"token": bad}, key=api_key)
        assert (response.status_code, response.json()) == (400, BAD_QR)
    with time_machine.travel(coupon.expires_at, tick=False):
        response = api("post", path, {"token": good}, key=api_key)
        assert (response.status_code, response.json()) == (400, BAD_QR)
    assert not Redemption.objects.exists()
    assert api("post", path, {"token": good}, key=api_key).status_code == 201


def test_a_qr_of_a_compromised_key_is_refused_though_its_coupon_moved_to_the_new_key(api, store, coupon, api_key):
    old_token = coupon.token()
    SigningKey.rotate(store=store, compromised=True)
    path = f"/stores/{store.public_id}/redemptions"
    response = api("post", path, {"token": old_token}, key=api_key)
    assert (response.status_code, response.json()) == (400, BAD_QR)
    coupon.refresh_from_db()
    assert api("post", path, {"token": coupon.token()}, key=api_key).status_code == 201


def test_a_merchant_signed_in_beside_a_wrong_key_acts_as_the_merchant(signed_in, api, merchant, store, coupon, api_key):
    signed_in(merchant)
    response = api("post", f"/stores/{store.public_id}/redemptions", {"code": coupon.code}, key=_wrong(api_key))
    assert response.status_code == 201
    redemption = Redemption.objects.get()
    assert redemption.redeemed_by == merchant and redemption.api_key is None


def test_an_unchecked_key_never_shows_its_secret(api_key):
    prefix, secret = api_key.split("_")[1:]
    shown = repr(UncheckedKey(api_key))
    assert prefix in shown and secret not in shown


def test_a_redemption_by_a_till_records_its_key(api, store, coupon, api_key):
    response = api("post", f"/stores/{store.public_id}/redemptions", {"code": coupon.code}, key=api_key)
    assert response.status_code == 201 and response.json()["via"] == "api"
    assert Redemption.objects.get().api_key == ApiKey.objects.get()


def test_only_the_stall_routes_take_a_key_they_check_themselves():
    deferred = set()
    for _prefix, router in dangol_api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                callbacks = operation.auth_callbacks or []
                if any(isinstance(c, StoreKeyAuth) and c.deferred for c in callbacks):
                    deferred.add(path)
    assert deferred == {f"/stores/{{public_id}}/{route}" for route in STALL_ROUTES}


def test_a_fixed_model_query_brings_its_annotations_as_the_orm_does(coupon):
    def build(code):
        return Coupon.objects.filter(code=code).annotate(title=F("campaign__title"), kid=F("signing_key__kid"))[:1]

    fixed = FixedQuery(build, MARKER_TEXT).first(coupon.code)
    orm = build(coupon.code).get()
    assert (
        (fixed.pk, fixed.title, fixed.kid)
        == (orm.pk, orm.title, orm.kid)
        == (
            coupon.pk,
            coupon.campaign.title,
            coupon.signing_key.kid,
        )
    )
