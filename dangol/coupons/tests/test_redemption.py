import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from dangol.coupons.models import Coupon, CouponRefused, PinFailure, Redemption, StorePin


def _stall_post(client, store, code, amount=""):
    return client.post(reverse("coupons:stall_redeem", args=[store.public_id]), {"code": code, "amount": amount})


def test_the_merchant_redeems_a_typed_code_on_the_stall_screen(signed_in, merchant, store, coupon):
    client = signed_in(merchant)
    typed = coupon.code.lower()[:4] + " - " + coupon.code.lower()[4:]
    response = _stall_post(client, store, typed, "15000")
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert f"사용 완료: 1,000원 할인 ({coupon.display_code})" in page
    assert "되돌리기" in page
    coupon.refresh_from_db()
    assert coupon.status == "redeemed"
    redemption = Redemption.objects.get()
    assert (redemption.via, redemption.amount, redemption.discount, redemption.redeemed_by) == (
        "code",
        15000,
        1000,
        merchant,
    )


def test_the_stall_screen_works_without_javascript(signed_in, merchant, store):
    page = signed_in(merchant).get(reverse("coupons:stall", args=[store.public_id])).content.decode()
    assert f'action="{reverse("coupons:stall_redeem", args=[store.public_id])}"' in page
    assert 'name="code"' in page
    assert 'id="scan-button" class="block huge secondary" hidden' in page  # shown only by the script


def test_the_merchant_redeems_by_scanning_the_qr(signed_in, merchant, store, coupon):
    _stall_post(signed_in(merchant), store, coupon.token())
    assert Redemption.objects.get().via == "scan"


def test_it_refuses_a_second_redemption(signed_in, merchant, store, coupon):
    client = signed_in(merchant)
    _stall_post(client, store, coupon.code)
    response = _stall_post(client, store, coupon.code)
    assert response.status_code == 400
    assert "이미 사용한 쿠폰입니다" in response.content.decode()
    assert Redemption.objects.count() == 1


def test_it_refuses_an_expired_coupon(signed_in, merchant, store, coupon):
    with time_machine.travel(coupon.expires_at + dt.timedelta(seconds=1), tick=False):
        response = _stall_post(signed_in(merchant), store, coupon.code)
    assert "사용 기간이 지난 쿠폰입니다" in response.content.decode()
    assert not Redemption.objects.exists()
    coupon.refresh_from_db()
    assert coupon.status == "issued"


def test_it_refuses_a_revoked_coupon(signed_in, merchant, store, coupon, campaign):
    assert campaign.revoke_unused() == 1
    response = _stall_post(signed_in(merchant), store, coupon.code)
    assert "가게에서 취소한 쿠폰" in response.content.decode()
    assert not Redemption.objects.exists()


def test_it_refuses_a_coupon_before_its_start(signed_in, merchant, store, make_campaign, customer):
    campaign = make_campaign(valid_days=None, valid_from=dt.date(2026, 7, 1), valid_until=dt.date(2026, 7, 31))
    with time_machine.travel("2026-06-20 10:00 +0900", tick=False):
        coupon = campaign.claim(customer=customer)
        response = _stall_post(signed_in(merchant), store, coupon.code)
    assert "7월 1일부터 쓸 수 있습니다" in response.content.decode()


def test_it_refuses_the_code_of_another_store(signed_in, merchant, store, other_store, make_campaign, stranger):
    foreign = make_campaign(store=other_store).claim(customer=stranger)
    response = _stall_post(signed_in(merchant), store, foreign.code)
    assert "이 가게에서 쓸 수 있는 쿠폰 번호가 아닙니다" in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.status == "issued"


@pytest.mark.parametrize("typed", ["", "ABC", "0000-0000", "ABCD-EFGH-J"])
def test_it_asks_for_eight_characters(signed_in, merchant, store, typed):
    response = _stall_post(signed_in(merchant), store, typed)
    assert response.status_code == 400
    page = response.content.decode()
    assert "쿠폰 번호" in page and ("8자리" in page or "입력해 주세요" in page)


def test_it_refuses_a_purchase_below_the_minimum(signed_in, merchant, store, make_campaign, customer):
    coupon = make_campaign(min_purchase=10000).claim(customer=customer)
    response = _stall_post(signed_in(merchant), store, coupon.code, "9000")
    assert "10,000원 이상 살 때 쓸 수 있는 쿠폰입니다" in response.content.decode()
    assert not Redemption.objects.exists()


def test_a_percent_coupon_records_the_discount(make_campaign, customer):
    coupon = make_campaign(kind="percent", amount_off=None, percent_off=15).claim(customer=customer)
    assert coupon.redeem(via="code", amount=23000).discount == 3450


