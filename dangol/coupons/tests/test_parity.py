"""The page and the API are two doors to the same rules: each action is allowed, refused or hidden
for the same people, with the same words."""

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse

from dangol.coupons.models import ApiKey, Campaign, Coupon, CouponRefused, Method, Redemption
from dangol.coupons.services import campaign_message_send

PEOPLE = ["merchant", "other_merchant", "customer", "stranger"]
MERCHANT_ONLY = {"merchant": "allowed", "other_merchant": "hidden", "customer": "hidden", "stranger": "hidden"}
FROZEN = "2026-05-04 14:05 +0900"
DAYTIME = "2026-05-04 11:00 +0900"  # ads are not held for the morning


def page_outcome(response):
    """("allowed" | "hidden" | "sign in" | "refused", the words shown) for a page's answer."""
    if response.status_code == 404:
        return "hidden", None
    if response.status_code == 302 and response.url.startswith("/accounts/sign-in/"):
        return "sign in", None
    shown = [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    form = (response.context or {}).get("form")
    if form is not None:
        shown += [message for errors in form.errors.values() for message in errors]
    return ("refused", shown[0]) if shown else ("allowed", None)


def api_outcome(response):
    if response.status_code == 404:
        return "hidden", None
    if response.status_code == 401:
        return "sign in", None
    if response.status_code < 300:
        return "allowed", None
    body = response.json()
    words = body["detail"] if isinstance(body["detail"], str) else None
    if body.get("detail") == "invalid":
        words = next(iter(body["errors"].values()))[0]
    return "refused", words


@pytest.fixture
def doors(client, signed_in, request):
    """doors.sign_in(name); doors.page(method, url, data) and doors.api(method, path, json) → outcome."""

    class Doors:
        def sign_in(self, who):
            if who is not None:
                signed_in(request.getfixturevalue(who))

        def page(self, method, url, data=None):
            return page_outcome(getattr(client, method)(url, data or {}))

        def api(self, method, path, json=None, key=None):
            headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
            if json is None:
                response = getattr(client, method)(f"/api/v1{path}", **headers)
            else:
                response = getattr(client, method)(f"/api/v1{path}", json, content_type="application/json", **headers)
            return api_outcome(response)

    return Doors()


@pytest.fixture
def other_key(other_store, other_merchant):
    return ApiKey.create_for(store=other_store, name="옆 가게 POS", by=other_merchant)[1]


# Claim -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_anyone_signed_in_may_claim_a_first_come_coupon_once_through_either_door(doors, make_campaign, who):
    by_page, by_api = make_campaign(), make_campaign()
    doors.sign_in(who)
    page_url = reverse("coupons:claim", args=[by_page.public_id])
    api_path = f"/campaigns/{by_api.public_id}/claim"
    assert doors.page("post", page_url) == doors.api("post", api_path) == ("allowed", None)
    again = ("refused", "이미 받은 쿠폰입니다. 쿠폰함을 보세요.")
    assert doors.page("post", page_url) == doors.api("post", api_path) == again
    assert [c.coupons.count() for c in (by_page, by_api)] == [1, 1]


def test_nobody_claims_without_signing_in_through_either_door(doors, campaign):
    assert doors.page("post", reverse("coupons:claim", args=[campaign.public_id])) == ("sign in", None)
    assert doors.api("post", f"/campaigns/{campaign.public_id}/claim") == ("sign in", None)
    assert not Coupon.objects.exists()


@pytest.mark.parametrize("who", PEOPLE)
def test_a_message_coupon_is_refused_alike_to_whoever_did_not_get_the_message(doors, make_campaign, who):
    campaign = make_campaign(method=Method.MESSAGE)
    doors.sign_in(who)
    refused = ("refused", "이 쿠폰은 쿠폰이 붙은 메시지를 받은 분만 받을 수 있습니다.")
    assert doors.page("post", reverse("coupons:claim", args=[campaign.public_id])) == refused
    assert doors.api("post", f"/campaigns/{campaign.public_id}/claim") == refused
    assert not Coupon.objects.exists()


@pytest.fixture
def send_with_message(merchant, django_capture_on_commit_callbacks):
    """Attach the campaign to a message and deliver it (ads go out by day: freeze the clock first)."""

    def send(campaign):
        with django_capture_on_commit_callbacks(execute=True):
            campaign_message_send(campaign=campaign, author=merchant, body="쿠폰 드려요")
        campaign.refresh_from_db()
        return campaign

    return send


@time_machine.travel(DAYTIME)
def test_a_message_coupon_goes_to_the_follower_who_got_it_through_either_door(
    doors, make_campaign, store, customer, follow, send_with_message
):
    follow(customer, store)
    by_page = send_with_message(make_campaign(method=Method.MESSAGE))
    by_api = send_with_message(make_campaign(method=Method.MESSAGE))
    doors.sign_in("customer")
    assert doors.page("post", reverse("coupons:claim", args=[by_page.public_id])) == ("allowed", None)
    assert doors.api("post", f"/campaigns/{by_api.public_id}/claim") == ("allowed", None)
    assert Coupon.objects.filter(customer=customer).count() == 2


@time_machine.travel(DAYTIME)
def test_the_model_itself_refuses_a_message_coupon_to_someone_the_message_did_not_reach(
    make_campaign, store, customer, stranger, follow, send_with_message
):
    follow(customer, store)
    follow(stranger, store, ads=False)  # a follower, but the ad did not go to them
    campaign = send_with_message(make_campaign(method=Method.MESSAGE))
    with pytest.raises(CouponRefused, match="메시지를 받은 분만") as refusal:
        campaign.claim(customer=stranger)
    assert refusal.value.status == 403
    assert not Coupon.objects.exists()
    assert campaign.claim(customer=customer).customer == customer


# Redeem and undo -------------------------------------------------------------------------------


@pytest.fixture
def two_coupons(make_campaign, customer):
    """One coupon for each door, with the clock stopped so both doors tell the same time."""
    with time_machine.travel(FROZEN, tick=False):
        yield make_campaign().claim(customer=customer), make_campaign().claim(customer=customer)


@pytest.mark.parametrize("who", PEOPLE)
def test_only_the_stores_merchant_redeems_through_either_door(doors, store, two_coupons, who):
    by_page, by_api = two_coupons
    doors.sign_in(who)
    page = doors.page("post", reverse("coupons:stall_redeem", args=[store.public_id]), {"code": by_page.code})
    api = doors.api("post", f"/stores/{store.public_id}/redemptions", {"code": by_api.code})
    assert page == api == (MERCHANT_ONLY[who], None)
    assert Redemption.objects.count() == (2 if who == "merchant" else 0)


def test_a_second_redemption_is_refused_with_the_same_words_on_both_doors(doors, store, merchant, two_coupons):
    by_page, by_api = two_coupons
    by_page.redeem(via="code", by=merchant)
    by_api.redeem(via="code", by=merchant)
    doors.sign_in("merchant")
    page = doors.page("post", reverse("coupons:stall_redeem", args=[store.public_id]), {"code": by_page.code})
    api = doors.api("post", f"/stores/{store.public_id}/redemptions", {"code": by_api.code})
    assert page == api == ("refused", "이미 사용한 쿠폰입니다. (5월 4일 14:05 사용)")
    assert Redemption.objects.count() == 2


def test_a_wrong_pin_reads_the_same_on_the_customers_phone_and_in_the_api(doors, two_coupons, pin):
    by_page, by_api = two_coupons
    doors.sign_in("customer")
    page = doors.page("post", reverse("coupons:wallet_use", args=[by_page.public_id]), {"pin": "9999"})
    api = doors.api("post", f"/wallet/{by_api.public_id}/use", {"pin": "9999"})
    assert page == api == ("refused", "확인 번호가 맞지 않습니다.")
    assert not Redemption.objects.exists()


@pytest.mark.parametrize("who", PEOPLE)
def test_only_the_stores_merchant_undoes_through_either_door(doors, store, merchant, two_coupons, who):
    by_page, by_api = (coupon.redeem(via="code", by=merchant) for coupon in two_coupons)
    doors.sign_in(who)
    page = doors.page("post", reverse("coupons:stall_undo", args=[store.public_id, by_page.public_id]))
    api = doors.api("post", f"/stores/{store.public_id}/redemptions/{by_api.public_id}/undo")
    assert page == api == (MERCHANT_ONLY[who], None)
    assert Redemption.objects.filter(undone_at__isnull=False).count() == (2 if who == "merchant" else 0)


def test_a_late_undo_is_refused_with_the_same_words_on_both_doors(doors, store, merchant, two_coupons):
    by_page, by_api = (coupon.redeem(via="code", by=merchant) for coupon in two_coupons)
    doors.sign_in("merchant")
    with time_machine.travel("2026-05-04 14:16 +0900", tick=False):
        page = doors.page("post", reverse("coupons:stall_undo", args=[store.public_id, by_page.public_id]))
        api = doors.api("post", f"/stores/{store.public_id}/redemptions/{by_api.public_id}/undo")
    assert page == api == ("refused", "사용하고 10분이 지나 되돌릴 수 없습니다.")
    assert not Redemption.objects.filter(undone_at__isnull=False).exists()


def test_a_point_of_sale_key_of_another_store_finds_nothing_here(doors, store, merchant, two_coupons, other_key):
    coupon = two_coupons[0]
    redemption = two_coupons[1].redeem(via="code", by=merchant)
    s = store.public_id
    for method, path, body in [
        ("get", f"/stores/{s}/campaigns", None),
        ("get", f"/stores/{s}/revocations", None),
        ("post", f"/stores/{s}/coupon-check", {"code": coupon.code}),
        ("post", f"/stores/{s}/redemptions", {"code": coupon.code}),
        ("post", f"/stores/{s}/redemptions/{redemption.public_id}/undo", None),
    ]:
        assert doors.api(method, path, body, key=other_key) == ("hidden", None), path
    # Keys act at the stall only: making campaigns and claiming need a person's session.
    assert doors.api("post", f"/stores/{s}/campaigns", {"kind": "amount", "amount_off": 500}, key=other_key) == (
        "sign in",
        None,
    )
    assert doors.api("post", f"/campaigns/{coupon.campaign.public_id}/claim", key=other_key) == ("sign in", None)
    assert Redemption.objects.filter(undone_at__isnull=True).count() == 1
    assert Coupon.objects.get(pk=coupon.pk).status == "issued"
    assert Campaign.objects.count() == 2


# Campaign create -------------------------------------------------------------------------------

GOOD = {"kind": "amount", "amount_off": 1000, "valid_days": 30, "method": "first_come"}


def _create(doors, store, fields):
    page_data = {**GOOD, "validity": "days", **fields}
    page = doors.page("post", reverse("coupons:campaign_new", args=[store.public_id]), page_data)
    api = doors.api("post", f"/stores/{store.public_id}/campaigns", {**GOOD, **fields})
    return page, api


@pytest.mark.parametrize("who", PEOPLE)
def test_only_the_stores_merchant_makes_coupons_through_either_door(doors, store, who):
    doors.sign_in(who)
    page, api = _create(doors, store, {})
    assert page == api == (MERCHANT_ONLY[who], None)
    assert Campaign.objects.count() == (2 if who == "merchant" else 0)


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"kind": "percent", "percent_off": 95}, "할인율은 1%에서 90% 사이로 정해 주세요."),
        ({"amount_off": 0}, "할인 금액을 원 단위로 적어 주세요. (1원 이상)"),
        ({"amount_off": 100_000_001}, "할인 금액을 원 단위로 적어 주세요. (1원 이상)"),
        ({"min_purchase": -1}, "최소 구매 금액은 0원에서 1억 원 사이로 적어 주세요."),
        ({"title": "가" * 61}, "쿠폰 이름은 60자까지 쓸 수 있습니다."),
        ({"kind": "gift", "gift": "\u200b\u3164 "}, "어떤 사은품을 주는지 적어 주세요. 예: 대파 한 단"),
        ({"kind": "gift", "gift": "떡" * 61}, "사은품은 60자까지 쓸 수 있습니다."),
        ({"valid_days": 366}, "며칠 동안 쓸 수 있는지 1일에서 365일 사이로 적어 주세요."),
        ({"quantity": 0}, "수량은 1장 이상이어야 합니다. 제한이 없으면 비워 두세요."),
        ({"quantity": 1_000_001}, "수량은 1장에서 1,000,000장 사이로 정해 주세요. 제한이 없으면 비워 두세요."),
        ({"per_customer_limit": 11}, "한 사람당 1장에서 10장 사이로 정해 주세요."),
        ({"method": "lottery", "win_rate": 0}, "당첨 확률은 1%에서 99% 사이로 정해 주세요."),
        ({"method": "paper", "quantity": 301}, "인쇄할 종이 쿠폰 장수를 1장에서 300장 사이로 적어 주세요."),
    ],
)
def test_a_bad_coupon_is_refused_with_the_same_words_on_both_doors(doors, store, fields, words):
    doors.sign_in("merchant")
    page, api = _create(doors, store, fields)
    assert page == api == ("refused", words)
    assert not Campaign.objects.exists()


