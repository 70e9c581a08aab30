import datetime as dt

import time_machine

from dangol.coupons.models import ApiKey, Campaign, Coupon, Redemption


def test_a_customer_claims_and_sees_the_wallet(signed_in, api, customer, campaign):
    signed_in(customer)
    response = api("post", f"/campaigns/{campaign.public_id}/claim")
    assert response.status_code == 201
    body = response.json()
    assert body["won"] is True and body["coupon"]["state"] == "usable"
    assert body["coupon"]["token"].startswith("DG1.")
    wallet = api("get", "/wallet").json()
    assert [c["id"] for c in wallet["usable"]] == [body["coupon"]["id"]]
    again = api("post", f"/campaigns/{campaign.public_id}/claim")
    assert again.status_code == 409
    assert again.json() == {"detail": "이미 받은 쿠폰입니다. 쿠폰함을 보세요."}


def test_the_wallet_lists_usable_coupons_first_by_expiry_then_history(
    signed_in, api, customer, make_campaign, django_assert_max_num_queries
):
    soon = make_campaign(valid_days=3).claim(customer=customer)
    later = make_campaign(valid_days=60).claim(customer=customer)
    used = make_campaign(valid_days=10).claim(customer=customer)
    used.redeem(via="code")
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(days=40)):
        expired = make_campaign(valid_days=1).claim(customer=customer)
    signed_in(customer)
    with django_assert_max_num_queries(8):
        wallet = api("get", "/wallet").json()
    assert [c["id"] for c in wallet["usable"]] == [soon.public_id, later.public_id]
    assert {c["id"]: c["state"] for c in wallet["past"]} == {used.public_id: "redeemed", expired.public_id: "expired"}
    assert all(c["token"] is None for c in wallet["past"])


def test_the_merchant_redeems_by_code_and_undoes_through_the_api(signed_in, api, merchant, store, coupon):
    signed_in(merchant)
    response = api("post", f"/stores/{store.public_id}/redemptions", {"code": coupon.display_code, "amount": 8000})
    assert response.status_code == 201
    redemption = response.json()
    assert redemption["coupon"]["state"] == "redeemed" and redemption["discount"] == 1000
    again = api("post", f"/stores/{store.public_id}/redemptions", {"code": coupon.code})
    assert again.status_code == 409
    assert again.json()["detail"].startswith("이미 사용한 쿠폰입니다")
    undone = api("post", f"/stores/{store.public_id}/redemptions/{redemption['id']}/undo")
    assert undone.status_code == 200 and undone.json()["undone_at"] is not None
    assert Coupon.objects.get(pk=coupon.pk).status == "issued"


def test_a_point_of_sale_redeems_by_token_with_the_store_api_key(api, store, coupon, api_key):
    response = api("post", f"/stores/{store.public_id}/redemptions", {"token": coupon.token()}, key=api_key)
    assert response.status_code == 201
    redemption = Redemption.objects.get()
    assert redemption.via == "api" and redemption.api_key.store == store and redemption.redeemed_by is None


def test_an_api_key_works_only_for_its_own_store(api, other_store, make_campaign, stranger, api_key):
    foreign = make_campaign(store=other_store).claim(customer=stranger)
    response = api("post", f"/stores/{other_store.public_id}/redemptions", {"code": foreign.code}, key=api_key)
    assert response.status_code == 404
    assert not Redemption.objects.exists()


def test_a_revoked_or_wrong_api_key_is_refused(api, store, merchant, coupon, api_key):
    wrong = api_key[:-4] + ("aaaa" if not api_key.endswith("aaaa") else "bbbb")
    assert api("post", f"/stores/{store.public_id}/redemptions", {"code": coupon.code}, key=wrong).status_code == 401
    ApiKey.objects.get().revoke()
    assert api("post", f"/stores/{store.public_id}/redemptions", {"code": coupon.code}, key=api_key).status_code == 401
    assert not Redemption.objects.exists()


