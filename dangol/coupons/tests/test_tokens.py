import base64
import json

import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from dangol.coupons import tokens
from dangol.coupons.models import Coupon, CouponRefused, SigningKey


def _parts(token):
    body, _dot, signature = token.rpartition(".")
    return body, signature


def test_a_token_verifies_offline_with_the_published_key(client, store, coupon):
    token = coupon.token()
    published = client.get(f"/api/v1/stores/{store.public_id}/keys").json()
    key = next(k for k in published["keys"] if k["kid"] == json.loads(tokens.unb64u(token.split(".")[1]))["k"])
    body, signature = _parts(token)
    public = Ed25519PublicKey.from_public_bytes(tokens.unb64u(key["x"]))
    public.verify(tokens.unb64u(signature), body.encode())  # raises if it does not verify
    assert key["status"] == "active" and key["crv"] == "Ed25519"
    assert len(token) < 200


def test_the_private_key_is_stored_sealed_and_never_published(client, store, coupon):
    key = SigningKey.objects.get(store=store)
    raw = key.private_key().private_bytes_raw()
    assert base64.urlsafe_b64encode(raw).decode().rstrip("=") not in key.private_key_sealed
    assert "private" not in client.get(f"/api/v1/stores/{store.public_id}/keys").content.decode()


def test_the_stall_finds_the_coupon_from_its_token(store, coupon):
    found, via = Coupon.objects.presented_at(store, coupon.token())
    assert found == coupon and via == "scan"


def _refusal(store, text):
    with pytest.raises(CouponRefused) as caught:
        Coupon.objects.presented_at(store, text)
    return str(caught.value)


def test_forged_altered_expired_and_foreign_tokens_get_one_message(store, other_store, coupon, make_campaign, stranger):
    good = coupon.token()
    body, signature = _parts(good)
    payload = json.loads(tokens.unb64u(body[len(tokens.PREFIX) :]))

    altered_payload = tokens.PREFIX + tokens.b64u(json.dumps({**payload, "c": "ABCDEFGH"}).encode())
    altered = altered_payload + "." + signature
    forged = tokens.sign(payload, Ed25519PrivateKey.generate())
    flipped = good[:-3] + ("A" if good[-3] != "A" else "B") + good[-2:]
    foreign_coupon = make_campaign(store=other_store).claim(customer=stranger)
    foreign = foreign_coupon.token()
    garbage = "DG1.!!!.???"

    messages = {_refusal(store, t) for t in (altered, forged, flipped, foreign, garbage)}
    with time_machine.travel(coupon.expires_at, tick=False):
        messages.add(_refusal(store, good))
    assert messages == {"이 QR로는 쿠폰을 확인할 수 없습니다. 쿠폰 번호를 직접 입력해 주세요."}
    coupon.refresh_from_db()
    assert coupon.status == "issued"


def test_rotation_keeps_old_keys_published_until_their_coupons_expire(client, store, coupon, make_campaign, stranger):
    old = coupon.signing_key
    new = SigningKey.rotate(store=store)
    assert new.kid != old.kid
    kids = {k["kid"]: k["status"] for k in client.get(f"/api/v1/stores/{store.public_id}/keys").json()["keys"]}
    assert kids == {old.kid: "retired", new.kid: "active"}
    later = make_campaign().claim(customer=stranger)
    assert later.signing_key == new
    assert Coupon.objects.presented_at(store, coupon.token())[0] == coupon  # old tokens still verify
    with time_machine.travel(coupon.expires_at, tick=False):
        kids = {k["kid"] for k in client.get(f"/api/v1/stores/{store.public_id}/keys").json()["keys"]}
    assert kids == {new.kid}


def test_a_compromised_key_is_withdrawn_and_its_coupons_move_to_the_new_key(client, store, coupon):
    old_token = coupon.token()
    new = SigningKey.rotate(store=store, compromised=True)
    coupon.refresh_from_db()
    assert coupon.signing_key == new
    assert _refusal(store, old_token).startswith("이 QR로는")
    assert Coupon.objects.presented_at(store, coupon.token())[0] == coupon
    kids = {k["kid"] for k in client.get(f"/api/v1/stores/{store.public_id}/keys").json()["keys"]}
    assert kids == {new.kid}


def test_keys_survive_a_secret_key_rotation(settings, store, coupon):
    token = coupon.token()
    old_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-for-this-test-only-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    from dangol.coupons.models import coupons

    coupons._private_keys.clear()
    assert SigningKey.objects.get(store=store).private_key() is not None
    assert coupon.token() == token


def test_one_active_key_per_store(store):
    first = SigningKey.objects.active_for(store.pk)
    assert SigningKey.objects.active_for(store.pk) == first
    assert SigningKey.objects.filter(store=store).count() == 1


@pytest.mark.parametrize("text", ["", "DG1.", "DG1.a.b.c", "x" * 500, "DG1." + "A" * 400])
def test_malformed_tokens_are_bad_tokens(text):
    with pytest.raises(tokens.BadToken):
        tokens.read_unverified(text)


def test_keys_of_an_unknown_store_are_404(client, db):
    assert client.get("/api/v1/stores/nosuchstore/keys").status_code == 404
