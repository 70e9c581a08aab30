"""Exactly once, proven on PostgreSQL with real threads."""

import pytest
from django.db.models import Count
from django.test import Client

from dangol.accounts.models import User
from dangol.channels.models import ConsentVia, Follow
from dangol.coupons.models import Campaign, Coupon, CouponRefused, LotteryDraw, Method, PinFailure, Redemption
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


def test_forty_racing_wrong_pins_are_judged_exactly_five_times(postgres, coupon, customer, pin):
    def wrong(i):
        return (
            Coupon.objects.select_related("campaign", "store")
            .get(pk=coupon.pk)
            .redeem_with_pin(customer=customer, pin=f"{1000 + i}")
        )

    results = run_together(40, wrong)
    unexpected = [r for r in results if not isinstance(r, CouponRefused)]
    assert not unexpected, unexpected[:3]
    judged = [r for r in results if r.message == "확인 번호가 맞지 않습니다."]
    locked = [r for r in results if r.status == 429]
    assert (len(judged), len(locked)) == (5, 35)
    assert all(str(r).startswith("확인 번호를 5번 틀렸습니다.") for r in locked)
    assert PinFailure.objects.filter(customer=customer).count() == 5
    # Locked: even the right number is refused now.
    with pytest.raises(CouponRefused, match="5번 틀렸습니다"):
        coupon.redeem_with_pin(customer=customer, pin=pin)
    assert Coupon.objects.get(pk=coupon.pk).status == "issued"


def test_twenty_racing_retries_of_one_redemption_all_get_it_back(postgres, store, coupon, api_key):
    def retry(_i):
        response = Client().post(
            f"/api/v1/stores/{store.public_id}/redemptions",
            {"code": coupon.code, "amount": 12000, "client_id": "pos-7-0042"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {api_key}",
        )
        return response.status_code, response.json()

    results = run_together(20, retry)
    assert [status for status, _body in results] == [201] * 20, results[:3]
    assert len({body["id"] for _status, body in results}) == 1
    assert all(body == results[0][1] for _status, body in results)
    assert Redemption.objects.count() == 1
    assert Redemption.objects.get().public_id == results[0][1]["id"]


def test_claims_from_one_address_stop_exactly_at_the_hourly_cap(postgres, make_campaign, settings):
    settings.COUPON_CLAIMS_PER_ADDRESS_PER_HOUR = 7
    campaign = make_campaign(quantity=100)
    people = _customers(30, start=7000)

    def claim(i):
        return Campaign.objects.get(pk=campaign.pk).claim(customer=people[i], address="203.0.113.9")

    results = run_together(30, claim)
    assert sum(isinstance(r, Coupon) for r in results) == 7
    capped = [r for r in results if isinstance(r, CouponRefused)]
    assert len(capped) == 23 and all(r.status == 429 for r in capped), results
    campaign.refresh_from_db()
    assert campaign.issued_count == Coupon.objects.filter(campaign=campaign).count() == 7
    # Another address is not held back by the first one's cap.
    newcomer = _customers(1, start=7100)[0]
    assert campaign.claim(customer=newcomer, address="198.51.100.4") is not None