def test_an_api_key_cannot_use_customer_endpoints(api, campaign, api_key):
    assert api("post", f"/campaigns/{campaign.public_id}/claim", key=api_key).status_code == 401
    assert api("get", "/wallet", key=api_key).status_code == 401


def test_bad_tokens_get_one_generic_answer(api, store, coupon, api_key):
    token = coupon.token()
    altered = token[:10] + ("x" if token[10] != "x" else "y") + token[11:]
    for bad in (altered, token + "A", "DG1.e30.AAAA"):
        response = api("post", f"/stores/{store.public_id}/redemptions", {"token": bad}, key=api_key)
        assert response.status_code == 400
        assert response.json() == {"detail": "이 QR로는 쿠폰을 확인할 수 없습니다. 쿠폰 번호를 직접 입력해 주세요."}
    assert not Redemption.objects.exists()


def test_redeem_needs_exactly_one_of_code_or_token(api, store, coupon, api_key):
    both = api(
        "post", f"/stores/{store.public_id}/redemptions", {"code": coupon.code, "token": coupon.token()}, key=api_key
    )
    assert both.status_code == 400 and "code" in both.json()["errors"]
    neither = api("post", f"/stores/{store.public_id}/redemptions", {"amount": 100}, key=api_key)
    assert neither.status_code == 400
    negative = api("post", f"/stores/{store.public_id}/redemptions", {"code": coupon.code, "amount": -5}, key=api_key)
    assert negative.status_code == 422
    assert not Redemption.objects.exists()


def test_coupon_check_shows_a_coupon_without_using_it(api, store, coupon, api_key):
    response = api("post", f"/stores/{store.public_id}/coupon-check", {"code": coupon.code}, key=api_key)
    assert response.status_code == 200 and response.json()["state"] == "usable"
    assert not Redemption.objects.exists()


def test_the_customer_uses_a_coupon_with_the_pin_through_the_api(signed_in, api, customer, coupon, pin):
    signed_in(customer)
    wrong = api("post", f"/wallet/{coupon.public_id}/use", {"pin": "0001"})
    assert wrong.status_code == 400 and wrong.json()["detail"] == "확인 번호가 맞지 않습니다."
    response = api("post", f"/wallet/{coupon.public_id}/use", {"pin": pin, "amount": 12000})
    assert response.status_code == 201 and response.json()["via"] == "pin"


def test_the_merchant_creates_a_campaign_through_the_api(signed_in, api, merchant, store):
    signed_in(merchant)
    payload = {"kind": "percent", "percent_off": 10, "valid_days": 14, "method": "first_come", "quantity": 50}
    response = api("post", f"/stores/{store.public_id}/campaigns", payload)
    assert response.status_code == 201
    assert response.json()["benefit"] == "10% 할인" and response.json()["remaining"] == 50


def test_bad_campaigns_get_field_errors_and_write_nothing(signed_in, api, merchant, store):
    signed_in(merchant)
    over = api("post", f"/stores/{store.public_id}/campaigns", {"kind": "percent", "percent_off": 95, "valid_days": 7})
    assert over.status_code == 400
    assert over.json()["errors"]["percent_off"] == ["할인율은 1%에서 90% 사이로 정해 주세요."]
    zero = api(
        "post",
        f"/stores/{store.public_id}/campaigns",
        {"kind": "amount", "amount_off": 500, "valid_days": 7, "quantity": 0},
    )
    assert zero.status_code == 400
    assert zero.json()["errors"]["quantity"] == ["수량은 1장 이상이어야 합니다. 제한이 없으면 비워 두세요."]
    assert not Campaign.objects.exists()


def test_the_store_lists_its_claimable_coupons_publicly(client, store, campaign):
    response = client.get(f"/api/v1/stores/{store.public_id}/coupons")
    assert [c["id"] for c in response.json()] == [campaign.public_id]


def test_the_revocation_list_names_cancelled_coupons(api, store, campaign, coupon, api_key):
    campaign.revoke_unused()
    response = api("get", f"/stores/{store.public_id}/revocations", key=api_key)
    assert response.json()["codes"] == [coupon.code]
