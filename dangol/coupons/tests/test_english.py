"""A merchant or customer who chose English reads every coupon screen in English: each step of the
new-coupon form, each kind of campaign, the stall with its uses and refusals, the wallet, and the words
the stall's script shows without network. Only what people typed (store, gift, key names) stays Korean."""

import datetime as dt
import html
import json
import re

from django.urls import reverse
from django.utils import timezone

from dangol.coupons.models import ApiKey, Method, Via
from dangol.lib.english import HANGUL, in_english, korean_left


def _typed(store, *more):
    return [store.name, store.market.name, store.stall_number, *more]


def _page(response):
    return html.unescape(response.content.decode())


def _step(client, store, data):
    return client.post(reverse("coupons:campaign_new", args=[store.public_id]), data)


def test_each_step_of_the_new_coupon_form_and_its_errors_are_english(client, merchant, store):
    in_english(client, merchant)
    kind = client.get(reverse("coupons:campaign_new", args=[store.public_id]))
    assert "Step 1 of 3" in _page(kind)
    value = _step(client, store, {"step": "kind", "kind": "amount"})
    assert "How much off?" in _page(value)
    refused = _step(client, store, {"step": "value", "kind": "amount", "amount_off": "", "go": "next"})
    assert "Please enter the discount in won (1 won or more)." in _page(refused)
    hand_out = _step(client, store, {"step": "value", "kind": "amount", "amount_preset": "2000"})
    assert "How will you hand it out?" in _page(hand_out)
    bad_dates = _step(
        client, store, {"step": "hand_out", "kind": "amount", "amount_off": "2000", "validity": "dates", "go": "finish"}
    )
    assert "Please choose the last day it can be used." in _page(bad_dates)
    gift = _step(client, store, {"step": "kind", "kind": "gift"})
    for page in (kind, value, refused, hand_out, bad_dates, gift):
        assert korean_left(page, typed=_typed(store), allowed=()) == []
    assert not store.coupon_campaigns.exists()


def test_every_kind_of_campaign_page_is_english(client, merchant, store, make_campaign, customer):
    in_english(client, merchant)
    campaigns = [
        make_campaign(method=Method.FOLLOWERS, quantity=50),
        make_campaign(method=Method.MESSAGE),
        make_campaign(method=Method.LOTTERY, win_rate=20, kind="percent", percent_off=10, amount_off=None),
        make_campaign(method=Method.WELCOME, min_purchase=10000),
        make_campaign(method=Method.PAPER, quantity=3, kind="gift", gift="대파 한 단", amount_off=None),
        make_campaign(valid_days=None, valid_until=timezone.localdate() + dt.timedelta(days=9)),
    ]
    campaigns[4].print_paper()
    campaigns[0].end()
    pages = [client.get(reverse("coupons:campaigns", args=[store.public_id]))]
    pages += [client.get(c.get_absolute_url()) for c in campaigns]
    pages.append(client.get(reverse("coupons:campaign_paper", args=[store.public_id, campaigns[4].public_id])))
    pages.append(client.get(reverse("coupons:campaign_message", args=[store.public_id, campaigns[1].public_id])))
    pages.append(client.post(campaigns[0].get_absolute_url() + "end/", {"revoke": "1"}, follow=True))
    # An ad's legal labels ("(광고)", "보낸 곳") are written into the message in Korean, as it is stored and sent.
    typed = _typed(store, "대파 한 단", "(광고)", "보낸 곳")
    assert {page.status_code for page in pages} == {200}
    assert [korean_left(page, typed=typed, allowed=()) for page in pages] == [[]] * len(pages)
    listing = _page(pages[0])
    assert "Lottery (winners only)" in listing and "3 given out · 0 used" in listing
    assert "Until " in _page(pages[6]) and "On purchases of 10,000 won or more" in _page(pages[4])
    assert "Cancelled 0 unused coupons." in _page(pages[-1])


