"""The same action through the page and through the API: allowed, refused or hidden for the same
people, and a refusal in the same words on both doors."""

import html

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from dangol.channels.models import ConsentEvent, Follow, Store

ALREADY = "이미 이 가게의 단골입니다."
NIGHT_NEEDS_ADS = "야간 광고 수신은 광고성 정보 수신에 동의해야 선택할 수 있습니다."
ONLY_BY_UNFOLLOWING = "이 동의는 단골 해제로만 철회할 수 있습니다."
BLANK = "보이는 글자를 입력해 주세요."


def said(response):
    """Everything a person reads after a page request: flashed lines and the page itself."""
    flashed = " ".join(str(m) for m in get_messages(response.wsgi_request))
    return flashed + " " + html.unescape(response.content.decode())


def api(client, method, url, data=None):
    return getattr(client, method)(url, data, content_type="application/json")


def _follow_page(client, store, **fields):
    data = {k: "on" for k, v in {"collection": True, **fields}.items() if v}
    return client.post(reverse("channels:follow", args=[store.public_id]), data)


def _follow_api(client, store, **fields):
    return api(client, "post", f"/api/v1/stores/{store.public_id}/follow", {"collection": True, **fields})


def _nothing_written_since(before):
    assert (Follow.objects.count(), ConsentEvent.objects.count()) == before


def _counts():
    return Follow.objects.count(), ConsentEvent.objects.count()


@pytest.fixture
def cast(merchant, other_merchant, customer, stranger):
    return {"merchant": merchant, "other_merchant": other_merchant, "customer": customer, "stranger": stranger}


# Follow twice


@pytest.mark.parametrize("person", ["merchant", "other_merchant", "customer", "stranger"])
@pytest.mark.parametrize("first_door", ["page", "api"])
def test_anyone_signed_in_may_follow_once_and_a_second_follow_reads_the_same_on_both_doors(
    signed_in, store, cast, person, first_door
):
    client = signed_in(cast[person])
    first = (_follow_page if first_door == "page" else _follow_api)(client, store)
    assert first.status_code in (201, 302)
    assert Follow.objects.filter(customer=cast[person], store=store, ended_at__isnull=True).count() == 1
    before = _counts()

    page = _follow_page(client, store, ads=True)
    assert page.status_code == 302 and ALREADY in said(page)
    again = _follow_api(client, store, ads=True)
    assert again.status_code == 409 and again.json()["detail"] == ALREADY

    _nothing_written_since(before)
    assert Follow.objects.get(customer=cast[person]).ads_consent is False


def test_a_visitor_who_is_not_signed_in_follows_through_neither_door(client, store):
    page = _follow_page(client, store)
    assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:sign_in"))
    assert _follow_api(Client(), store).status_code == 401
    _nothing_written_since((0, 0))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"collection": False, "ads": True}, "collection", "단골이 되려면 휴대폰 번호 수집·이용에 동의해야 합니다."),
        ({"night": True}, "night", NIGHT_NEEDS_ADS),
    ],
)
def test_a_follow_the_rules_refuse_reads_the_same_on_both_doors(signed_in, customer, store, fields, field, message):
    client = signed_in(customer)
    page = _follow_page(client, store, **fields)
    assert page.status_code == 200 and message in said(page)
    response = _follow_api(client, store, **fields)
    assert response.status_code == 400
    assert response.json()["detail"] == message and response.json()["errors"] == {field: [message]}
    _nothing_written_since((0, 0))


# Change consent


def _consent_page(client, store, kind, given):
    return client.post(reverse("channels:consent", args=[store.public_id]), {"kind": kind, "given": given})


def _consent_api(client, store, kind, given):
    return api(client, "put", f"/api/v1/stores/{store.public_id}/consent", {"kind": kind, "given": given})


@pytest.mark.parametrize("door", ["page", "api"])
def test_a_regular_changes_consent_through_either_door(signed_in, customer, store, door):
    Follow.start(customer=customer, store=store, ads=False, night=False, via="web")
    client = signed_in(customer)
    if door == "page":
        assert _consent_page(client, store, "ads", "1").status_code == 302
    else:
        assert _consent_api(client, store, "ads", True).status_code == 200
    assert Follow.objects.get().ads_consent is True
    assert ConsentEvent.objects.filter(kind="ads", action="given", via="web" if door == "page" else "api").exists()


@pytest.mark.parametrize(
    ("kind", "given", "field", "message"),
    [("collection", False, "kind", ONLY_BY_UNFOLLOWING), ("night", True, "night", NIGHT_NEEDS_ADS)],
)
def test_a_consent_change_the_rules_refuse_reads_the_same_on_both_doors(
    signed_in, customer, store, kind, given, field, message
):
    Follow.start(customer=customer, store=store, ads=False, night=False, via="web")
    client = signed_in(customer)
    before = _counts()
    page = _consent_page(client, store, kind, "1" if given else "0")
    assert message in said(page)
    response = _consent_api(client, store, kind, given)
    assert response.status_code == 400
    assert response.json()["detail"] == message and response.json()["errors"] == {field: [message]}
    _nothing_written_since(before)
    follow = Follow.objects.get()
    assert follow.is_active and not follow.night_consent