def test_undo_within_ten_minutes_puts_the_coupon_back_and_keeps_both_records(
    signed_in, merchant, store, campaign, customer
):
    client = signed_in(merchant)
    with time_machine.travel("2026-05-02 10:00 +0900", tick=False):
        coupon = campaign.claim(customer=customer)
        _stall_post(client, store, coupon.code)
    redemption = Redemption.objects.get()
    with time_machine.travel("2026-05-02 10:09:59 +0900", tick=False):
        response = client.post(reverse("coupons:stall_undo", args=[store.public_id, redemption.public_id]), follow=True)
    assert "사용 처리를 되돌렸습니다" in response.content.decode()
    coupon.refresh_from_db()
    redemption.refresh_from_db()
    assert coupon.status == "issued" and coupon.redeemed_at is None
    assert redemption.undone_at is not None and redemption.undone_by == merchant
    with time_machine.travel("2026-05-02 10:12 +0900", tick=False):
        _stall_post(client, store, coupon.code)
    assert Redemption.objects.count() == 2


def test_undo_after_ten_minutes_is_refused(signed_in, merchant, store, campaign, customer):
    client = signed_in(merchant)
    with time_machine.travel("2026-05-02 10:00 +0900", tick=False):
        coupon = campaign.claim(customer=customer)
        _stall_post(client, store, coupon.code)
    redemption = Redemption.objects.get()
    with time_machine.travel("2026-05-02 10:10:01 +0900", tick=False):
        response = client.post(reverse("coupons:stall_undo", args=[store.public_id, redemption.public_id]), follow=True)
    assert "10분이 지나 되돌릴 수 없습니다" in response.content.decode()
    coupon.refresh_from_db()
    assert coupon.status == "redeemed"


def test_undo_twice_is_refused(coupon, merchant):
    coupon.redeem(via="code", by=merchant)
    coupon.undo_redemption(by=merchant)
    with pytest.raises(CouponRefused):
        coupon.undo_redemption(by=merchant)


def test_the_customer_uses_a_coupon_with_the_store_pin(signed_in, customer, coupon, pin):
    client = signed_in(customer)
    page = client.get(coupon.get_absolute_url()).content.decode()
    assert reverse("coupons:wallet_use", args=[coupon.public_id]) in page
    response = client.post(
        reverse("coupons:wallet_use", args=[coupon.public_id]), {"pin": pin, "amount": ""}, follow=True
    )
    body = response.content.decode()
    assert "사용 완료" in body
    assert 'class="done-banner"' in body
    redemption = Redemption.objects.get()
    assert (redemption.via, redemption.redeemed_by) == ("pin", customer)


def test_a_wrong_pin_is_refused_and_five_lock_it(signed_in, customer, coupon, pin):
    client = signed_in(customer)
    url = reverse("coupons:wallet_use", args=[coupon.public_id])
    for _ in range(5):
        response = client.post(url, {"pin": "1111"})
        assert "확인 번호가 맞지 않습니다" in response.content.decode()
    response = client.post(url, {"pin": pin})
    assert "15분 뒤에 다시" in response.content.decode()
    assert not Redemption.objects.exists()
    assert PinFailure.objects.count() == 5


def test_a_pin_must_be_four_digits(signed_in, customer, coupon, pin):
    response = signed_in(customer).post(reverse("coupons:wallet_use", args=[coupon.public_id]), {"pin": "12a4"})
    assert "숫자 4자리를 눌러 주세요" in response.content.decode()
    assert not PinFailure.objects.exists()


def test_without_a_pin_the_customer_is_told_to_show_the_code(coupon, customer):
    with pytest.raises(CouponRefused, match="아직 확인 번호를 정하지 않았습니다"):
        coupon.redeem_with_pin(customer=customer, pin="1234")


def test_the_merchant_sets_the_pin(signed_in, merchant, store):
    client = signed_in(merchant)
    url = reverse("coupons:pin", args=[store.public_id])
    response = client.post(url, {"pin": "1234", "pin_again": "1243"})
    assert "두 번 적은 번호가 다릅니다" in response.content.decode()
    assert not StorePin.objects.exists()
    client.post(url, {"pin": "7305", "pin_again": "7305"})
    record = StorePin.objects.get(store=store)
    assert "7305" not in record.digest


def test_client_ids_make_a_retry_idempotent(coupon, merchant):
    first = coupon.redeem(via="api", by=merchant, client_id="pos-1-0001")
    again = Coupon.objects.get(pk=coupon.pk).redeem(via="api", by=merchant, client_id="pos-1-0001")
    assert first.pk == again.pk
    assert Redemption.objects.count() == 1
