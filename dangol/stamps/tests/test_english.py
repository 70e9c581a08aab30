"""A merchant or customer who chose English reads every stamp screen in English: the set-up form and its
errors, the running card with its stamps, the stall's QR frame, the customer's scan and cards."""

import html

from django.urls import reverse

from dangol.lib.english import in_english, korean_left
from dangol.stamps.members import member_token
from dangol.stamps.models import StampToken


def _page(response):
    return html.unescape(response.content.decode())


def _typed(store, *more):
    return [store.name, store.market.name, store.stall_number, *more]


def test_setting_up_a_stamp_card_is_english_with_its_errors(client, merchant, store):
    in_english(client, merchant)
    url = reverse("stamps:program", args=[store.public_id])
    form = client.get(url)
    refused = client.post(
        url, {"goal": "99", "reward_kind": "gift", "reward_days": "30", "limit_mode": "daily", "expires_from": "last"}
    )
    assert "How many stamps earn the reward?" in _page(form) and "Once a day" in _page(form)
    assert "Please choose between 1 and 50 stamps." in _page(refused)
    assert (
        korean_left(form, typed=_typed(store), allowed=()) == []
        and korean_left(refused, typed=_typed(store), allowed=()) == []
    )
    assert not store.stamp_programs.exists()


def test_a_running_card_the_stall_and_the_customer_screens_are_english(client, merchant, customer, store, make_program):
    program = make_program(
        goal=5,
        expires_after_days=30,
        milestone={"kind": "amount", "amount_off": 500, "percent_off": None, "gift": ""},
        milestone_at=2,
    )
    program.give_to_member(member_token(customer), by=merchant)
    in_english(client, merchant)
    merchant_pages = [
        client.get(reverse("stamps:program", args=[store.public_id])),
        client.get(reverse("stamps:stall_qr", args=[store.public_id])),
        client.get(reverse("coupons:stall", args=[store.public_id])),
        client.post(reverse("stamps:give", args=[store.public_id]), {"token": member_token(customer)}, follow=True),
    ]
    assert 'lang="en"' in _page(merchant_pages[1])
    assert "stamp 1" in _page(merchant_pages[0]) and "card lasts 30 days" in _page(merchant_pages[0])
    assert "You already got a stamp today." in _page(merchant_pages[3])
    typed = _typed(store, "떡 한 팩", customer.masked_phone)
    assert [korean_left(page, typed=typed, allowed=()) for page in merchant_pages] == [[]] * len(merchant_pages)

    client.logout()
    in_english(client, customer)
    token = StampToken.current(program)
    customer_pages = [
        client.get(reverse("stamps:cards")),
        client.get(reverse("coupons:wallet")),
        client.get(reverse("stamps:scan", args=[token.nonce])),
        client.post(reverse("stamps:scan", args=[token.nonce])),
        client.get(reverse("stamps:scan", args=["nosuchnonce"])),
    ]
    cards = _page(customer_pages[0])
    assert (
        "1 of 5 stamps" in cards and "Collect 5 stamps and get a coupon: <strong>Free gift: 떡 한 팩</strong>." in cards
    )
    assert "On the way, at 2 stamps: 500 won off" in cards
    assert "You already got a stamp today." in _page(customer_pages[3])
    assert "This QR was already used or has run out of time." in _page(customer_pages[4])
    assert [korean_left(page, typed=typed, allowed=()) for page in customer_pages] == [[]] * len(customer_pages)


def test_the_stamp_screens_stay_korean_for_everyone_else(client, customer, program):
    client.force_login(customer, backend="dangol.accounts.backends.PhoneCodeBackend")
    program.card_for(customer).add_stamp(via="member")
    page = _page(client.get(reverse("stamps:cards")))
    assert "도장 1개 / 3개" in page and "도장 3개를 모으면 <strong>사은품: 떡 한 팩</strong> 쿠폰을 드립니다." in page
