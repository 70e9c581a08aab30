import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from dangol.coupons.models import Campaign, Coupon, CouponRefused, LotteryDraw, Method


def test_a_customer_claims_a_first_come_coupon_into_the_wallet(signed_in, customer, campaign):
    client = signed_in(customer)
    response = client.post(reverse("coupons:claim", args=[campaign.public_id]), follow=True)
    coupon = Coupon.objects.get(customer=customer)
    assert response.redirect_chain[-1][0] == coupon.get_absolute_url()
    page = response.content.decode()
    assert "쿠폰을 받았습니다" in page
    assert "1,000원 할인" in page
    assert coupon.display_code in page
    campaign.refresh_from_db()
    assert campaign.issued_count == 1


def test_it_refuses_a_second_coupon_over_the_per_customer_limit(campaign, customer):
    campaign.claim(customer=customer)
    with pytest.raises(CouponRefused, match="이미 받은 쿠폰"):
        campaign.claim(customer=customer)
    assert Coupon.objects.filter(customer=customer).count() == 1
    campaign.refresh_from_db()
    assert campaign.issued_count == 1


def test_the_limit_counts_used_coupons_too(make_campaign, customer):
    campaign = make_campaign(per_customer_limit=2)
    first = campaign.claim(customer=customer)
    first.redeem(via="code")
    campaign.claim(customer=customer)
    with pytest.raises(CouponRefused):
        campaign.claim(customer=customer)
    assert list(Coupon.objects.filter(customer=customer).order_by("slot").values_list("slot", flat=True)) == [1, 2]


def test_it_stops_at_the_quantity(make_campaign, customer, stranger, merchant):
    campaign = make_campaign(quantity=2)
    campaign.claim(customer=customer)
    campaign.claim(customer=stranger)
    with pytest.raises(CouponRefused, match="모두 나갔습니다"):
        campaign.claim(customer=merchant)
    assert campaign.coupons.count() == 2


def test_a_sold_out_claim_shows_a_message_and_writes_nothing(signed_in, make_campaign, customer, stranger):
    campaign = make_campaign(quantity=1)
    campaign.claim(customer=stranger)
    response = signed_in(customer).post(reverse("coupons:claim", args=[campaign.public_id]), follow=True)
    assert "아쉽지만 쿠폰이 모두 나갔습니다" in response.content.decode()
    assert not Coupon.objects.filter(customer=customer).exists()


def test_an_ended_campaign_cannot_be_claimed(campaign, customer):
    campaign.end()
    campaign.refresh_from_db()
    with pytest.raises(CouponRefused, match="끝난"):
        campaign.claim(customer=customer)


def test_a_dated_campaign_cannot_be_claimed_after_its_last_day(make_campaign, customer):
    campaign = make_campaign(valid_days=None, valid_until=dt.date(2026, 5, 31))
    with time_machine.travel("2026-06-01 00:00:01 +0900", tick=False), pytest.raises(CouponRefused):
        campaign.claim(customer=customer)


def test_coupons_of_dated_campaigns_last_until_midnight_seoul(make_campaign, customer):
    campaign = make_campaign(valid_days=None, valid_from=dt.date(2026, 5, 10), valid_until=dt.date(2026, 5, 31))
    with time_machine.travel("2026-05-01 12:00 +0900", tick=False):
        coupon = campaign.claim(customer=customer)
        assert coupon.state() == "not_yet"
    assert coupon.expires_at == dt.datetime(2026, 5, 31, 15, 0, tzinfo=dt.UTC)  # 2026-06-01 00:00 Seoul


def test_n_days_after_issue_counts_whole_seoul_days(make_campaign, customer):
    campaign = make_campaign(valid_days=7)
    with time_machine.travel("2026-05-01 23:30 +0900", tick=False):
        coupon = campaign.claim(customer=customer)
    assert str(coupon.last_day) == "2026-05-08"


def test_a_lottery_draw_is_once_per_customer(make_campaign, customer, monkeypatch):
    campaign = make_campaign(method=Method.LOTTERY, win_rate=50, quantity=3)
    monkeypatch.setattr("dangol.coupons.models.coupons.secrets.randbelow", lambda n: 99)  # a losing draw
    assert campaign.claim(customer=customer) is None
    with pytest.raises(CouponRefused, match="이미 응모"):
        campaign.claim(customer=customer)
    assert LotteryDraw.objects.filter(customer=customer).count() == 1
    assert not Coupon.objects.filter(customer=customer).exists()


def test_a_lottery_winner_gets_a_coupon_until_the_winner_cap(make_campaign, customer, stranger, merchant, monkeypatch):
    campaign = make_campaign(method=Method.LOTTERY, win_rate=10, quantity=1)
    monkeypatch.setattr("dangol.coupons.models.coupons.secrets.randbelow", lambda n: 0)  # always wins
    assert campaign.claim(customer=customer) is not None
    with pytest.raises(CouponRefused, match="당첨자가 모두"):
        campaign.claim(customer=stranger)
    assert campaign.coupons.count() == 1


