"""Exactly once, proven on PostgreSQL with real threads."""

import pytest
from django.db.models import Count

from dangol.accounts.models import User
from dangol.channels.models import ConsentVia, Follow
from dangol.coupons.models import Campaign, Coupon, CouponRefused, LotteryDraw, Method, Redemption
from dangol.lib.testing import run_pool, run_together

pytestmark = pytest.mark.postgres


def _customers(n, start=0):
    return User.objects.bulk_create(User(phone=f"+82107{start + i:07d}", password="!") for i in range(n))


def test_fifty_simultaneous_redemptions_of_one_coupon_give_exactly_one_success(postgres, campaign, customer, merchant):
    coupon = campaign.claim(customer=customer)

    def redeem(_i):
        return Coupon.objects.select_related("campaign").get(pk=coupon.pk).redeem(via="code", by=merchant)

    results = run_together(50, redeem)
    successes = [r for r in results if isinstance(r, Redemption)]
    refusals = [r for r in results if isinstance(r, CouponRefused)]
    assert len(successes) == 1
    assert len(refusals) == 49, [r for r in results if not isinstance(r, (Redemption, CouponRefused))]
    assert all(str(r).startswith("이미 사용한 쿠폰입니다") for r in refusals)
    assert Redemption.objects.count() == 1
    assert Coupon.objects.get(pk=coupon.pk).status == "redeemed"


def test_simultaneous_undo_and_redeem_leave_one_consistent_story(postgres, campaign, customer, merchant):
    coupon = campaign.claim(customer=customer)
    first = coupon.redeem(via="code", by=merchant)

    def race(i):
        if i % 2:
            return first.undo(by=merchant)
        return Coupon.objects.select_related("campaign").get(pk=coupon.pk).redeem(via="code", by=merchant)

    run_together(20, race)
    live = Redemption.objects.filter(coupon=coupon, undone_at__isnull=True).count()
    status = Coupon.objects.get(pk=coupon.pk).status
    assert (live, status) in {(0, "issued"), (1, "redeemed")}
    assert Redemption.objects.filter(undone_at__isnull=False).count() == 1


def test_two_thousand_claims_for_a_hundred_coupons_issue_exactly_a_hundred(postgres, make_campaign):
    campaign = make_campaign(quantity=100, per_customer_limit=2)
    customers = _customers(500)
    jobs = [c.pk for c in customers] * 4  # every customer tries four times: 2,000 claims

    def claim(customer_id):
        return Campaign.objects.get(pk=campaign.pk).claim(customer=User(pk=customer_id))

    results = run_pool(32, jobs, claim)
    assert len(results) == 2000
    issued = [r for _job, r in results if isinstance(r, Coupon)]
    unexpected = [r for _job, r in results if not isinstance(r, (Coupon, CouponRefused))]
    assert not unexpected, unexpected[:3]
    assert len(issued) == 100
    campaign.refresh_from_db()
    assert campaign.issued_count == 100
    assert Coupon.objects.filter(campaign=campaign).count() == 100
    per_customer = Coupon.objects.filter(campaign=campaign).values("customer").annotate(n=Count("id"))
    assert max(row["n"] for row in per_customer) <= 2
    assert len(set(Coupon.objects.values_list("code", flat=True))) == 100


def test_one_customer_racing_themself_never_passes_the_limit(postgres, make_campaign, customer):
    campaign = make_campaign(per_customer_limit=3)
    results = run_together(30, lambda _i: Campaign.objects.get(pk=campaign.pk).claim(customer=customer))
    assert sum(isinstance(r, Coupon) for r in results) == 3
    assert Coupon.objects.filter(customer=customer).count() == 3


def test_a_lottery_never_passes_its_winner_cap(postgres, make_campaign, monkeypatch):
    campaign = make_campaign(method=Method.LOTTERY, win_rate=99, quantity=20)
    monkeypatch.setattr("dangol.coupons.models.coupons.secrets.randbelow", lambda n: 0)
    customers = _customers(150, start=5000)
    results = run_pool(24, [c.pk for c in customers] * 2, lambda pk: campaign.claim(customer=User(pk=pk)))
    assert sum(isinstance(r, Coupon) for _job, r in results) == 20
    assert Coupon.objects.filter(campaign=campaign).count() == 20
    assert LotteryDraw.objects.values("customer").annotate(n=Count("id")).filter(n__gt=1).count() == 0


def test_giving_to_all_followers_twice_at_once_gives_each_one_coupon(postgres, make_campaign, store):
    for user in _customers(40, start=9000):
        Follow.start(customer=user, store=store, ads=False, night=False, via=ConsentVia.WEB)
    campaign = make_campaign(method=Method.FOLLOWERS)
    counts = run_together(4, lambda _i: Campaign.objects.get(pk=campaign.pk).issue_to_followers())
    assert sorted(counts) == [0, 0, 0, 40]
    assert Coupon.objects.filter(campaign=campaign).count() == 40
