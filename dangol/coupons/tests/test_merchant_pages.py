import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangol.coupons.models import Campaign, Coupon, Method
from dangol.messaging.models import InboxItem


def _new(client, store, **fields):
    data = {"kind": "amount", "amount_off": "1000", "validity": "days", "valid_days": "30", "method": "first_come"}
    data.update(fields)
    return client.post(reverse("coupons:campaign_new", args=[store.public_id]), data)


def test_the_merchant_makes_a_coupon(signed_in, merchant, store):
    client = signed_in(merchant)
    response = _new(client, store, min_purchase="10000", quantity="100")
    campaign = Campaign.objects.get()
    assert response.url == campaign.get_absolute_url()
    page = client.get(response.url).content.decode()
    assert "1,000원 할인" in page and "10,000원 이상 구매 시" in page
    assert (campaign.quantity, campaign.per_customer_limit, campaign.created_by) == (100, 1, merchant)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "percent", "percent_off": "91"}, "percent_off", "할인율은 1%에서 90% 사이로 정해 주세요."),
        ({"kind": "percent", "percent_off": "0"}, "percent_off", "할인율은 1%에서 90% 사이로 정해 주세요."),
        ({"quantity": "0"}, "quantity", "수량은 1장 이상이어야 합니다. 제한이 없으면 비워 두세요."),
        ({"amount_off": ""}, "amount_off", "할인 금액을 원 단위로 적어 주세요. (1원 이상)"),
        ({"kind": "gift", "gift": " "}, "gift", "어떤 사은품을 주는지 적어 주세요. 예: 대파 한 단"),
        ({"method": "lottery", "win_rate": "100"}, "win_rate", "당첨 확률은 1%에서 99% 사이로 정해 주세요."),
        ({"method": "lottery"}, "win_rate", "당첨 확률은 1%에서 99% 사이로 정해 주세요."),
        ({"method": "paper"}, "quantity", "인쇄할 종이 쿠폰 장수를 1장에서 300장 사이로 적어 주세요."),
        ({"validity": "dates"}, "valid_until", "마지막으로 쓸 수 있는 날을 골라 주세요."),
        ({"validity": "dates", "valid_until": "2020-01-01"}, "valid_until", "마감일이 이미 지났습니다."),
        ({"valid_days": "0"}, "valid_days", "며칠 동안 쓸 수 있는지 1일에서 365일 사이로 적어 주세요."),
        ({"per_customer_limit": "11"}, "per_customer_limit", "한 사람당 1장에서 10장 사이로 정해 주세요."),
        ({"amount_off": "천원"}, "amount_off", "숫자만 적어 주세요."),
        ({"method": "reward"}, "method", "reward"),
    ],
)
def test_bad_coupons_are_explained_and_nothing_is_written(signed_in, merchant, store, fields, field, message):
    response = _new(signed_in(merchant), store, **fields)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in e for e in form.errors[field]), form.errors
    assert not Campaign.objects.exists()


@time_machine.travel("2026-05-04 11:00 +0900")  # daytime: ads are not held for the morning
def test_a_coupon_sent_with_a_message_shows_a_claim_button(
    signed_in, merchant, customer, stranger, store, follow, django_capture_on_commit_callbacks
):
    follow(customer, store, ads=True)
    follow(stranger, store, ads=False)
    client = signed_in(merchant)
    _new(client, store, method="message")
    campaign = Campaign.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("coupons:campaign_message", args=[store.public_id, campaign.public_id]),
            {"body": "사과 쿠폰 드려요"},
        )
    assert response.status_code == 302
    campaign.refresh_from_db()
    message = campaign.message
    assert message.kind == "ad" and message.header == f"(광고) {store.name}"
    assert list(InboxItem.objects.filter(message=message).values_list("customer", flat=True)) == [customer.pk]

    client = signed_in(customer)
    page = client.get(reverse("messaging:inbox_item", args=[message.public_id])).content.decode()
    assert "쿠폰 받기" in page and reverse("coupons:claim", args=[campaign.public_id]) in page
    client.post(reverse("coupons:claim", args=[campaign.public_id]))
    assert Coupon.objects.filter(customer=customer, campaign=campaign).exists()

    client = signed_in(stranger)  # not a recipient: no ad consent
    response = client.post(reverse("coupons:claim", args=[campaign.public_id]), follow=True)
    assert "메시지를 받은 분만" in response.content.decode()
    assert not Coupon.objects.filter(customer=stranger).exists()


