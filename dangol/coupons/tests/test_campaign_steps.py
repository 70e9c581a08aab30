"""The new-coupon form one step at a time, and the message screen with a coupon attached."""

from django.urls import reverse

from dangol.coupons.models import Campaign, Method
from dangol.messaging.models import InboxItem, Message, MessageKind


def _url(store, **query):
    url = reverse("coupons:campaign_new", args=[store.public_id])
    return url + ("?for=message" if query.get("for_message") else "")


def _step(response):
    return response.context["steps"].step


def _carried(response):
    """The hidden fields the page will post back, as a dict."""
    steps = response.context["steps"]
    data = {f.html_name: f.value() if f.value() is not None else "" for f in steps.carried}
    data["step"] = steps.step
    return data


def test_the_form_asks_kind_then_value_then_how_and_makes_the_coupon_at_the_end(signed_in, merchant, store):
    client = signed_in(merchant)
    first = client.get(_url(store))
    assert _step(first) == "kind" and "1 / 3 단계" in first.content.decode()
    value = client.post(_url(store), {**_carried(first), "kind": "percent"})
    assert _step(value) == "value"
    page = value.content.decode()
    assert "2 / 3 단계" in page and 'name="percent_preset" value="10"' in page
    assert "할인 금액을 원 단위로" not in page  # errors wait until the merchant tries to move on
    how = client.post(_url(store), {**_carried(value), "kind": "percent", "percent_preset": "10"})
    assert _step(how) == "hand_out"
    assert not Campaign.objects.exists()
    done = client.post(
        _url(store), {**_carried(how), "method": "first_come", "validity": "days", "valid_days": "14", "go": "finish"}
    )
    campaign = Campaign.objects.get()
    assert done.url == campaign.get_absolute_url()
    assert (campaign.kind, campaign.percent_off, campaign.valid_days, campaign.method) == (
        "percent",
        10,
        14,
        "first_come",
    )


def test_a_missing_value_keeps_the_merchant_on_its_step_and_writes_nothing(signed_in, merchant, store):
    client = signed_in(merchant)
    value = client.post(_url(store), {**_carried(client.get(_url(store))), "kind": "amount"})
    again = client.post(_url(store), {**_carried(value), "kind": "amount", "amount_off": "", "go": "next"})
    assert _step(again) == "value"
    assert "할인 금액을 원 단위로 적어 주세요. (1원 이상)" in again.content.decode()
    assert not Campaign.objects.exists()


def test_going_back_keeps_every_answer(signed_in, merchant, store):
    client = signed_in(merchant)
    value = client.post(_url(store), {**_carried(client.get(_url(store))), "kind": "amount"})
    how = client.post(_url(store), {**_carried(value), "kind": "amount", "amount_off": "1500", "min_purchase": "9000"})
    back = client.post(_url(store), {**_carried(how), "quantity": "50", "go": "back"})
    assert _step(back) == "value"
    page = back.content.decode()
    assert 'value="1500"' in page and 'value="9000"' in page and 'name="quantity" value="50"' in page


def test_a_tampered_earlier_answer_is_refused_by_the_models_rules_on_its_own_step(signed_in, merchant, store):
    client = signed_in(merchant)
    value = client.post(_url(store), {**_carried(client.get(_url(store))), "kind": "amount"})
    how = client.post(_url(store), {**_carried(value), "kind": "amount", "amount_preset": "2000"})
    done = client.post(_url(store), {**_carried(how), "amount_off": "0", "go": "finish"})
    assert _step(done) == "value"
    assert "할인 금액을 원 단위로 적어 주세요. (1원 이상)" in done.content.decode()
    assert not Campaign.objects.exists()


