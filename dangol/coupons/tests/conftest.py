import pytest

from dangol.channels.models import ConsentVia, Follow
from dangol.coupons.models import ApiKey, Campaign, CouponKind, Method, StorePin


@pytest.fixture
def make_campaign(store, merchant):
    def make(**fields):
        values = {
            "store": store,
            "kind": CouponKind.AMOUNT,
            "amount_off": 1000,
            "valid_days": 30,
            "method": Method.FIRST_COME,
            "created_by": merchant,
        }
        values.update(fields)
        return Campaign.objects.create(**values)

    return make


@pytest.fixture
def campaign(make_campaign):
    return make_campaign()


@pytest.fixture
def coupon(campaign, customer):
    return campaign.claim(customer=customer)


@pytest.fixture
def follow():
    def make(customer, store, *, ads=True):
        return Follow.start(customer=customer, store=store, ads=ads, night=False, via=ConsentVia.WEB)[0]

    return make


@pytest.fixture
def pin(store):
    StorePin.set(store=store, pin="4821")
    return "4821"


@pytest.fixture
def api_key(store, merchant):
    return ApiKey.create_for(store=store, name="계산대", by=merchant)[1]


@pytest.fixture
def api(client):
    """api(method, path, json=None, key=None) → response, against /api/v1."""

    def call(method, path, json=None, key=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
        send = getattr(client, method)
        if json is None:
            return send(f"/api/v1{path}", **headers)
        return send(f"/api/v1{path}", json, content_type="application/json", **headers)

    return call