def test_dates_out_of_range_are_refused_with_the_same_words_on_both_doors(doors, store):
    doors.sign_in("merchant")
    page = doors.page(
        "post",
        reverse("coupons:campaign_new", args=[store.public_id]),
        {**GOOD, "validity": "dates", "valid_until": "2020-01-01"},
    )
    api = doors.api(
        "post", f"/stores/{store.public_id}/campaigns", {**GOOD, "valid_days": None, "valid_until": "2020-01-01"}
    )
    assert page == api == ("refused", "마감일이 이미 지났습니다. 오늘이나 그 뒤의 날을 골라 주세요.")
    assert not Campaign.objects.exists()


def test_stamp_rewards_are_not_made_through_the_coupon_api(doors, store):
    doors.sign_in("merchant")
    outcome = doors.api("post", f"/stores/{store.public_id}/campaigns", {**GOOD, "method": "reward"})
    assert outcome == ("refused", "스탬프 보상 쿠폰은 스탬프 카드 화면에서 만듭니다.")
    assert not Campaign.objects.exists()


def test_stamp_card_rewards_are_listed_on_neither_door(signed_in, api, merchant, store, make_campaign):
    listed = make_campaign(title="시장 쿠폰")
    make_campaign(method=Method.REWARD, title="보상 쿠폰")
    client = signed_in(merchant)
    page = client.get(reverse("coupons:campaigns", args=[store.public_id])).content.decode()
    assert "시장 쿠폰" in page and "보상 쿠폰" not in page
    assert [c["id"] for c in api("get", f"/stores/{store.public_id}/campaigns").json()] == [listed.public_id]
