"""The whole channel flow through /api/v1, as a phone app or a partner would use it."""

import re

from django.test import Client

from dangol.accounts import sms
from dangol.channels.models import ConsentEvent


def _sign_in(client, phone):
    assert client.post("/api/v1/auth/code", {"phone": phone}, content_type="application/json").status_code == 202
    code = re.search(r"\d{6}", sms.outbox[-1]["text"]).group()
    response = client.post("/api/v1/auth/verify", {"phone": phone, "code": code}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_merchant_and_a_customer_go_through_the_whole_flow(db, store, merchant, django_capture_on_commit_callbacks):
    shop, phone = Client(), Client()
    me = _sign_in(shop, "010-1111-0001")
    assert me["store_ids"] == [store.public_id]
    response = shop.patch(
        f"/api/v1/stores/{store.public_id}", {"opening_hours": "07:00~20:00"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["opening_hours"] == "07:00~20:00"

    customer = _sign_in(phone, "010-4444-5678")
    assert customer["store_ids"] == []
    response = phone.post(
        f"/api/v1/stores/{store.public_id}/follow",
        {"collection": True, "ads": True, "night": False},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["ads_consent"] is True
    again = phone.post(
        f"/api/v1/stores/{store.public_id}/follow", {"collection": True}, content_type="application/json"
    )
    assert again.status_code == 409

    followers = shop.get(f"/api/v1/stores/{store.public_id}/followers").json()
    assert [f["phone"] for f in followers] == ["010-****-5678"]

    with django_capture_on_commit_callbacks(execute=True):
        response = shop.post(
            f"/api/v1/stores/{store.public_id}/messages",
            {
                "kind": "ad",
                "body": "딸기 한 팩 5천원",
                "buttons": [{"label": "지도", "url": "https://example.com/map"}],
            },
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["header"] == "(광고) 햇살과일"

    inbox = phone.get("/api/v1/inbox").json()
    ad = next(i for i in inbox["items"] if i["kind"] == "ad")
    assert ad["body"] == "딸기 한 팩 5천원" and ad["store_id"] == store.public_id
    # Every item but the consent line (it arrives already read) is unread.
    assert inbox["unread"] == len(inbox["items"]) - 1 == inbox["unread_by_store"][store.public_id]
    assert phone.post(f"/api/v1/inbox/{ad['id']}/read").status_code == 204
    assert phone.get("/api/v1/inbox").json()["unread"] == inbox["unread"] - 1

    response = phone.put(
        f"/api/v1/stores/{store.public_id}/consent", {"kind": "ads", "given": False}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["ads_consent"] is False
    assert phone.delete(f"/api/v1/stores/{store.public_id}/follow").status_code == 204
    assert ConsentEvent.objects.filter(via="api", action="withdrawn", kind="collection").count() == 1
    assert shop.get(f"/api/v1/stores/{store.public_id}/followers").json() == []


def test_bad_api_input_gets_field_errors_and_writes_nothing(db, store, merchant, signed_in, customer):
    shop = signed_in(merchant)
    response = shop.post(
        f"/api/v1/stores/{store.public_id}/messages",
        {"kind": "info", "body": "x" * 1001},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "body" in response.json()["errors"]
    response = shop.post(
        f"/api/v1/stores/{store.public_id}/messages",
        {"kind": "info", "body": "hi", "buttons": [{"label": "a", "url": "http://x.example"}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    response = shop.post(
        f"/api/v1/stores/{store.public_id}/messages", {"kind": "nope"}, content_type="application/json"
    )
    assert response.status_code == 422
    response = shop.patch(f"/api/v1/stores/{store.public_id}", {"phone": "12"}, content_type="application/json")
    assert response.status_code == 400 and "phone" in response.json()["errors"]
    phone = signed_in(customer)
    response = phone.post(
        f"/api/v1/stores/{store.public_id}/follow", {"collection": False}, content_type="application/json"
    )
    assert response.status_code == 400 and "collection" in response.json()["errors"]
    response = phone.post(
        f"/api/v1/stores/{store.public_id}/follow", {"collection": True, "night": True}, content_type="application/json"
    )
    assert response.status_code == 400
    assert not ConsentEvent.objects.exists()
    assert phone.get("/api/v1/inbox?limit=0").status_code == 422
    assert phone.get("/api/v1/inbox?limit=abc").status_code == 422
    response = Client().post("/api/v1/auth/code", {"phone": "02-123-4567"}, content_type="application/json")
    assert response.status_code == 400


def test_the_api_refuses_the_wrong_user_on_every_store_url(db, store, signed_in, other_merchant, customer, client):
    for user in (other_merchant, customer):
        c = signed_in(user)
        assert (
            c.patch(f"/api/v1/stores/{store.public_id}", {"name": "x"}, content_type="application/json").status_code
            == 404
        )
        assert c.get(f"/api/v1/stores/{store.public_id}/followers").status_code == 404
        response = c.post(
            f"/api/v1/stores/{store.public_id}/messages", {"kind": "info", "body": "x"}, content_type="application/json"
        )
        assert response.status_code == 404
    anonymous = Client()
    assert anonymous.get("/api/v1/inbox").status_code == 401
    assert (
        anonymous.post(
            f"/api/v1/stores/{store.public_id}/follow", {"collection": True}, content_type="application/json"
        ).status_code
        == 401
    )
    assert anonymous.get(f"/api/v1/stores/{store.public_id}").status_code == 200
    store.refresh_from_db()
    assert store.name == "햇살과일"


def test_the_openapi_document_describes_the_api(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    for path in ["/api/v1/auth/code", "/api/v1/stores/{public_id}/follow", "/api/v1/inbox"]:
        assert path in spec["paths"]