def test_the_stall_its_uses_and_its_refusals_are_english(client, merchant, store, campaign, customer):
    coupon = campaign.claim(customer=customer, now=timezone.now() - dt.timedelta(hours=1))
    coupon.redeem(via=Via.CODE, by=merchant, amount=12000, now=timezone.now() - dt.timedelta(minutes=3))
    coupon.redeem_offline(via=Via.SCAN, used_at=timezone.now() - dt.timedelta(minutes=1), client_id="off-123456789")
    in_english(client, merchant)
    stall = client.get(reverse("coupons:stall", args=[store.public_id]))
    page = _page(stall)
    assert "Records waiting for internet:" in page and "12,000 won" in page and "Second use" in page
    wrong = client.post(reverse("coupons:stall_redeem", args=[store.public_id]), {"code": "ZZZZ-ZZZZ"}, follow=True)
    used = client.post(reverse("coupons:stall_redeem", args=[store.public_id]), {"code": coupon.code}, follow=True)
    assert "can't be used at this store" in _page(wrong)
    assert "This coupon was already used" in _page(used)
    pin = client.post(reverse("coupons:pin", args=[store.public_id]), {"pin": "1234", "pin_again": "4321"})
    assert "The two numbers don't match." in _page(pin)
    keys = client.post(reverse("coupons:api_keys", args=[store.public_id]), {"name": "앞 계산대"})
    assert ApiKey.objects.filter(store=store).exists()
    for response in (stall, wrong, used, pin, keys):
        assert korean_left(response, typed=_typed(store, "앞 계산대", merchant.name), allowed=()) == []
    # The words the stall's script shows when the network is gone come from the page, in English too.
    config = json.loads(re.search(r'id="stall-offline-config"[^>]*>(.*?)</script>', page).group(1))
    assert [text for text in config["text"].values() if HANGUL.search(text)] == []
    assert config["text"]["synced_at"] == "{month}/{day} {time}"


def test_the_stall_as_an_installed_app_is_named_in_english(client, store):
    in_english(client)
    manifest = client.get(reverse("coupons:stall_manifest", args=[store.public_id])).json()
    assert (manifest["name"], manifest["short_name"], manifest["lang"]) == ("햇살과일 checkout", "Checkout", "en")


def test_the_customer_wallet_coupon_and_use_screens_are_english(client, customer, store, coupon, make_campaign, pin):
    lottery = make_campaign(method=Method.LOTTERY, win_rate=50, quantity=10)
    make_campaign(quantity=5).claim(customer=customer).revoke()
    in_english(client, customer)
    pages = [
        client.get(reverse("coupons:wallet")),
        client.get(coupon.get_absolute_url()),
        client.get(reverse("coupons:wallet_use", args=[coupon.public_id])),
        client.post(reverse("coupons:wallet_use", args=[coupon.public_id]), {"pin": "0000"}),
        client.get(reverse("coupons:store_coupons", args=[store.public_id])),
        client.post(reverse("coupons:claim", args=[coupon.campaign.public_id]), follow=True),
        client.post(reverse("coupons:claim", args=[lottery.public_id]), follow=True),
    ]
    assert [korean_left(page, typed=_typed(store), allowed=()) for page in pages] == [[]] * len(pages)
    assert "Coupons you can use" in _page(pages[0]) and "Cancelled" in _page(pages[0])
    assert re.search(r'id="synced-at"[^>]*>\w+ \d+, \d\d:\d\d</time>', _page(pages[1]))  # "November 27, 16:44"
    assert "The confirmation number is wrong." in _page(pages[3])
    assert "You already have this coupon." in _page(pages[5])
    used = client.post(reverse("coupons:wallet_use", args=[coupon.public_id]), {"pin": pin}, follow=True)
    assert "Used! Show this screen to the store owner." in _page(used)
    assert korean_left(used, typed=_typed(store), allowed=()) == []


def test_the_same_pages_stay_korean_for_everyone_else(client, merchant, store, coupon):
    client.force_login(merchant, backend="dangol.accounts.backends.PhoneCodeBackend")
    page = client.get(reverse("coupons:stall", args=[store.public_id])).content.decode()
    assert '인터넷 연결을 기다리는 기록: <span id="queue-count">0</span>건' in page
    assert "쿠폰 사용 처리" in page and 'lang="ko"' in page
