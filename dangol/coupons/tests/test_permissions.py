"""Every object URL, tried by everyone who must not get in."""

import pytest
from django.urls import reverse

from dangol.coupons.models import ApiKey, Campaign, Coupon, Redemption, SigningKey, StorePin

WRONG_USERS = ["other_merchant", "customer", "stranger"]


@pytest.fixture
def objects(store, campaign, coupon, merchant):
    redemption = Coupon.objects.get(pk=coupon.pk).redeem(via="code", by=merchant)
    key, _plain = ApiKey.create_for(store=store, name="POS", by=merchant)
    return {"store": store, "campaign": campaign, "coupon": coupon, "redemption": redemption, "key": key}


def _merchant_urls(o):
    s, c = o["store"].public_id, o["campaign"].public_id
    return [
        ("get", reverse("coupons:campaigns", args=[s])),
        ("get", reverse("coupons:campaign_new", args=[s])),
        ("post", reverse("coupons:campaign_new", args=[s])),
        ("get", reverse("coupons:campaign", args=[s, c])),
        ("post", reverse("coupons:campaign_give", args=[s, c])),
        ("get", reverse("coupons:campaign_message", args=[s, c])),
        ("post", reverse("coupons:campaign_message", args=[s, c])),
        ("get", reverse("coupons:campaign_paper", args=[s, c])),
        ("post", reverse("coupons:campaign_end", args=[s, c])),
        ("get", reverse("coupons:stall", args=[s])),
        ("post", reverse("coupons:stall_redeem", args=[s])),
        ("post", reverse("coupons:stall_undo", args=[s, o["redemption"].public_id])),
        ("get", reverse("coupons:pin", args=[s])),
        ("post", reverse("coupons:pin", args=[s])),
        ("get", reverse("coupons:api_keys", args=[s])),
        ("post", reverse("coupons:api_keys", args=[s])),
        ("post", reverse("coupons:api_key_revoke", args=[s, o["key"].public_id])),
        ("post", reverse("coupons:signing_key_rotate", args=[s])),
    ]


def _customer_urls(o):
    c = o["coupon"].public_id
    return [
        ("get", reverse("coupons:wallet_coupon", args=[c])),
        ("get", reverse("coupons:wallet_use", args=[c])),
        ("post", reverse("coupons:wallet_use", args=[c])),
    ]


def _unchanged(o):
    o["campaign"].refresh_from_db()
    assert o["campaign"].status == "active"
    assert Redemption.objects.filter(undone_at__isnull=True).count() == 1
    assert not ApiKey.objects.filter(revoked_at__isnull=False).exists()
    assert ApiKey.objects.count() == 1
    assert SigningKey.objects.count() == 1
    assert not StorePin.objects.exists()
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize("who", WRONG_USERS)
def test_merchant_pages_are_404_for_everyone_else(request, signed_in, objects, who):
    client = signed_in(request.getfixturevalue(who))
    for method, url in _merchant_urls(objects):
        assert (
            getattr(client, method)(
                url, {"code": objects["coupon"].code, "pin": "1234", "pin_again": "1234", "name": "x", "body": "hi"}
            ).status_code
            == 404
        ), (method, url)
    _unchanged(objects)


def test_merchant_pages_send_anonymous_visitors_to_sign_in(client, objects):
    for method, url in _merchant_urls(objects):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/sign-in/"), (method, url)
    _unchanged(objects)


def test_a_merchant_cannot_reach_another_stores_campaign_through_their_own_store(
    signed_in, other_merchant, other_store, objects
):
    client = signed_in(other_merchant)
    c = objects["campaign"].public_id
    for name in ("coupons:campaign", "coupons:campaign_paper"):
        assert client.get(reverse(name, args=[other_store.public_id, c])).status_code == 404
    undo = reverse("coupons:stall_undo", args=[other_store.public_id, objects["redemption"].public_id])
    assert client.post(undo).status_code == 404
    _unchanged(objects)


@pytest.mark.parametrize("who", ["merchant", "other_merchant", "stranger"])
def test_a_customers_coupon_is_404_for_everyone_else(request, signed_in, objects, who, pin):
    client = signed_in(request.getfixturevalue(who))
    for method, url in _customer_urls(objects):
        assert getattr(client, method)(url, {"pin": pin}).status_code == 404, (method, url)


def test_customer_pages_send_anonymous_visitors_to_sign_in(client, objects):
    for method, url in [*_customer_urls(objects), ("get", reverse("coupons:wallet"))]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/sign-in/")
    response = client.post(reverse("coupons:claim", args=[objects["campaign"].public_id]))
    assert response.status_code == 302 and response.url.startswith("/accounts/sign-in/")


def _api_merchant_calls(o):
    s = o["store"].public_id
    return [
        ("get", f"/stores/{s}/campaigns", None),
        ("post", f"/stores/{s}/campaigns", {"kind": "amount", "amount_off": 100, "valid_days": 3}),
        ("get", f"/stores/{s}/revocations", None),
        ("post", f"/stores/{s}/coupon-check", {"code": o["coupon"].code}),
        ("post", f"/stores/{s}/redemptions", {"code": o["coupon"].code}),
        ("post", f"/stores/{s}/redemptions/{o['redemption'].public_id}/undo", None),
    ]


@pytest.mark.parametrize("who", WRONG_USERS)
def test_merchant_api_is_404_for_everyone_else(request, signed_in, api, objects, who):
    signed_in(request.getfixturevalue(who))
    for method, path, body in _api_merchant_calls(objects):
        assert api(method, path, body).status_code == 404, path
    _unchanged(objects)


def test_merchant_api_is_401_without_sign_in(api, objects):
    for method, path, body in _api_merchant_calls(objects):
        assert api(method, path, body).status_code == 401, path
    _unchanged(objects)


@pytest.mark.parametrize("who", ["merchant", "other_merchant", "stranger"])
def test_wallet_api_is_404_for_everyone_else(request, signed_in, api, objects, who, pin):
    signed_in(request.getfixturevalue(who))
    assert api("get", f"/wallet/{objects['coupon'].public_id}").status_code == 404
    assert api("post", f"/wallet/{objects['coupon'].public_id}/use", {"pin": pin}).status_code == 404
    assert objects["coupon"].public_id not in api("get", "/wallet").content.decode()


def test_wallet_api_is_401_without_sign_in(api, objects):
    assert api("get", "/wallet").status_code == 401
    assert api("get", f"/wallet/{objects['coupon'].public_id}").status_code == 401
    assert api("post", f"/campaigns/{objects['campaign'].public_id}/claim").status_code == 401
