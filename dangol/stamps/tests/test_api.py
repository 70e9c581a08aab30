import time_machine

from dangol.coupons.models import ApiKey
from dangol.stamps.members import member_token
from dangol.stamps.models import Stamp, StampToken


def _api(client, method, path, json=None, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    if json is None:
        return getattr(client, method)(f"/api/v1{path}", **headers)
    return getattr(client, method)(f"/api/v1{path}", json, content_type="application/json", **headers)


def test_a_customer_collects_a_stamp_and_reads_the_card(signed_in, client, customer, program):
    token = StampToken.current(program)
    signed_in(customer)
    response = _api(client, "post", f"/stamps/{token.nonce}")
    assert response.status_code == 201
    body = response.json()
    assert body["number"] == 1 and body["card"]["stamps"] == 1 and body["card"]["goal"] == 3
    again = _api(client, "post", f"/stamps/{token.nonce}")
    assert again.status_code == 400
    assert "이미 쓰였거나 시간이 지났습니다" in again.json()["detail"]
    cards = _api(client, "get", "/stamp-cards").json()
    assert [c["stamps"] for c in cards] == [1]


def test_the_goal_returns_the_reward_coupon(signed_in, client, customer, program):
    signed_in(customer)
    for day in ("2026-05-04", "2026-05-05", "2026-05-06"):
        with time_machine.travel(f"{day} 10:00 +0900", tick=False):
            response = _api(client, "post", f"/stamps/{StampToken.current(program).nonce}")
    body = response.json()
    assert body["card"]["stamps"] == 0 and body["card"]["completed"] == 1
    assert len(body["reward_coupon_ids"]) == 1


def test_a_limit_refusal_is_409(signed_in, client, customer, program):
    signed_in(customer)
    _api(client, "post", f"/stamps/{StampToken.current(program).nonce}")
    response = _api(client, "post", f"/stamps/{StampToken.current(program).nonce}")
    assert response.status_code == 409
    assert response.json()["detail"] == "오늘은 이미 도장을 받았습니다. 내일 또 와 주세요."


def test_a_point_of_sale_stamps_a_member_qr_with_the_store_key(client, store, merchant, customer, program):
    _key, plain = ApiKey.create_for(store=store, name="POS", by=merchant)
    response = _api(
        client, "post", f"/stores/{store.public_id}/stamps", {"member_token": member_token(customer)}, key=plain
    )
    assert response.status_code == 201
    stamp = Stamp.objects.get()
    assert stamp.via == "api" and stamp.api_key.store == store
    qr = _api(client, "get", f"/stores/{store.public_id}/stamp-qr", key=plain)
    assert qr.status_code == 200 and "/t/" in qr.json()["url"]


def test_a_bad_member_token_is_refused(signed_in, client, merchant, store, program):
    signed_in(merchant)
    response = _api(client, "post", f"/stores/{store.public_id}/stamps", {"member_token": "DGM1.forged:x:y"})
    assert response.status_code == 400
    assert not Stamp.objects.exists()


def test_the_program_is_public(client, store, program):
    body = _api(client, "get", f"/stores/{store.public_id}/stamp-program").json()
    assert body["goal"] == 3 and body["reward"] == "사은품: 떡 한 팩" and body["limit"] == "하루에 한 번"


def test_stamp_endpoints_refuse_everyone_else(signed_in, client, store, other_merchant, customer, stranger, program):
    calls = [
        ("post", f"/stores/{store.public_id}/stamps", {"member_token": member_token(customer)}),
        ("get", f"/stores/{store.public_id}/stamp-qr", None),
    ]
    for method, path, body in calls:
        assert _api(client, method, path, body).status_code == 401
    for who in (other_merchant, customer, stranger):
        signed_in(who)
        for method, path, body in calls:
            assert _api(client, method, path, body).status_code == 404
    client.logout()
    assert _api(client, "get", "/stamp-cards").status_code == 401
    assert _api(client, "post", f"/stamps/{StampToken.current(program).nonce}").status_code == 401
    assert not Stamp.objects.exists()