def test_a_coupon_message_to_nobody_is_refused_and_not_attached(signed_in, merchant, store):
    client = signed_in(merchant)
    _new(client, store, method="message")
    campaign = Campaign.objects.get()
    response = client.post(
        reverse("coupons:campaign_message", args=[store.public_id, campaign.public_id]), {"body": "쿠폰"}
    )
    assert "받을 단골이 없습니다" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.message is None
    assert not store.messages.exists()


def test_a_coupon_is_sent_with_a_message_only_once(signed_in, merchant, store, customer, follow):
    follow(customer, store)
    client = signed_in(merchant)
    _new(client, store, method="message")
    campaign = Campaign.objects.get()
    url = reverse("coupons:campaign_message", args=[store.public_id, campaign.public_id])
    client.post(url, {"body": "첫 번째"})
    response = client.post(url, {"body": "두 번째"})
    assert "이미 메시지로 보낸 쿠폰입니다" in response.content.decode()
    assert store.messages.filter(kind="ad").count() == 1


def test_the_merchant_gives_a_coupon_to_all_followers(signed_in, merchant, store, customer, follow):
    follow(customer, store)
    client = signed_in(merchant)
    _new(client, store, method="followers")
    campaign = Campaign.objects.get()
    response = client.post(reverse("coupons:campaign_give", args=[store.public_id, campaign.public_id]), follow=True)
    assert "단골 1명에게 쿠폰을 줬습니다" in response.content.decode()


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url).content.decode()
    return len(captured), page


def test_the_campaign_list_does_not_grow_in_queries(signed_in, merchant, store, make_campaign, customer):
    client = signed_in(merchant)
    url = reverse("coupons:campaigns", args=[store.public_id])
    make_campaign().claim(customer=customer)
    few, _page = _queries(client, url)
    for _ in range(5):
        make_campaign().claim(customer=customer)
    many, page = _queries(client, url)
    assert many == few
    assert page.count("1장 나감 · 0장 사용") == 6


def test_the_wallet_page_does_not_grow_in_queries(signed_in, customer, make_campaign, merchant, store):
    client = signed_in(customer)
    make_campaign(valid_days=5).claim(customer=customer)
    few, _page = _queries(client, reverse("coupons:wallet"))
    for days in (3, 9):
        make_campaign(valid_days=days).claim(customer=customer)
    used = make_campaign(kind="gift", amount_off=None, gift="떡 한 팩").claim(customer=customer)
    used.redeem(via="code")
    many, page = _queries(client, reverse("coupons:wallet"))
    assert many == few
    usable, past = page.split("지난 쿠폰")
    assert usable.count('class="coupon"') == 3
    assert "떡 한 팩" in past and "사용함" in past


def test_api_keys_are_shown_once_and_can_be_revoked(signed_in, merchant, store, api):
    client = signed_in(merchant)
    page = client.post(reverse("coupons:api_keys", args=[store.public_id]), {"name": "계산대"}).content.decode()
    plain = page.split('<code id="new-key">')[1].split("</code>")[0]
    assert plain.startswith("dgk_")
    assert plain not in client.get(reverse("coupons:api_keys", args=[store.public_id])).content.decode()
    client.logout()
    assert api("get", f"/stores/{store.public_id}/campaigns", key=plain).status_code == 200
    key = store.api_keys.get()
    client = signed_in(merchant)
    client.post(reverse("coupons:api_key_revoke", args=[store.public_id, key.public_id]))
    client.logout()
    assert api("get", f"/stores/{store.public_id}/campaigns", key=plain).status_code == 401


def test_a_campaign_can_be_ended_and_its_unused_coupons_revoked(signed_in, merchant, store, campaign, coupon):
    client = signed_in(merchant)
    client.post(reverse("coupons:campaign_end", args=[store.public_id, campaign.public_id]))
    campaign.refresh_from_db()
    assert campaign.status == "ended"
    response = client.post(
        reverse("coupons:campaign_end", args=[store.public_id, campaign.public_id]), {"revoke": "1"}, follow=True
    )
    assert "1장을 취소했습니다" in response.content.decode()
    assert Coupon.objects.get(pk=coupon.pk).status == "revoked"
    assert Method.FIRST_COME == campaign.method
