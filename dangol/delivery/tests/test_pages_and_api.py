import time_machine

from dangol.delivery.models import ChannelChoice, PushSubscription
from dangol.delivery.services import deliveries_send_due
from dangol.messaging.services import message_send

from .conftest import Browser, b64


def _subscription(browser):
    return {"endpoint": browser.endpoint, "keys": {"p256dh": browser.p256dh, "auth": b64(browser.auth_secret)}}


def test_a_customer_turns_push_on_and_off_through_the_api(settings, signed_in, customer, push_service):
    settings.PUSH_ALLOW_LOCAL_HTTP = True
    phone = Browser(push_service, "phone")
    client = signed_in(customer)
    response = client.post("/api/v1/push/subscriptions", _subscription(phone), content_type="application/json")
    assert response.status_code == 201
    assert PushSubscription.objects.get().customer == customer
    response = client.post(
        "/api/v1/push/subscriptions/delete", {"endpoint": phone.endpoint}, content_type="application/json"
    )
    assert response.status_code == 204 and not PushSubscription.objects.exists()


def test_a_bad_key_or_a_plain_http_endpoint_is_refused_and_nothing_kept(signed_in, customer, push_service):
    phone = Browser(push_service, "phone")
    client = signed_in(customer)
    response = client.post("/api/v1/push/subscriptions", _subscription(phone), content_type="application/json")
    assert response.status_code == 400 and response.json()["errors"] == {"endpoint": ["푸시 주소가 올바르지 않습니다."]}
    bad = {"endpoint": "https://fcm.googleapis.com/x", "keys": {"p256dh": "AAAA", "auth": b64(phone.auth_secret)}}
    response = client.post("/api/v1/push/subscriptions", bad, content_type="application/json")
    assert response.status_code == 400 and "keys.p256dh" in response.json()["errors"]
    assert not PushSubscription.objects.exists()


def test_only_the_known_push_services_are_accepted_so_the_worker_posts_nowhere_else(
    signed_in, customer, push_service, settings
):
    """A visitor can't make the worker post to an address of their choosing (inside our network, say)."""
    phone = Browser(push_service, "phone")
    keys = _subscription(phone)["keys"]
    client = signed_in(customer)
    for endpoint in (
        "https://10.0.0.5:5432/x",
        "https://metadata.google.internal/x",
        "https://fcm.googleapis.com.evil.example/x",
        "https://evilpush.apple.com/x",
    ):
        response = client.post(
            "/api/v1/push/subscriptions", {"endpoint": endpoint, "keys": keys}, content_type="application/json"
        )
        assert response.status_code == 400, endpoint
        assert response.json()["errors"] == {"endpoint": ["이 브라우저의 알림 서비스는 받지 않습니다."]}
    assert not PushSubscription.objects.exists()
    for endpoint in (
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/abc",
        "https://web.push.apple.com/abc",
    ):
        response = client.post(
            "/api/v1/push/subscriptions", {"endpoint": endpoint, "keys": keys}, content_type="application/json"
        )
        assert response.status_code in (200, 201), (endpoint, response.content)
    assert PushSubscription.objects.count() == 3
    settings.PUSH_SERVICE_HOSTS = ["push.example.org"]  # an operator may name another service
    response = client.post(
        "/api/v1/push/subscriptions",
        {"endpoint": "https://push.example.org/a", "keys": keys},
        content_type="application/json",
    )
    assert response.status_code in (200, 201)


def test_nobody_can_remove_another_customers_subscription(signed_in, customer, stranger, push_service):
    phone = Browser(push_service, "phone")
    phone.subscribe(customer)
    response = signed_in(stranger).post(
        "/api/v1/push/subscriptions/delete", {"endpoint": phone.endpoint}, content_type="application/json"
    )
    assert response.status_code == 404 and PushSubscription.objects.count() == 1


def test_only_a_regular_chooses_how_a_store_reaches_them(signed_in, store, customer, stranger, follow):
    follow(customer, store)
    ok = signed_in(customer).put(
        f"/api/v1/stores/{store.public_id}/channel", {"channel": "sms"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json() == {"store_id": store.public_id, "channel": "sms"}
    refused = signed_in(stranger).put(
        f"/api/v1/stores/{store.public_id}/channel", {"channel": "sms"}, content_type="application/json"
    )
    assert refused.status_code == 404
    assert list(ChannelChoice.objects.values_list("customer", "channel")) == [(customer.pk, "sms")]


def test_the_inbox_offers_to_turn_notifications_on(signed_in, customer):
    page = signed_in(customer).get("/inbox/").content.decode()
    assert 'id="push-on"' in page and "알림 켜기" in page and "delivery/push.js" in page
    worker = signed_in(customer).get("/push/sw.js")
    assert worker["Content-Type"].startswith("application/javascript") and b"showNotification" in worker.content


@time_machine.travel("2026-11-26 12:00 +0900", tick=False)
def test_the_merchant_sees_how_far_a_message_went_and_nobody_else_does(
    signed_in, store, merchant, other_merchant, customer, stranger, follow, browser, push_service
):
    browser("phone").subscribe(customer)
    follow(customer, store)
    follow(stranger, store)
    message = message_send(store=store, author=merchant, kind="info", body="오늘 쉽니다")
    message.deliver()
    deliveries_send_due()
    signed_in(stranger).get(f"/inbox/{message.public_id}/")
    url = f"/m/{store.public_id}/messages/{message.public_id}/reach/"
    page = signed_in(merchant).get(url).content.decode()
    assert "2명" in page and "보냄 1 · 대기 0 · 실패 0 · 구독 끝남 0" in page
    assert "시간별 도달과 읽음" in page
    assert signed_in(other_merchant).get(url).status_code == 404
    assert signed_in(customer).get(url).status_code == 404
