"""Screens of channels, messaging, accounts, markets and reports that the site-wide English sweep
(core/tests/test_english.py) does not visit: with English chosen they hold no Korean of Dangol's own,
only what people typed (store names, message bodies)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from dangol.accounts.models import User
from dangol.channels.models import ConsentVia, Store
from dangol.channels.services import follow_start
from dangol.markets.models import Market
from dangol.messaging.models import Message, MessageKind, opt_out_token
from dangol.messaging.services import message_send
from dangol.reports.models import Target
from dangol.reports.services import report_file

HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")
# Not read as the page's own text: scripts, styles, typed-in values, and the SMS line of the delivery app.
HIDDEN = re.compile(
    r"<(script|style)\b.*?</\1>|<input[^>]*type=\"hidden\"[^>]*>|<textarea[^>]*>.*?</textarea>"
    r"|<p[^>]*id=\"sms-notice\".*?</p>",
    re.S,
)
# A language is offered under its own name.
OWN_NAMES = {"한국어"}


def korean_left(html):
    """Hangul words on the page (text and attributes, without scripts, styles and typed-in values)
    that are neither the language picker's 한국어 nor what was written into the database (names,
    message bodies and their frozen headers and footers)."""
    written = " ".join(
        str(value)
        for values in [
            Store.objects.values_list("name", "stall_number"),
            Market.objects.values_list("name", "address"),
            User.objects.values_list("name", flat=False),
            Message.objects.values_list("body", "header", "footer"),
        ]
        for row in values
        for value in row
    )
    return set(HANGUL_WORD.findall(HIDDEN.sub(" ", html))) - set(HANGUL_WORD.findall(written)) - OWN_NAMES


def untranslated(screens):
    """{screen: Korean words left on it}, for the screens that have any."""
    return {name: words for name, html in screens.items() if (words := korean_left(html))}


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
    assert korean_left(html) == set()
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
