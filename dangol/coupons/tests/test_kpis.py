import datetime as dt

from dangol.channels.models import Store
from dangol.coupons.kpis import coupons_redeemed
from dangol.coupons.models import Campaign, CouponKind, Redemption, Via
from dangol.lib.seoul import SEOUL
from dangol.markets.models import Market

# 20 November 2026 in Seoul runs from 19 November 15:00 to 20 November 15:00 in UTC.
DAY_STARTS = dt.datetime(2026, 11, 20, tzinfo=SEOUL)
NEXT_DAY = dt.datetime(2026, 11, 21, tzinfo=SEOUL)
SECOND = dt.timedelta(seconds=1)
NOON = dt.datetime(2026, 11, 20, 12, 0, tzinfo=SEOUL)
WEEK_BEFORE = DAY_STARTS - dt.timedelta(days=7)


def _coupon(store, customer):
    campaign = Campaign.objects.create(store=store, kind=CouponKind.AMOUNT, amount_off=1000, valid_days=30)
    return campaign.claim(customer=customer, now=WEEK_BEFORE)


def _used(store, customer, merchant, at=NOON):
    coupon = _coupon(store, customer)
    coupon.redeem(via=Via.CODE, by=merchant, now=at)
    return coupon


def test_an_undone_redemption_is_not_counted(store, customer, merchant):
    coupon = _used(store, customer, merchant)
    assert coupons_redeemed() == 1

    coupon.undo_redemption(by=merchant, now=NOON + dt.timedelta(minutes=1))

    assert Redemption.objects.get().undone_at is not None  # the use stays on record
    assert coupons_redeemed() == 0


def test_a_coupon_used_again_after_an_undo_counts_once_at_its_latest_use(store, customer, merchant):
    coupon = _used(store, customer, merchant, at=DAY_STARTS - SECOND)
    coupon.undo_redemption(by=merchant, now=DAY_STARTS)
    coupon.redeem(via=Via.CODE, by=merchant, now=DAY_STARTS + SECOND)

    assert Redemption.objects.count() == 2
    assert coupons_redeemed() == 1
    assert coupons_redeemed(before=DAY_STARTS) == 0
    assert coupons_redeemed(since=DAY_STARTS, before=NEXT_DAY) == 1


def test_coupons_handed_out_but_not_used_are_not_counted(store, customer, stranger, merchant):
    _used(store, customer, merchant)
    _coupon(store, stranger)
    _coupon(store, customer).revoke(now=NOON)

    assert coupons_redeemed() == 1


def test_coupons_redeemed_counts_only_the_given_market(market, store, other_store, customer, merchant):
    shop = Store.objects.create(market=Market.objects.create(name="다른시장"), name="다른가게")
    _used(store, customer, merchant)
    _used(other_store, customer, merchant)
    _used(shop, customer, merchant)

    assert coupons_redeemed(market=market) == 2
    assert coupons_redeemed(market=shop.market_id) == 1
    assert coupons_redeemed() == 3


def test_coupons_redeemed_counts_the_seoul_day_from_its_first_moment_up_to_the_next(market, store, customer, merchant):
    for moment in (DAY_STARTS - SECOND, DAY_STARTS, NEXT_DAY - SECOND, NEXT_DAY):
        _used(store, customer, merchant, at=moment)

    assert coupons_redeemed(market=market, since=DAY_STARTS, before=NEXT_DAY) == 2
    assert coupons_redeemed(market=market, since=DAY_STARTS) == 3
    assert coupons_redeemed(market=market, before=NEXT_DAY) == 3
