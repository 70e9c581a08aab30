"""Turning notifications on in Chromium, and a push reaching the service worker.

Chromium's own push service is Google's (FCM), out of reach here, so PushManager.subscribe() cannot
make a real subscription offline. The test stands in for that one call: the page's subscribe() gets a
subscription whose endpoint is the local push service and whose keys the test holds. Everything
around it is real: the permission, the service worker registration, the key the page passes to
subscribe(), the page handing the subscription to Dangol, Dangol encrypting and posting the push, and
the service worker turning the push (delivered by Chromium's DevTools protocol) into a notification.
"""

import base64
import json

import http_ece
import pytest
from django.test import Client
from playwright.sync_api import expect

from dangol.delivery.models import Delivery, PushSubscription, State, VapidKey
from dangol.delivery.services import deliveries_send_due
from dangol.messaging.services import message_send

pytestmark = pytest.mark.browser

# Replaces PushManager's two calls that would reach Google; records what the page asked for.
FAKE_PUSH_MANAGER = """
(() => {
  const subscription = %s;
  window.__subscribeCalls = [];
  PushManager.prototype.getSubscription = async function () { return null; };
  PushManager.prototype.subscribe = async function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    window.__subscribeCalls.push({
      userVisibleOnly: options.userVisibleOnly,
      applicationServerKey: btoa(String.fromCharCode(...key)),
    });
    return { endpoint: subscription.endpoint, toJSON: () => subscription };
  };
})();
"""


def _signed_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_a_customer_turns_notifications_on_and_a_push_becomes_a_notification(
    browser_page, live_server, transactional_db, settings, store, merchant, customer, follow, browser, push_service
):
    settings.PUSH_ALLOW_LOCAL_HTTP = True
    phone = browser("chromium")
    subscription = {"endpoint": phone.endpoint, "keys": {"p256dh": phone.p256dh, "auth": _b64(phone.auth_secret)}}
    follow(customer, store)
    page = browser_page
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.add_init_script(FAKE_PUSH_MANAGER % json.dumps(subscription))
    _signed_in(page, live_server, customer)

    page.goto(f"{live_server.url}/inbox/")
    page.get_by_role("button", name="알림 켜기").click()
    expect(page.get_by_role("status")).to_have_text("알림을 켰습니다. 새 소식이 오면 알려 드립니다.")

    # The page registered the push worker at its own scope and subscribed with Dangol's VAPID key.
    registrations = page.evaluate(
        """async () => (await navigator.serviceWorker.getRegistrations()).map((r) => ({
             scope: r.scope, script: r.active && r.active.scriptURL }))"""
    )
    assert {"scope": f"{live_server.url}/push/", "script": f"{live_server.url}/push/sw.js"} in registrations
    [call] = page.evaluate("window.__subscribeCalls")
    server_key = VapidKey.objects.get().public_key
    assert call == {"userVisibleOnly": True, "applicationServerKey": _b64_std(server_key)}
    saved = PushSubscription.objects.get()
    assert (saved.customer, saved.endpoint, saved.p256dh) == (customer, phone.endpoint, phone.p256dh)

    # Dangol's worker encrypts the message for this browser and posts it to the push service.
    message = message_send(store=store, author=merchant, kind="info", body="오늘 저녁 6시 마감 세일")
    assert deliveries_send_due()["push"] == 1
    [request] = push_service.requests
    data = http_ece.decrypt(
        request["body"], private_key=phone.private_key, auth_secret=phone.auth_secret, version="aes128gcm"
    )
    assert Delivery.objects.get(message=message).state == State.SENT

    # What the push service would hand Chromium, handed to the service worker through DevTools.
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    page.wait_for_timeout(300)
    [push_registration] = [r for r in registrations if r["scopeURL"] == f"{live_server.url}/push/"]
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": live_server.url, "registrationId": push_registration["registrationId"], "data": data.decode()},
    )
    notifications = page.evaluate(
        """async () => {
             const registration = await navigator.serviceWorker.getRegistration("/push/");
             for (let i = 0; i < 50; i++) {
               const shown = await registration.getNotifications();
               if (shown.length) return shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data }));
               await new Promise((resolve) => setTimeout(resolve, 100));
             }
             return [];
           }"""
    )
    assert notifications == [
        {
            "title": "햇살과일",
            "body": "오늘 저녁 6시 마감 세일",
            "tag": message.public_id,
            "data": {"url": f"/inbox/{message.public_id}/"},
        }
    ]


def _b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64_std(base64url):
    """The same bytes as the page's btoa() writes them: standard alphabet, padded."""
    raw = base64.urlsafe_b64decode(base64url + "=" * (-len(base64url) % 4))
    return base64.b64encode(raw).decode()