@pytest.mark.parametrize("person", ["merchant", "other_merchant", "stranger"])
def test_someone_who_is_not_a_regular_changes_no_consent_through_either_door(signed_in, customer, store, cast, person):
    Follow.start(customer=customer, store=store, ads=False, night=False, via="web")
    client = signed_in(cast[person])
    before = _counts()
    page = _consent_page(client, store, "ads", "1")
    assert page.status_code == 302 and page["Location"] == store.get_absolute_url()
    assert _consent_api(client, store, "ads", True).status_code == 404
    _nothing_written_since(before)
    assert Follow.objects.get(customer=customer).ads_consent is False


# Update the store's profile


def _profile_page(client, store, **changes):
    data = {
        "name": store.name,
        "category": store.category,
        "stall_number": store.stall_number,
        "description": store.description,
        "opening_hours": store.opening_hours,
        "phone": "02-123-4567",
        **changes,
    }
    return client.post(reverse("channels:profile", args=[store.public_id]), data)


def _profile_api(client, store, **changes):
    return api(client, "patch", f"/api/v1/stores/{store.public_id}", changes)


@pytest.mark.parametrize("door", ["page", "api"])
def test_the_stores_merchant_updates_the_profile_through_either_door(signed_in, merchant, store, door):
    client = signed_in(merchant)
    if door == "page":
        assert _profile_page(client, store, opening_hours="  7시~19시 ").status_code == 302
    else:
        assert _profile_api(client, store, opening_hours="  7시~19시 ").status_code == 200
    store.refresh_from_db()
    assert store.opening_hours == "7시~19시"


@pytest.mark.parametrize("person", ["other_merchant", "customer", "stranger"])
def test_nobody_else_updates_a_profile_through_either_door(signed_in, store, cast, person):
    client = signed_in(cast[person])
    assert _profile_page(client, store, name="가로챈 가게").status_code == 404
    assert _profile_api(client, store, name="가로챈 가게").status_code == 404
    assert client.get(reverse("channels:profile", args=[store.public_id])).status_code == 404
    store.refresh_from_db()
    assert store.name == "햇살과일"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "\u200b\u3164\u200b"}, "name", BLANK),
        ({"name": " \ufeff "}, "name", BLANK),
        ({"phone": "123"}, "phone", "전화번호 형식이 올바르지 않습니다. 예: 02-123-4567, 010-1234-5678"),
        ({"description": "가" * 1001}, "description", "1000"),
        ({"stall_number": "가" * 21}, "stall_number", "20"),
    ],
)
def test_a_profile_the_rules_refuse_reads_the_same_on_both_doors(signed_in, merchant, store, changes, field, message):
    client = signed_in(merchant)
    response = _profile_api(client, store, **changes)
    assert response.status_code == 400
    [said_by_api] = response.json()["errors"][field]
    assert message in said_by_api
    page = _profile_page(client, store, **changes)
    assert page.status_code == 200 and said_by_api in said(page)
    store.refresh_from_db()
    assert (store.name, store.phone, store.description) == ("햇살과일", "+8221234567", "")


def test_the_model_refuses_an_invisible_name_whoever_validates_it(store):
    from django.core.exceptions import ValidationError

    store.name = "\u200b\u200b"
    with pytest.raises(ValidationError) as refused:
        store.full_clean()
    assert refused.value.message_dict == {"name": [BLANK]}
    assert Store.objects.get(pk=store.pk).name == "햇살과일"


# See the followers


def test_the_merchant_sees_the_same_followers_on_both_doors(signed_in, merchant, store, customer, stranger):
    Follow.start(customer=customer, store=store, ads=True, night=False, via="web")
    Follow.start(customer=stranger, store=store, ads=False, night=False, via="web", share_phone=True)
    client = signed_in(merchant)
    page = said(client.get(reverse("channels:followers", args=[store.public_id])))
    listed = [f["phone"] for f in client.get(f"/api/v1/stores/{store.public_id}/followers").json()]
    assert listed == ["010-9999-0001", "010-****-0001"]
    assert all(phone in page for phone in listed)
    assert "010-2222-0001" not in page


@pytest.mark.parametrize("person", ["other_merchant", "customer", "stranger"])
def test_nobody_else_sees_the_followers_through_either_door(signed_in, store, customer, cast, person):
    Follow.start(customer=customer, store=store, ads=True, night=False, via="web")
    client = signed_in(cast[person])
    assert client.get(reverse("channels:followers", args=[store.public_id])).status_code == 404
    response = client.get(f"/api/v1/stores/{store.public_id}/followers")
    assert response.status_code == 404 and "0001" not in response.content.decode()


def test_a_visitor_who_is_not_signed_in_sees_the_followers_through_neither_door(client, store):
    assert client.get(reverse("channels:followers", args=[store.public_id])).status_code == 302
    assert Client().get(f"/api/v1/stores/{store.public_id}/followers").status_code == 401
