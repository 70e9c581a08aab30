"""The claim's and the stall's writes, built once per process (lib.sql), do exactly what the ORM does."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F, signals
from django.utils import timezone

from dangol.coupons.models import (
    Allowance,
    ApiKey,
    Campaign,
    Coupon,
    CouponRefused,
    CouponStatus,
    Redemption,
    SigningKey,
)
from dangol.coupons.models.coupons import _TAKE_ONE, _USE
from dangol.coupons.models.limits import address_key
from dangol.lib.sql import MARKER_ID, MARKER_TIME, FixedUpdate, Refused, insert_row, insert_row_after


@pytest.fixture
def coupons(make_campaign, customer):
    """Coupons in every state a use at the stall meets: usable, not yet started, expired, used, revoked."""
    campaign = make_campaign(quantity=10)
    now = timezone.now()
    made = {}
    for name, starts, expires, status in [
        ("usable", -1, 5, CouponStatus.ISSUED),
        ("not started", 1, 5, CouponStatus.ISSUED),
        ("expired", -5, -1, CouponStatus.ISSUED),
        ("used", -1, 5, CouponStatus.REDEEMED),
        ("revoked", -1, 5, CouponStatus.REVOKED),
    ]:
        made[name] = Coupon.objects.create(
            code=f"C{len(made)}",
            campaign=campaign,
            store=campaign.store,
            customer=customer,
            slot=len(made) + 1,
            signing_key=SigningKey.objects.active_for(campaign.store_id),
            issued_at=now,
            starts_at=now + dt.timedelta(days=starts),
            expires_at=now + dt.timedelta(days=expires),
            status=status,
        )
    return made


def test_a_fixed_update_changes_the_rows_the_orm_would_and_sets_the_arguments(coupons):
    now = timezone.now()
    for name, coupon in coupons.items():
        would = Coupon.objects.filter(
            pk=coupon.pk, status=CouponStatus.ISSUED, starts_at__lte=now, expires_at__gt=now
        ).exists()
        before = Coupon.objects.values("status", "redeemed_at").get(pk=coupon.pk)
        assert _USE.run(coupon.pk, now) == (1 if would else 0), name
        after = Coupon.objects.values("status", "redeemed_at").get(pk=coupon.pk)
        if would:
            assert after == {"status": CouponStatus.REDEEMED, "redeemed_at": now}
        else:
            assert after == before, name
    assert [name for name, c in coupons.items() if Coupon.objects.get(pk=c.pk).redeemed_at == now] == ["usable"]


def test_the_counter_stops_at_the_quantity_as_the_orm_update_would(make_campaign):
    campaign = make_campaign(quantity=2)
    unlimited = make_campaign(quantity=None)
    kid = SigningKey.objects.active_for(campaign.store_id).kid
    assert [_TAKE_ONE.run(campaign.pk, kid) for _ in range(3)] == [1, 1, 0]
    assert [_TAKE_ONE.run(unlimited.pk, kid) for _ in range(3)] == [1, 1, 1]
    Campaign.objects.filter(pk=unlimited.pk).update(status="ended")
    assert _TAKE_ONE.run(unlimited.pk, kid) == 0
    counts = dict(Campaign.objects.filter(pk__in=[campaign.pk, unlimited.pk]).values_list("pk", "issued_count"))
    assert counts == {campaign.pk: 2, unlimited.pk: 3}


def test_the_counter_moves_only_with_the_stores_active_key(make_campaign, other_store):
    campaign = make_campaign(quantity=None)
    old = SigningKey.objects.active_for(campaign.store_id)
    elsewhere = SigningKey.objects.active_for(other_store.pk)
    assert _TAKE_ONE.run(campaign.pk, elsewhere.kid) == 0  # another store's key
    assert _TAKE_ONE.run(campaign.pk, "no-such-key") == 0
    new = SigningKey.rotate(store=campaign.store)
    assert _TAKE_ONE.run(campaign.pk, old.kid) == 0  # retired
    assert _TAKE_ONE.run(campaign.pk, new.kid) == 1
    assert Campaign.objects.get(pk=campaign.pk).issued_count == 1


def test_a_fixed_update_is_one_statement_built_once(coupons, django_assert_num_queries):
    now = timezone.now()
    _USE.run(coupons["expired"].pk, now)  # built here, if no earlier test did
    with django_assert_num_queries(1):
        _USE.run(coupons["usable"].pk, now)


def test_a_marker_that_did_not_become_a_parameter_is_refused(coupons):
    # The time is written as a value, never compared: a marker for it must be a value, not a shape.
    update = FixedUpdate(lambda pk, now: Coupon.objects.filter(pk=pk), {"status": "redeemed"}, MARKER_ID, MARKER_TIME)
    with pytest.raises(ValueError, match="did not become SQL parameters"):
        update.run(coupons["usable"].pk, timezone.now())
    with pytest.raises(ValueError, match="a marker of its own"):
        FixedUpdate(lambda a, b: Coupon.objects.filter(pk=a), {}, MARKER_ID, MARKER_ID)
    takes = FixedUpdate(lambda pk: Campaign.objects.filter(pk=pk), {"issued_count": F("issued_count") + 1}, MARKER_ID)
    with pytest.raises(TypeError, match="expected 1 arguments"):
        takes.run()


def _as_stored(instance):
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_an_inserted_row_reads_back_as_the_orm_would_have_saved_it(coupon, store, merchant, django_assert_num_queries):
    now = timezone.now()
    api_key = ApiKey.create_for(store=store, name="계산대", by=merchant)[0]
    fields = {
        "coupon": coupon,
        "store_id": coupon.store_id,
        "via": "api",
        "api_key": api_key,
        "amount": 12_000,
        "discount": 1_000,
        "client_id": "pos-9",
        "created_at": now,
    }
    with django_assert_num_queries(1):
        fixed = insert_row(Redemption(**fields))
    assert fixed.pk is not None
    assert not fixed._state.adding
    assert fixed._state.db == "default"
    # Undone, to leave the coupon and the client id free for the same redemption saved by the ORM.
    Redemption.objects.filter(pk=fixed.pk).update(client_id="moved", undone_at=now)
    by_orm = Redemption.objects.create(**fields)
    stored = _as_stored(Redemption.objects.get(pk=fixed.pk))
    assert stored == {**_as_stored(fixed), "client_id": "moved", "undone_at": now}
    differ = {k for k, v in _as_stored(by_orm).items() if stored[k] != v}
    assert differ == {"id", "public_id", "client_id", "undone_at"}


def test_an_insert_that_breaks_a_rule_of_the_table_writes_nothing(coupon):
    fields = {"coupon": coupon, "store_id": coupon.store_id, "via": "api", "client_id": "pos-1"}
    insert_row(Redemption(**fields, created_at=timezone.now()))
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_row(Redemption(**fields, created_at=timezone.now()))
    assert Redemption.objects.filter(client_id="pos-1").count() == 1


def test_a_model_with_save_receivers_is_saved_by_the_orm(coupon):
    heard = []

    def receiver(sender, instance, created, **kwargs):
        heard.append((instance.client_id, created))

    signals.post_save.connect(receiver, sender=Redemption)
    try:
        insert_row(Redemption(coupon=coupon, store_id=coupon.store_id, via="api", client_id="pos-2"))
    finally:
        signals.post_save.disconnect(receiver, sender=Redemption)
    assert heard == [("pos-2", True)]
    assert Redemption.objects.filter(client_id="pos-2").exists()


def _take_one(campaign, coupon):
    return insert_row_after(_TAKE_ONE, (campaign.pk, coupon.signing_key.kid), coupon)


def _coupon_for(campaign, customer, slot=1):
    return campaign.unsaved_coupon(customer=customer, now=timezone.now(), slot=slot, code=f"N{slot}{campaign.pk}")


def test_the_insert_follows_the_update_both_or_neither(make_campaign, customer):
    campaign = make_campaign(quantity=1)
    first = _coupon_for(campaign, customer)
    assert _take_one(campaign, first) is True
    assert first.pk is not None and not first._state.adding
    # Sold out: the update matches no row, and nothing is inserted.
    assert _take_one(campaign, _coupon_for(campaign, customer, slot=2)) is False
    assert Coupon.objects.filter(campaign=campaign).count() == 1
    assert Campaign.objects.get(pk=campaign.pk).issued_count == 1


def test_an_insert_that_breaks_a_unique_rule_takes_its_update_back(make_campaign, customer):
    campaign = make_campaign(quantity=5)
    _take_one(campaign, _coupon_for(campaign, customer))
    with pytest.raises(IntegrityError):
        _take_one(campaign, _coupon_for(campaign, customer))  # the same slot again
    assert Campaign.objects.get(pk=campaign.pk).issued_count == 1
    assert Coupon.objects.filter(campaign=campaign).count() == 1


def test_inside_a_transaction_a_broken_rule_leaves_the_transaction_usable(make_campaign, customer):
    campaign = make_campaign(quantity=5)
    with transaction.atomic():
        _take_one(campaign, _coupon_for(campaign, customer))
        with pytest.raises(IntegrityError):
            _take_one(campaign, _coupon_for(campaign, customer))
        assert _take_one(campaign, _coupon_for(campaign, customer, slot=2)) is True
    assert Campaign.objects.get(pk=campaign.pk).issued_count == 2
    assert sorted(Coupon.objects.filter(campaign=campaign).values_list("slot", flat=True)) == [1, 2]


def _gate(limit=2, address="10.0.0.1"):
    window = timezone.now().replace(minute=0, second=0, microsecond=0)
    return Allowance.taking(what=Allowance.CLAIM, key=address_key(address), window_start=window, limit=limit)


def _used(address="10.0.0.1"):
    return sum(Allowance.objects.filter(key=address_key(address)).values_list("used", flat=True))


def test_a_gate_that_takes_nothing_lets_nothing_be_written(make_campaign, customer):
    campaign = make_campaign(quantity=5)
    assert insert_row_after(_TAKE_ONE, _args(campaign), _coupon_for(campaign, customer), gate=_gate(limit=1))
    with pytest.raises(Refused):
        insert_row_after(_TAKE_ONE, _args(campaign), _coupon_for(campaign, customer, slot=2), gate=_gate(limit=1))
    assert Campaign.objects.get(pk=campaign.pk).issued_count == 1
    assert Coupon.objects.filter(campaign=campaign).count() == 1
    assert _used() == 1


def test_a_gate_stays_taken_when_the_update_matches_nothing_and_goes_back_with_a_broken_rule(make_campaign, customer):
    campaign = make_campaign(quantity=1)
    assert insert_row_after(_TAKE_ONE, _args(campaign), _coupon_for(campaign, customer), gate=_gate(limit=5)) is True
    sold_out = _coupon_for(campaign, customer, slot=2)
    assert insert_row_after(_TAKE_ONE, _args(campaign), sold_out, gate=_gate(limit=5)) is False
    assert sold_out.pk is None and _used() == 2  # the caller gives it back
    Campaign.objects.filter(pk=campaign.pk).update(quantity=None)
    with pytest.raises(IntegrityError):  # slot 1 again: the count and the allowance go back with the coupon
        insert_row_after(_TAKE_ONE, _args(campaign), _coupon_for(campaign, customer), gate=_gate(limit=5))
    assert _used() == 2
    assert Campaign.objects.get(pk=campaign.pk).issued_count == 1


def test_a_claim_that_loses_the_last_coupon_gives_the_address_its_share_back(make_campaign, customer, stranger):
    campaign = make_campaign(quantity=1)
    stale = Campaign.objects.get(pk=campaign.pk)  # read before the last coupon went
    campaign.claim(customer=stranger, address="10.0.0.2")
    with pytest.raises(CouponRefused) as refused:
        stale.claim(customer=customer, address="10.0.0.1")
    assert refused.value.status == 409
    assert _used("10.0.0.1") == 0 and _used("10.0.0.2") == 1


def _args(campaign):
    return (campaign.pk, SigningKey.objects.active_for(campaign.store_id).kid)
