"""Screens of channels, messaging, accounts, markets and reports that the site-wide English sweep
(core/tests/test_english.py) does not visit: with English chosen they hold no Korean of Dangol's own,
only what people typed (store names, message bodies)."""

import pytest
from django.conf import settings
from django.urls import reverse

from dangol.accounts.models import User
from dangol.channels.models import ConsentVia, Store
from dangol.channels.services import follow_start
from dangol.lib.english import korean_left
from dangol.messaging.models import MessageKind, opt_out_token
from dangol.messaging.services import message_send
from dangol.reports.models import Target
from dangol.reports.services import report_file


def untranslated(screens):
    """{screen: runs of Korean left on it that nobody wrote}, for the screens that have any."""
    return {name: runs for name, html in screens.items() if (runs := korean_left(html))}


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def regular(customer, store):
    return follow_start(customer=customer, store=store, collection=True, ads=True, night=False, via=ConsentVia.WEB)


def page(client, user, url, *, method="get", data=None, status=200):
    client.force_login(user, backend="dangol.accounts.backends.PhoneCodeBackend")
    response = getattr(client, method)(url, data or {})
    assert response.status_code == status, (url, response.status_code)
    html = response.content.decode()
    assert 'lang="en"' in html
    return html


def test_merchant_screens_outside_the_sweep_are_english(english, merchant, store, other_store, regular):
    other_store.owners.add(merchant)  # two stores: the merchant home lists them instead of redirecting
    message = message_send(store=store, author=merchant, kind=MessageKind.AD, body="사과 할인")
    message.deliver()
    compose = reverse("messaging:compose", args=[store.public_id])
    screens = {
        "merchant home": page(english, merchant, reverse("channels:merchant_home")),
        "sent message": page(english, merchant, reverse("messaging:sent", args=[store.public_id, message.public_id])),
        "preview": page(
            english,
            merchant,
            compose,
            method="post",
            data={"kind": "ad", "body": "사과 할인", "when": "now", "action": "preview"},
        ),
        "template": page(english, merchant, compose + "?template=closing_sale"),
        "refused": page(
            english,
            merchant,
            compose,
            method="post",
            data={"kind": "info", "body": " ", "when": "later", "action": "send"},
        ),
    }
    assert untranslated(screens) == {}
    assert "Closing-time sale today!" in screens["template"]
    assert "Choose when to send it." in screens["refused"]
    assert "Sent to 1 person, read by 0." in screens["sent message"]


def test_customer_screens_outside_the_sweep_are_english(english, client, customer, merchant, store, regular):
    ad = message_send(store=store, author=merchant, kind=MessageKind.AD, body="사과 할인")
    ad.deliver()
    opt_out = reverse("messaging:opt_out", args=[opt_out_token(regular)])
    screens = {
        "ad in the inbox": page(english, customer, reverse("messaging:inbox_item", args=[ad.public_id])),
        "report a store": page(english, customer, reverse("reports:store", args=[store.public_id])),
        "report a message": page(english, customer, reverse("reports:message", args=[ad.public_id])),
        "opt-out link": page(english, customer, opt_out),
        "opted out": page(english, customer, opt_out, method="post"),
        "opted out already": page(english, customer, opt_out),
        "bad opt-out link": page(english, customer, reverse("messaging:opt_out", args=["x"]), status=404),
    }
    assert untranslated(screens) == {}
    assert "Stop ads from 햇살과일" in screens["opt-out link"]
    assert "Message from 햇살과일" in screens["report a message"]


def test_sign_in_code_screen_is_english(english, db, settings):
    settings.SIGN_IN_CODE_TTL_SECONDS = 300
    english.post(reverse("accounts:sign_in"), {"phone": "010-2222-0009"})
    response = english.get(reverse("accounts:sign_in_code"))
    html = response.content.decode()
    assert korean_left(html) == []
    assert "Enter the 6-digit code sent to 010-2222-0009. It works for 5 minutes." in html


def test_withheld_store_and_moderation_screens_are_english(english, customer, stranger, merchant, store, settings):
    settings.REPORTS_TO_HIDE = 1
    report_file(reported=store, by=stranger, reason="spam")
    moderator = User.objects.create_user("+821066660009", is_staff=True)
    screens = {
        "hidden store, customer": page(english, customer, store.get_absolute_url()),
        "hidden store, merchant": page(english, merchant, store.get_absolute_url()),
        "moderation": page(english, moderator, reverse("reports:moderation")),
        "market page for its admins": page(
            english, moderator, reverse("markets:manage", args=[store.market.public_id])
        ),
    }
    assert untranslated(screens) == {}
    assert "Spam or flooding" in screens["moderation"]
    assert Target.objects.get(store=store).withheld
    assert Store.objects.withheld().filter(pk=store.pk).exists()
