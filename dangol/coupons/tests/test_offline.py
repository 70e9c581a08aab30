"""The stall's offline records on the server: exactly once by client id, the first use by time counts,
the second is reported; what the device keeps; key rotation; who may do each."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from dangol.coupons import tokens
from dangol.coupons.models import DoubleUse, Redemption, SigningKey
from dangol.coupons.offline import code_hash
from dangol.stamps.members import member_token
from dangol.stamps.models import Stamp
from dangol.stamps.services import stamp_program_start


def _sync(api, store, records, *, device="phone-a", key=None):
    return api(
        "post", f"/stores/{store.public_id}/offline-redemptions", {"device": device, "records": records}, key=key
    )


@pytest.fixture
def coupon(campaign, customer):
    """Claimed two hours ago, so the uses recorded offline below fall inside its life."""
    return _claimed(campaign, customer)


def _claimed(campaign, customer):
    with time_machine.travel(timezone.now() - dt.timedelta(hours=2)):
        return campaign.claim(customer=customer)


def _at(minutes_ago):
    return (timezone.now() - dt.timedelta(minutes=minutes_ago)).isoformat()


def test_a_batch_is_answered_per_record_and_a_retry_changes_nothing(
    signed_in, merchant, store, make_campaign, customer, api
):
    campaign = make_campaign(min_purchase=5000)
    good, cheap = _claimed(campaign, customer), _claimed(make_campaign(), customer)
    signed_in(merchant)
    records = [
        {"client_id": "off-aaaaaaaa-1", "token": good.token(), "amount": 9000, "used_at": _at(30)},
        {"client_id": "off-aaaaaaaa-2", "code": good.code, "amount": 1000, "used_at": _at(20)},
        {"client_id": "off-aaaaaaaa-3", "code": "ZZZZ-ZZZZ", "used_at": _at(10)},
        {"client_id": "off-aaaaaaaa-4", "code": cheap.display_code, "used_at": _at(5)},
    ]
    first = _sync(api, store, records)
    assert first.status_code == 200
    results = {r["client_id"]: r for r in first.json()["results"]}
    assert results["off-aaaaaaaa-1"]["result"] == "accepted"
    assert results["off-aaaaaaaa-2"] == {
        "client_id": "off-aaaaaaaa-2",
        "result": "refused",
        "detail": "5,000원 이상 살 때 쓸 수 있는 쿠폰입니다.",
        "redemption_id": None,
        "double_use_id": None,
    }
    assert results["off-aaaaaaaa-3"]["result"] == "refused"
    assert results["off-aaaaaaaa-4"]["result"] == "accepted"
    redemption = Redemption.objects.get(coupon=good)
    assert (redemption.amount, redemption.device, redemption.via) == (9000, "phone-a", "scan")
    assert redemption.synced_at is not None
    assert abs(redemption.created_at - timezone.now() + dt.timedelta(minutes=30)) < dt.timedelta(seconds=5)

    again = _sync(api, store, records).json()["results"]
    assert [r["result"] for r in again] == ["accepted", "refused", "refused", "accepted"]
    assert again[0]["redemption_id"] == results["off-aaaaaaaa-1"]["redemption_id"]
    assert Redemption.objects.count() == 2 and DoubleUse.objects.count() == 0


def test_the_earlier_use_counts_whichever_phone_syncs_first_and_the_other_is_reported(
    signed_in, merchant, store, coupon, api
):
    signed_in(merchant)
    later = {"client_id": "off-bbbbbbbb-2", "token": coupon.token(), "amount": 20000, "used_at": _at(5)}
    earlier = {"client_id": "off-aaaaaaaa-1", "code": coupon.code, "amount": 12000, "used_at": _at(25)}
    assert _sync(api, store, [later], device="phone-b").json()["results"][0]["result"] == "accepted"
    answer = _sync(api, store, [earlier], device="phone-a").json()["results"][0]
    assert answer["result"] == "accepted"

    kept = Redemption.objects.get()
    assert (kept.client_id, kept.amount, kept.device, kept.via) == ("off-aaaaaaaa-1", 12000, "phone-a", "code")
    double = DoubleUse.objects.get()
    assert (double.client_id, double.amount, double.device, double.kept) == ("off-bbbbbbbb-2", 20000, "phone-b", kept)
    coupon.refresh_from_db()
    assert coupon.redeemed_at == kept.created_at
    # Phone B retries: its record is now the reported second use, still never dropped.
    retry = _sync(api, store, [later], device="phone-b").json()["results"][0]
    assert retry["result"] == "double_use" and retry["double_use_id"] == double.public_id
    report = api("get", f"/stores/{store.public_id}/double-uses").json()
    assert len(report) == 1
    assert (report[0]["code"], report[0]["kept"]["amount"], report[0]["other"]["amount"]) == (
        coupon.display_code,
        12000,
        20000,
    )
    assert report[0]["kept"]["offline"] and report[0]["other"]["device"] == "phone-b"


def test_an_offline_use_after_an_online_one_is_reported_not_dropped(signed_in, merchant, store, coupon, api):
    online = coupon.redeem(via="code", by=merchant)
    signed_in(merchant)
    record = {"client_id": "off-cccccccc-1", "code": coupon.code, "used_at": timezone.now().isoformat()}
    answer = _sync(api, store, [record]).json()["results"][0]
    assert answer["result"] == "double_use"
    assert DoubleUse.objects.get().kept == online
    page = signed_in(merchant).get(f"/m/{store.public_id}/stall/").content.decode()
    assert "두 번 쓰인 쿠폰" in page and coupon.display_code in page


def test_records_from_a_wrong_clock_or_too_long_ago_are_refused(signed_in, merchant, store, coupon, api):
    signed_in(merchant)
    ahead = {"client_id": "off-dddddddd-1", "code": coupon.code, "used_at": _at(-60)}
    old = {"client_id": "off-dddddddd-2", "code": coupon.code, "used_at": _at(8 * 24 * 60)}
    results = _sync(api, store, [ahead, old]).json()["results"]
    assert [r["result"] for r in results] == ["refused", "refused"]
    assert "시계" in results[0]["detail"] and "7일" in results[1]["detail"]
    assert Redemption.objects.count() == 0


def test_a_coupon_revoked_before_its_offline_use_is_refused_on_sync(signed_in, merchant, store, coupon, api):
    coupon.revoke()
    signed_in(merchant)
    record = {"client_id": "off-eeeeeeee-1", "token": coupon.token(), "used_at": _at(1)}
    answer = _sync(api, store, [record]).json()["results"][0]
    assert (answer["result"], answer["detail"]) == ("refused", "가게에서 취소한 쿠폰이라 쓸 수 없습니다.")
    assert Redemption.objects.count() == 0


def test_the_offline_rules_list_live_codes_hashed_and_used_ones(
    signed_in, merchant, store, make_campaign, customer, api
):
    live, used = make_campaign().claim(customer=customer), make_campaign(amount_off=500).claim(customer=customer)
    used.redeem(via="code")
    revoked = make_campaign().claim(customer=customer)
    revoked.revoke()
    signed_in(merchant)
    body = api("get", f"/stores/{store.public_id}/offline-rules").json()
    assert [c["h"] for c in body["coupons"]] == [code_hash(store, live.code)]
    assert body["used"] == [code_hash(store, used.code)]
    assert live.code not in str(body)
    revocations = api("get", f"/stores/{store.public_id}/revocations").json()
    assert revocations["codes"] == [revoked.code]


def test_offline_stamps_are_given_once_and_a_stale_member_qr_is_refused(signed_in, merchant, store, customer, api):
    stamp_program_start(
        store=store,
        by=merchant,
        goal=5,
        reward={"kind": "gift", "amount_off": None, "percent_off": None, "gift": "귤"},
        reward_days=30,
        expires_from="last",
        limit_mode="daily",
    )
    signed_in(merchant)
    fresh = {"client_id": "off-ffffffff-1", "member_token": member_token(customer), "used_at": _at(1)}
    url = f"/stores/{store.public_id}/offline-stamps"
    first = api("post", url, {"device": "p", "records": [fresh]}).json()["results"][0]
    again = api("post", url, {"device": "p", "records": [fresh]}).json()["results"][0]
    assert (first["result"], first["number"], again["result"], again["number"]) == ("accepted", 1, "accepted", 1)
    assert Stamp.objects.get().client_id == "off-ffffffff-1"
    with time_machine.travel(timezone.now() - dt.timedelta(minutes=30)):
        screenshot = member_token(customer)  # shown 29 minutes before the stall scanned it
    stale = {"client_id": "off-ffffffff-2", "member_token": screenshot, "used_at": _at(1)}
    answer = api("post", url, {"records": [stale]}).json()["results"][0]
    assert (answer["result"], answer["detail"]) == (
        "refused",
        "손님 QR을 확인할 수 없습니다. 손님 화면의 QR을 새로 띄워 달라고 해 주세요.",
    )
    assert Stamp.objects.count() == 1


def test_the_wrong_people_get_404_on_every_offline_operation(signed_in, other_merchant, customer, store, coupon, api):
    record = {"client_id": "off-gggggggg-1", "code": coupon.code, "used_at": _at(1)}
    for who in (other_merchant, customer):
        signed_in(who)
        assert api("get", f"/stores/{store.public_id}/offline-rules").status_code == 404
        assert api("get", f"/stores/{store.public_id}/double-uses").status_code == 404
        assert _sync(api, store, [record]).status_code == 404
        body = {"records": [{"client_id": "off-gggggggg-2", "member_token": "DGM1.x", "used_at": _at(1)}]}
        assert api("post", f"/stores/{store.public_id}/offline-stamps", body).status_code == 404
    assert Redemption.objects.count() == 0


def test_the_service_worker_and_the_stall_manifest_are_served(client, store):
    worker = client.get("/sw.js")
    assert worker["Content-Type"].startswith("application/javascript")
    assert worker["Service-Worker-Allowed"] == "/"
    assert b"dangol-pages-v1" in worker.content
    manifest = client.get(f"/s/{store.public_id}/stall.webmanifest").json()
    assert manifest["start_url"] == f"/m/{store.public_id}/stall/"
    assert manifest["name"] == "햇살과일 계산대"
    assert client.get("/s/nosuchstore/stall.webmanifest").status_code == 404


def test_a_device_holding_the_previous_key_still_verifies_until_its_coupons_expire(
    signed_in, merchant, store, coupon, make_campaign, customer, api
):
    old_token = coupon.token()  # issued two hours ago, before the rotation
    old_kid = coupon.signing_key.kid
    new = SigningKey.rotate(store=store)
    fresh = make_campaign().claim(customer=customer)
    keys = {k["kid"]: k for k in api("get", f"/stores/{store.public_id}/keys").json()["keys"]}
    assert keys[old_kid]["status"] == "retired" and keys[new.kid]["status"] == "active"
    # What a stall does offline with the published key: the old coupon's signature still holds.
    body, _payload, signature = tokens.read_unverified(old_token)
    tokens.check_signature(body, signature, keys[old_kid]["x"])
    tokens.check_signature(*tokens.read_unverified(fresh.token())[::2], keys[new.kid]["x"])
    signed_in(merchant)
    record = {"client_id": "off-hhhhhhhh-1", "token": old_token, "used_at": _at(1)}
    assert _sync(api, store, [record]).json()["results"][0]["result"] == "accepted"
    # Once nothing it signed can be used any more, the old key is no longer published.
    later = timezone.now() + dt.timedelta(days=40)
    assert [k.kid for k in SigningKey.objects.published(store, now=later)] == [new.kid]
