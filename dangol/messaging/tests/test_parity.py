"""Sending a message through the compose page and through the API: allowed, refused or hidden for
the same people, a refusal in the same words, and bad input answered without writing anything."""

import datetime as dt
import html

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from dangol.channels.models import Follow
from dangol.messaging.models import InboxItem, Message, MessageKind, Status

NOW = "2026-11-26 10:00 +0900"
BLANK = "보이는 글자를 입력해 주세요."


def said(response):
    flashed = " ".join(str(m) for m in get_messages(response.wsgi_request))
    return flashed + " " + html.unescape(response.content.decode())


def _compose(client, store, **fields):
    data = {"kind": "info", "body": "내일은 쉽니다.", "when": "now", **fields}
    return client.post(reverse("messaging:compose", args=[store.public_id]), data)


def _send(client, store, **fields):
    data = {"kind": "info", "body": "내일은 쉽니다.", **fields}
    return client.post(f"/api/v1/stores/{store.public_id}/messages", data, content_type="application/json")


def _store_messages():
    return Message.objects.exclude(kind=MessageKind.NOTICE)


@pytest.fixture
def regular(store, customer):
    Follow.start(customer=customer, store=store, ads=True, night=True, via="web")
    return customer


@pytest.fixture
def cast(merchant, other_merchant, customer, stranger):
    return {"merchant": merchant, "other_merchant": other_merchant, "customer": customer, "stranger": stranger}


@pytest.mark.parametrize("door", ["page", "api"])
def test_the_stores_merchant_sends_through_either_door(
    signed_in, merchant, store, regular, door, django_capture_on_commit_callbacks
):
    client = signed_in(merchant)
    with django_capture_on_commit_callbacks(execute=True):
        response = (_compose if door == "page" else _send)(client, store, body="  오늘 딸기 들어왔어요 \u200b")
    assert response.status_code in (201, 302)
    message = _store_messages().get()
    assert message.body == "오늘 딸기 들어왔어요"
    assert InboxItem.objects.filter(message=message, customer=regular).exists()


@pytest.mark.parametrize("person", ["other_merchant", "customer", "stranger"])
def test_nobody_else_sends_for_the_store_through_either_door(signed_in, store, regular, cast, person):
    client = signed_in(cast[person])
    assert _compose(client, store).status_code == 404
    assert client.get(reverse("messaging:compose", args=[store.public_id])).status_code == 404
    assert _send(client, store).status_code == 404
    assert client.get(reverse("messaging:sent_list", args=[store.public_id])).status_code == 404
    assert not _store_messages().exists()


def test_a_visitor_who_is_not_signed_in_sends_through_neither_door(client, store, regular):
    response = _compose(client, store)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:sign_in"))
    assert _send(Client(), store).status_code == 401
    assert not _store_messages().exists()


IN_61_DAYS = "2027-01-26T10:00"
AN_HOUR_AGO = "2026-11-26T09:00"


@pytest.mark.parametrize(
    ("page_fields", "api_fields", "field", "message"),
    [
        ({"body": "\u200b\u200b"}, {"body": "\u200b\u200b"}, "body", BLANK),
        ({"body": ""}, {"body": ""}, "body", BLANK),
        ({"body": "가" * 1001}, {"body": "가" * 1001}, "body", "내용은 1,000자까지 쓸 수 있습니다. (지금 1,001자)"),
        (
            {"when": "later", "send_at": IN_61_DAYS},
            {"send_at": IN_61_DAYS + "+09:00"},
            "send_at",
            "예약은 60일 안으로만 할 수 있습니다.",
        ),
        (
            {"when": "later", "send_at": AN_HOUR_AGO},
            {"send_at": AN_HOUR_AGO + "+09:00"},
            "send_at",
            "지금보다 뒤의 시각을 골라 주세요.",
        ),
        (
            {"button1_label": "주문", "button1_url": "http://example.com/x"},
            {"buttons": [{"label": "주문", "url": "http://example.com/x"}]},
            "buttons.0.url",
            "https:// 로 시작하는 올바른 주소만 넣을 수 있습니다.",
        ),
        (
            {"button1_label": "\u200b", "button1_url": "https://example.com/x"},
            {"buttons": [{"label": "\u200b", "url": "https://example.com/x"}]},
            "buttons.0.label",
            "버튼 이름과 주소를 모두 써 주세요.",
        ),
        (
            {"button2_label": "가" * 21, "button2_url": "https://example.com/x"},
            {"buttons": [{"label": "가" * 21, "url": "https://example.com/x"}]},
            "buttons.0.label",
            "버튼 이름은 20자까지 쓸 수 있습니다.",
        ),
    ],
)
def test_a_message_the_rules_refuse_reads_the_same_on_both_doors(
    signed_in, merchant, store, regular, page_fields, api_fields, field, message
):
    client = signed_in(merchant)
    with time_machine.travel(NOW, tick=False):
        page = _compose(client, store, **page_fields)
        response = _send(client, store, **api_fields)
    assert page.status_code == 200 and message in said(page)
    assert response.status_code == 400 and response.json()["errors"] == {field: [message]}
    assert not _store_messages().exists()