def test_a_coupon_made_from_the_message_screen_returns_to_the_message_with_what_was_written(
    signed_in, merchant, store, customer, follow
):
    follow(customer, store, ads=True)
    client = signed_in(merchant)
    compose = {"kind": "info", "body": "딸기 왔어요", "step": "start"}
    first = client.post(_url(store, for_message=True), compose)
    assert _step(first) == "kind"
    assert 'name="body" value="딸기 왔어요"' in first.content.decode()
    value = client.post(_url(store), {**_carried(first), "for": "message", "body": "딸기 왔어요", "kind": "amount"})
    how = client.post(
        _url(store), {**_carried(value), "for": "message", "body": "딸기 왔어요", "amount_preset": "1000"}
    )
    assert "메시지에 붙여 보내기" in how.content.decode()
    done = client.post(
        _url(store),
        {
            **_carried(how),
            "for": "message",
            "body": "딸기 왔어요",
            "method": "first_come",
            "validity": "days",
            "valid_days": "30",
            "go": "finish",
        },
    )
    campaign = Campaign.objects.get()
    assert campaign.method == Method.MESSAGE  # from the message screen the coupon goes with the message
    assert done.url == reverse("coupons:campaign_message", args=[store.public_id, campaign.public_id])
    page = client.get(done.url)
    assert page.context["form"]["body"].value() == "딸기 왔어요"
    assert "쿠폰: 1,000원 할인" in page.content.decode()


def test_the_message_screen_lists_only_coupons_waiting_for_a_message(signed_in, merchant, store, make_campaign):
    waiting = make_campaign(method=Method.MESSAGE, amount_off=3000)
    make_campaign(method=Method.FIRST_COME, amount_off=4000)
    page = signed_in(merchant).get(reverse("messaging:compose", args=[store.public_id])).content.decode()
    assert "3,000원 할인 쿠폰 붙이기" in page and "4,000원 할인 쿠폰 붙이기" not in page
    assert reverse("coupons:campaign_message", args=[store.public_id, waiting.public_id]) in page


def test_attaching_carries_the_text_and_previews_without_sending(
    signed_in, merchant, store, customer, follow, make_campaign
):
    follow(customer, store, ads=True)
    campaign = make_campaign(method=Method.MESSAGE)
    url = reverse("coupons:campaign_message", args=[store.public_id, campaign.public_id])
    response = signed_in(merchant).post(url, {"attach": "1", "kind": "info", "body": "귤 한 상자 만원"})
    assert response.status_code == 200
    assert response.context["form"]["body"].value() == "귤 한 상자 만원"
    preview = response.context["preview"]
    assert preview.header == "(광고) 햇살과일" and preview.body == "귤 한 상자 만원"
    assert not Message.objects.exists()


def test_send_to_me_first_puts_a_copy_only_in_the_merchants_inbox(
    signed_in, merchant, store, customer, follow, make_campaign
):
    follow(customer, store, ads=True)
    campaign = make_campaign(method=Method.MESSAGE)
    url = reverse("coupons:campaign_message", args=[store.public_id, campaign.public_id])
    response = signed_in(merchant).post(url, {"action": "test", "body": "귤 한 상자 만원"})
    assert "내 받은 메시지함에 먼저 보냈습니다." in response.content.decode()
    item = InboxItem.objects.get()
    assert item.customer == merchant and item.message.kind == MessageKind.NOTICE
    assert item.message.header == "나에게 먼저 보낸 메시지 · (광고) 햇살과일"
    assert "[쿠폰] 1,000원 할인" in item.message.body
    campaign.refresh_from_db()
    assert campaign.message is None  # the real send is still to come


def test_another_merchant_cannot_attach_preview_or_test_send_a_coupon(signed_in, other_merchant, store, make_campaign):
    campaign = make_campaign(method=Method.MESSAGE)
    url = reverse("coupons:campaign_message", args=[store.public_id, campaign.public_id])
    client = signed_in(other_merchant)
    for data in ({"attach": "1", "body": "x"}, {"action": "test", "body": "x"}, {"action": "preview", "body": "x"}):
        assert client.post(url, data).status_code == 404
    start = client.post(_url(store, for_message=True), {"step": "start", "body": "x"})
    assert start.status_code == 404
    assert not Message.objects.exists() and Campaign.objects.count() == 1
