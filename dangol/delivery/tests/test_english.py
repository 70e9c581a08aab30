"""Delivery's screens in English, when chosen: no Korean of ours left; what customers receive by text
stays in the site's language whatever the merchant reads."""

import re

import time_machine

from dangol.accounts import sms
from dangol.delivery.models import ChannelChoice, MessageCredit, StallSignup
from dangol.delivery.services import deliveries_send_due
from dangol.lib.english import in_english, korean_left
from dangol.messaging.services import message_send


@time_machine.travel("2026-11-26 12:00 +0900", tick=False)
def test_every_delivery_screen_is_english_when_chosen(signed_in, merchant, customer, store, follow, market):
    follow(customer, store)
    ChannelChoice.objects.create(customer=customer, store=store, channel="sms")
    message = message_send(store=store, author=merchant, kind="info", body="오늘 사과 세일")
    message.deliver()
    deliveries_send_due()
    signed_in(customer).get(f"/inbox/{message.public_id}/")
    typed = [store.name, store.stall_number, market.name, "오늘 사과 세일"]  # what people wrote

    client = in_english(signed_in(merchant))
    client.post(f"/m/{store.public_id}/regulars/by-sms/", {"phone": "010-5555-7777", "ads": "yes", "night": "no"})
    signup = StallSignup.objects.get()
    pages = {
        "stall": client.get(f"/m/{store.public_id}/regulars/by-sms/").content.decode(),
        "confirm": client.get(f"/m/{store.public_id}/regulars/by-sms/{signup.public_id}/").content.decode(),
        "reach": client.get(f"/m/{store.public_id}/messages/{message.public_id}/reach/").content.decode(),
        "channels": in_english(signed_in(customer)).get("/me/channels/").content.decode(),
    }
    for name, html in pages.items():
        assert 'lang="en"' in html, name
        assert korean_left(html, typed=typed, allowed=()) == [], name
    assert "Reach and reads by hour" in pages["reach"] and "Text the code" in pages["stall"]
    assert 'data-on="Notifications are on.' in pages["channels"]


@time_machine.travel("2026-11-26 12:00 +0900", tick=False)
def test_a_merchant_reading_english_still_texts_the_customer_in_korean(signed_in, merchant, store, market):
    MessageCredit.top_up(market=market, amount=1000)
    client = in_english(signed_in(merchant))
    client.post(f"/m/{store.public_id}/regulars/by-sms/", {"phone": "010-5555-7777", "ads": "no", "night": "no"})
    assert "광고 문자: 받지 않음" in sms.outbox[-1]["text"]
    code = re.search(r"\d{6}", sms.outbox[-1]["text"]).group()
    signup = StallSignup.objects.get()
    response = client.post(f"/m/{store.public_id}/regulars/by-sms/{signup.public_id}/", {"code": code})
    assert "is now a regular" in client.get(response.url).content.decode()
    deliveries_send_due()
    assert "동의 기록" in sms.outbox[-1]["text"]
