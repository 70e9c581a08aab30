"""Input no page would send, through the API: a clear 400 naming the field, and nothing written."""

import pytest

from dangol.coupons.models import ApiKey, Campaign, Redemption, StorePin

MEGABYTE = "a" * 1_000_000  # under the 1 MiB body limit, so the rule answers and not the size guard
GOOD = {"kind": "amount", "amount_off": 1000, "valid_days": 30}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": MEGABYTE}, "title"),
        ({"kind": "gift", "gift": MEGABYTE}, "gift"),
        ({"kind": "gift", "gift": "\u200b\u200d\ufeff"}, "gift"),
        ({"valid_days": 10**9}, "valid_days"),
        ({"valid_days": None, "valid_until": "9999-12-31"}, "valid_until"),
        ({"valid_days": None, "valid_from": "2030-01-02", "valid_until": "2030-01-01"}, "valid_from"),
        ({"valid_days": None}, "valid_days"),
        ({"quantity": -5}, "quantity"),
        ({"method": "lottery", "win_rate": 50, "per_customer_limit": 3}, None),
    ],
)
def test_a_campaign_the_rules_refuse_gets_a_field_error_and_nothing_is_written(
    signed_in, api, merchant, store, fields, field
):
    signed_in(merchant)
    response = api("post", f"/stores/{store.public_id}/campaigns", {**GOOD, **fields})
    if field is None:  # a lottery is one draw per person, whatever was asked
        assert response.status_code == 201
        assert Campaign.objects.get().per_customer_limit == 1
        return
    assert response.status_code == 400, response.content[:200]
    body = response.json()
    assert body["detail"] == "invalid" and list(body["errors"]) == [field]
    assert len(body["errors"][field][0]) < 200
    assert not Campaign.objects.exists()


def test_a_megabyte_coupon_code_is_refused_and_nothing_is_used(signed_in, api, merchant, store, coupon):
    signed_in(merchant)
    response = api("post", f"/stores/{store.public_id}/redemptions", {"code": MEGABYTE})
    assert response.status_code == 400
    assert response.json()["errors"] == {"code": ["쿠폰 번호나 QR이 너무 깁니다. 다시 찍거나 입력해 주세요."]}
    assert not Redemption.objects.exists()


def test_a_pin_that_is_not_four_digits_is_refused_without_counting_as_a_wrong_try(
    signed_in, api, customer, coupon, pin
):
    signed_in(customer)
    response = api("post", f"/wallet/{coupon.public_id}/use", {"pin": MEGABYTE})
    assert response.status_code == 400
    assert response.json()["errors"] == {"pin": ["숫자 4자리를 눌러 주세요."]}
    assert not Redemption.objects.exists()
    from dangol.coupons.models import PinFailure

    assert not PinFailure.objects.exists()


def test_the_model_refuses_what_the_pin_and_key_forms_refuse(store, merchant):
    from django.core.exceptions import ValidationError

    for bad in ("123", "12345", "abcd", "7777"):
        with pytest.raises(ValidationError) as error:
            StorePin.set(store=store, pin=bad)
        assert list(error.value.message_dict) == ["pin"]
    for bad in ("\u3164\u200b", "키" * 41):
        with pytest.raises(ValidationError) as error:
            ApiKey.create_for(store=store, name=bad, by=merchant)
        assert list(error.value.message_dict) == ["name"]
    assert not StorePin.objects.exists() and not ApiKey.objects.exists()
