"""Offline records synced by many retries at once, on PostgreSQL with real threads: each is kept once."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from dangol.coupons.models import Coupon, CouponStatus, DoubleUse, Redemption
from dangol.lib.testing import run_together

pytestmark = pytest.mark.postgres


def test_two_phones_syncing_over_and_over_at_once_leave_each_use_once_and_one_double_use(
    postgres, make_campaign, customer, store, api_key
):
    with time_machine.travel(timezone.now() - dt.timedelta(hours=1)):
        coupons = [make_campaign().claim(customer=customer) for _ in range(3)]
    now = timezone.now()

    def at(minutes_ago):
        return (now - dt.timedelta(minutes=minutes_ago)).isoformat()

    phone_a = [
        {"client_id": "off-a-0000001", "token": coupons[0].token(), "amount": 12000, "used_at": at(30)},
        {"client_id": "off-a-0000002", "code": coupons[1].code, "used_at": at(20)},
        {"client_id": "off-a-0000003", "code": coupons[2].code, "used_at": at(10)},
    ]
    phone_b = [{"client_id": "off-b-0000001", "code": coupons[0].code, "amount": 20000, "used_at": at(5)}]

    def sync(i):
        device, records = ("phone-a", phone_a) if i % 2 else ("phone-b", phone_b)
        response = Client().post(
            f"/api/v1/stores/{store.public_id}/offline-redemptions",
            {"device": device, "records": records},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {api_key}",
        )
        return response.status_code, response.json()

    results = run_together(16, sync)
    assert [status for status, _body in results] == [200] * 16, results[:2]
    for i, (_status, body) in enumerate(results):
        if i % 2:
            assert [r["result"] for r in body["results"]] == ["accepted"] * 3, body
    assert Redemption.objects.count() == 3
    assert Coupon.objects.filter(status=CouponStatus.REDEEMED).count() == 3
    kept = Redemption.objects.get(coupon=coupons[0])
    assert (kept.client_id, kept.amount, kept.device) == ("off-a-0000001", 12000, "phone-a")
    double = DoubleUse.objects.get()
    assert (double.client_id, double.amount, double.kept_id) == ("off-b-0000001", 20000, kept.pk)
    # Every answer phone A got names the same redemptions.
    ids = {tuple(r["redemption_id"] for r in body["results"]) for i, (_s, body) in enumerate(results) if i % 2}
    assert len(ids) == 1


def test_an_offline_sync_racing_online_redemptions_of_the_same_coupon_keeps_one_and_reports_the_rest(
    postgres, make_campaign, customer, store, merchant, api_key
):
    with time_machine.travel(timezone.now() - dt.timedelta(hours=1)):
        coupon = make_campaign().claim(customer=customer)
    used_at = (timezone.now() - dt.timedelta(minutes=15)).isoformat()

    def race(i):
        if i % 2:
            return Coupon.objects.select_related("campaign").get(pk=coupon.pk).redeem(via="code", by=merchant)
        return (
            Client()
            .post(
                f"/api/v1/stores/{store.public_id}/offline-redemptions",
                {
                    "device": f"phone-{i}",
                    "records": [{"client_id": f"off-race-{i:04d}", "code": coupon.code, "used_at": used_at}],
                },
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {api_key}",
            )
            .json()
        )

    run_together(12, race)
    assert Redemption.objects.filter(coupon=coupon, undone_at__isnull=True).count() == 1
    kept = Redemption.objects.get(coupon=coupon)
    # Six phones recorded the same moment offline: one is kept, five are reported, none dropped.
    assert kept.client_id.startswith("off-race-")
    assert DoubleUse.objects.filter(coupon=coupon, client_id__startswith="off-race-").count() == 5
