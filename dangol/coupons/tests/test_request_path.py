"""The statements a claim and a stall redemption cost (benchmarks/request_path.py measures the time)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangol.coupons.models import Allowance, Campaign, Coupon, Redemption, SigningKey


def _statements(call):
    with CaptureQueriesContext(connection) as seen:
        response = call()
    return response, [q["sql"] for q in seen.captured_queries]


def test_a_first_come_claim_reads_no_counter_and_counts_no_coupons(signed_in, api, customer, make_campaign):
    campaign = make_campaign(quantity=5)
    SigningKey.current_for(campaign.store_id)  # a store's key is made once, and each process reads it once
    signed_in(customer)
    response, statements = _statements(lambda: api("post", f"/campaigns/{campaign.public_id}/claim"))
    assert response.status_code == 201
    assert Coupon.objects.filter(campaign=campaign, customer=customer).count() == 1
    assert Campaign.objects.get(pk=campaign.pk).issued_count == 1
    # session with its person, campaign with store, then the address's allowance, the coupon's count with
    # the key's check and the coupon (PostgreSQL: one statement, no transaction; elsewhere three in one)
    work = [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))]
    assert len(work) <= (3 if connection.vendor == "postgresql" else 5), work
    assert not any("coupons_signingkey" in s and s.startswith("SELECT") for s in work)
    assert not any("COUNT(" in s.upper() for s in work)
    if connection.vendor == "postgresql":  # (the savepoint around it is the test's own transaction's doing)
        assert work[-1].startswith("WITH gate AS (INSERT INTO") and "coupons_allowance" in work[-1]
        assert "UPDATE" in work[-1] and 'INSERT INTO "coupons_coupon"' in work[-1]


def test_a_key_retired_by_another_process_is_not_signed_with(signed_in, api, customer, stranger, make_campaign):
    campaign = make_campaign(quantity=5)
    old = SigningKey.current_for(campaign.store_id)
    assert campaign.claim(customer=stranger).signing_key == old
    # Another process rotates the store's key (compromised): this one still has the old key in mind.
    SigningKey.objects.filter(pk=old.pk).update(retired_at=timezone.now(), revoked_at=timezone.now())
    new = SigningKey.objects.active_for(campaign.store_id)
    signed_in(customer)
    response = api("post", f"/campaigns/{campaign.public_id}/claim")
    assert response.status_code == 201
    coupon = Coupon.objects.get(campaign=campaign, customer=customer)
    assert coupon.signing_key == new
    assert Campaign.objects.get(pk=campaign.pk).issued_count == 2
    # The token in the answer verifies against the live key, at the stall.
    assert SigningKey.coupon_for_token(response.json()["coupon"]["token"], store=campaign.store) == coupon
    assert SigningKey.current_for(campaign.store_id) == new


def test_a_second_claim_by_the_same_customer_is_still_refused(signed_in, api, customer, make_campaign):
    campaign = make_campaign(quantity=5)
    signed_in(customer)
    assert api("post", f"/campaigns/{campaign.public_id}/claim").status_code == 201
    again = api("post", f"/campaigns/{campaign.public_id}/claim")
    assert again.status_code == 409
    assert again.json() == {"detail": "이미 받은 쿠폰입니다. 쿠폰함을 보세요."}
    assert Campaign.objects.get(pk=campaign.pk).issued_count == 1
    assert Coupon.objects.filter(campaign=campaign).count() == 1


def test_a_sold_out_campaign_refuses_without_a_transaction(signed_in, api, customer, stranger, make_campaign):
    campaign = make_campaign(quantity=1)
    campaign.claim(customer=stranger)
    signed_in(customer)
    response, statements = _statements(lambda: api("post", f"/campaigns/{campaign.public_id}/claim"))
    assert response.status_code == 409
    assert response.json() == {"detail": "아쉽지만 쿠폰이 모두 나갔습니다."}
    assert not Coupon.objects.filter(customer=customer).exists()
    assert not any(s.startswith(("INSERT", "UPDATE")) for s in statements)


def test_a_redemption_by_code_reads_the_store_once(api, api_key, store, coupon):
    path = f"/stores/{store.public_id}/redemptions"
    response, statements = _statements(
        lambda: api("post", path, {"code": coupon.code, "client_id": "pos-1"}, key=api_key)
    )
    assert response.status_code == 201
    assert response.json()["coupon"]["store_name"] == store.name
    assert Redemption.objects.filter(coupon=coupon).count() == 1
    # the coupon with its campaign, store and the till's key, then the use with its record (PostgreSQL: one
    # statement, no transaction; elsewhere two in a transaction): no second store read, no client id look-up
    work = [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))]
    assert len(work) <= (2 if connection.vendor == "postgresql" else 3), work
    assert "coupons_apikey" in work[0] and "coupons_coupon" in work[0]
    if connection.vendor == "postgresql":
        assert work[-1].startswith("WITH changed AS (UPDATE") and "INSERT INTO" in work[-1]


def test_a_redemption_by_qr_reads_the_key_the_coupon_and_its_signing_key_at_once(api, api_key, store, coupon):
    path = f"/stores/{store.public_id}/redemptions"
    response, statements = _statements(lambda: api("post", path, {"token": coupon.token()}, key=api_key))
    assert response.status_code == 201
    assert Redemption.objects.get(coupon=coupon).via == "api"
    work = [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))]
    assert len(work) <= (2 if connection.vendor == "postgresql" else 3), work
    assert all(table in work[0] for table in ("coupons_apikey", "coupons_coupon", "coupons_signingkey"))


def test_a_merchant_scanning_a_qr_reads_the_coupon_with_its_signing_key(signed_in, api, merchant, store, coupon):
    signed_in(merchant)
    path = f"/stores/{store.public_id}/coupon-check"
    response, statements = _statements(lambda: api("post", path, {"token": coupon.token()}))
    assert response.status_code == 200 and response.json()["id"] == coupon.public_id
    coupon_reads = [s for s in statements if s.startswith("SELECT") and "coupons_coupon" in s]
    assert len(coupon_reads) == 1 and "coupons_signingkey" in coupon_reads[0]
    assert not any(s.startswith("SELECT") and "coupons_signingkey" in s and s not in coupon_reads for s in statements)


def test_a_client_id_taken_by_another_coupon_leaves_this_one_unused(api, api_key, store, coupon, stranger):
    other = coupon.campaign.claim(customer=stranger)
    path = f"/stores/{store.public_id}/redemptions"
    assert api("post", path, {"code": other.code, "client_id": "pos-9"}, key=api_key).status_code == 201
    response = api("post", path, {"code": coupon.code, "client_id": "pos-9"}, key=api_key)
    assert response.status_code == 409
    assert response.json() == {"detail": "이 요청 번호는 다른 쿠폰에 이미 쓰였습니다."}
    coupon.refresh_from_db()
    assert coupon.status == "issued" and coupon.redeemed_at is None
    assert not Redemption.objects.filter(coupon=coupon).exists()


def test_a_retried_redemption_answers_the_first_and_records_one(api, api_key, store, coupon):
    path = f"/stores/{store.public_id}/redemptions"
    first = api("post", path, {"code": coupon.code, "client_id": "pos-7"}, key=api_key)
    again = api("post", path, {"code": coupon.code, "client_id": "pos-7"}, key=api_key)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Redemption.objects.filter(coupon=coupon).count() == 1


def test_a_key_names_only_its_own_store(api, api_key, other_store, store, coupon):
    response = api("post", f"/stores/{other_store.public_id}/redemptions", {"code": coupon.code}, key=api_key)
    assert response.status_code == 404
    assert not Redemption.objects.exists()


def test_a_refused_claim_gives_the_address_its_share_of_the_hour_back(signed_in, api, customer, make_campaign):
    campaign = make_campaign(quantity=5)
    signed_in(customer)
    assert api("post", f"/campaigns/{campaign.public_id}/claim").status_code == 201
    assert api("post", f"/campaigns/{campaign.public_id}/claim").status_code == 409  # already has one
    assert list(Allowance.objects.values_list("what", "used")) == [(Allowance.CLAIM, 1)]