def test_a_lottery_loss_is_shown_kindly(signed_in, make_campaign, customer, monkeypatch):
    campaign = make_campaign(method=Method.LOTTERY, win_rate=1)
    monkeypatch.setattr("dangol.coupons.models.coupons.secrets.randbelow", lambda n: 50)
    response = signed_in(customer).post(reverse("coupons:claim", args=[campaign.public_id]), follow=True)
    assert "당첨되지 않았습니다" in response.content.decode()


def test_the_store_page_lists_only_coupons_one_can_still_take(client, store, make_campaign, customer):
    open_one = make_campaign(title="열린 쿠폰")
    make_campaign(title="다 나간 쿠폰", quantity=1).claim(customer=customer)
    make_campaign(title="환영 쿠폰", method=Method.WELCOME)
    ended = make_campaign(title="끝난 쿠폰")
    ended.end()
    page = client.get(reverse("coupons:store_coupons", args=[store.public_id])).content.decode()
    assert reverse("coupons:claim", args=[open_one.public_id]) in page
    assert page.count("쿠폰 받기</button>") == 1


def test_coupons_not_meant_for_claiming_are_refused(make_campaign, customer):
    for method in (Method.WELCOME, Method.FOLLOWERS, Method.PAPER, Method.REWARD):
        with pytest.raises(CouponRefused, match="직접 받을 수 없습니다"):
            make_campaign(method=method).claim(customer=customer)


def test_giving_to_all_followers_gives_each_one_coupon_once(make_campaign, store, customer, stranger, follow):
    follow(customer, store)
    follow(stranger, store, ads=False)
    campaign = make_campaign(method=Method.FOLLOWERS)
    assert campaign.issue_to_followers() == 2
    assert campaign.issue_to_followers() == 0
    assert campaign.coupons.count() == 2
    campaign.refresh_from_db()
    assert campaign.issued_count == 2


def test_giving_to_followers_respects_the_quantity(make_campaign, store, customer, stranger, follow):
    follow(customer, store)
    follow(stranger, store)
    campaign = make_campaign(method=Method.FOLLOWERS, quantity=1)
    assert campaign.issue_to_followers() == 1
    assert campaign.issue_to_followers() == 0


def test_a_welcome_coupon_arrives_on_follow_only_once_per_account(signed_in, store, make_campaign, customer):
    make_campaign(method=Method.WELCOME, kind="gift", amount_off=None, gift="대파 한 단")
    client = signed_in(customer)
    form = {"collection": "on", "ads": "on"}
    client.post(reverse("channels:follow", args=[store.public_id]), form)
    assert Coupon.objects.filter(customer=customer).count() == 1
    client.post(reverse("channels:unfollow", args=[store.public_id]))
    client.post(reverse("channels:follow", args=[store.public_id]), form)
    assert Coupon.objects.filter(customer=customer).count() == 1
    assert "사은품: 대파 한 단" in client.get(reverse("coupons:wallet")).content.decode()


def test_a_sold_out_welcome_coupon_does_not_stop_following(signed_in, store, make_campaign, customer, stranger):
    make_campaign(method=Method.WELCOME, quantity=1).give_on_follow(customer=stranger)
    response = signed_in(customer).post(
        reverse("channels:follow", args=[store.public_id]), {"collection": "on"}, follow=True
    )
    assert "단골이 되었습니다" in response.content.decode()
    assert not Coupon.objects.filter(customer=customer).exists()


def test_paper_coupons_print_a_sheet_of_unique_codes(signed_in, merchant, store):
    client = signed_in(merchant)
    response = client.post(
        reverse("coupons:campaign_new", args=[store.public_id]),
        {
            "kind": "amount",
            "amount_off": "2000",
            "validity": "days",
            "valid_days": "30",
            "method": "paper",
            "quantity": "12",
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    codes = list(campaign.coupons.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 12
    assert all(c.customer_id is None for c in campaign.coupons.all())
    sheet = client.get(reverse("coupons:campaign_paper", args=[store.public_id, campaign.public_id])).content.decode()
    for code in codes:
        assert f"{code[:4]}-{code[4:]}" in sheet
    assert sheet.count("data:image/svg+xml") == 12


def test_codes_never_use_ambiguous_characters(make_campaign):
    campaign = make_campaign(method=Method.PAPER, quantity=200)
    campaign.print_paper()
    codes = "".join(campaign.coupons.values_list("code", flat=True))
    assert len(codes) == 200 * 8
    assert not set(codes) & set("0O1IL")


def test_a_message_coupon_needs_the_message(make_campaign, customer):
    campaign = make_campaign(method=Method.MESSAGE)
    with pytest.raises(CouponRefused, match="메시지를 받은 분만"):
        campaign.claim(customer=customer)