def test_a_message_to_nobody_reads_the_same_on_both_doors(signed_in, merchant, store):
    client = signed_in(merchant)
    message = "아직 단골이 없어 보낼 수 없습니다."
    assert message in said(_compose(client, store))
    response = _send(client, store)
    assert response.status_code == 400 and response.json()["errors"] == {"body": [message]}
    assert not _store_messages().exists()


# Bad input through the API: a clear 400 on the field at fault, and nothing written.


@pytest.mark.parametrize("send_at", ["9999-12-31T23:59:00+09:00", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00"])
def test_a_send_time_in_no_reasonable_year_is_refused_and_nothing_is_written(
    signed_in, merchant, store, regular, send_at
):
    response = _send(signed_in(merchant), store, send_at=send_at)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["send_at"]
    assert not _store_messages().exists()


def test_a_megabyte_button_address_is_refused_and_nothing_is_written(signed_in, merchant, store, regular):
    url = "https://example.com/" + "a" * 1_000_000
    response = _send(signed_in(merchant), store, buttons=[{"label": "지도", "url": url}])
    assert response.status_code == 400
    assert response.json()["errors"] == {"buttons.0.url": ["링크 주소는 2000자까지 쓸 수 있습니다."]}
    assert not _store_messages().exists()


def test_more_buttons_than_two_are_refused(signed_in, merchant, store, regular):
    buttons = [{"label": f"버튼{n}", "url": "https://example.com"} for n in range(3)]
    response = _send(signed_in(merchant), store, buttons=buttons)
    assert response.status_code == 400
    assert response.json()["errors"] == {"buttons": ["링크 버튼은 2개까지 넣을 수 있습니다."]}
    assert not _store_messages().exists()


def test_a_notice_cannot_be_sent_by_a_merchant(signed_in, merchant, store, regular):
    response = _send(signed_in(merchant), store, kind="notice")
    assert response.status_code == 400
    assert response.json()["errors"] == {"kind": ["정보 또는 광고 중에서 골라 주세요."]}
    assert not _store_messages().exists()


def test_a_time_without_a_zone_is_seoul_time(signed_in, merchant, store, regular):
    with time_machine.travel(NOW, tick=False):
        response = _send(signed_in(merchant), store, send_at="2026-11-26T15:00:00")
    assert response.status_code == 201
    assert _store_messages().get().send_at == dt.datetime(2026, 11, 26, 6, 0, tzinfo=dt.UTC)


def test_the_sent_list_opens_even_with_a_message_stored_before_the_limit(signed_in, merchant, store, regular):
    far = Message.objects.create(
        store=store,
        kind=MessageKind.INFO,
        body="먼 미래의 메시지",
        status=Status.SCHEDULED,
        send_at=dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.UTC),  # past the end of the calendar in Seoul
    )
    client = signed_in(merchant)
    page = client.get(reverse("messaging:sent_list", args=[store.public_id]))
    assert page.status_code == 200 and "먼 미래의 메시지" in said(page)
    detail = client.get(reverse("messaging:sent", args=[store.public_id, far.public_id]))
    assert detail.status_code == 200 and "날짜를 보일 수 없음" in said(detail)
    assert client.get(f"/api/v1/stores/{store.public_id}").status_code == 200
