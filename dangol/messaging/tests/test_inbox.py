import re

import pytest
import time_machine
from django.urls import reverse

from dangol.channels.models import ConsentEvent, Follow
from dangol.messaging.models import InboxItem, Message, MessageKind, follow_for_opt_out_token, opt_out_token
from dangol.messaging.services import message_send


@pytest.fixture
def follows(store, other_store, customer):
    return (
        Follow.start(customer=customer, store=store, ads=True, night=False, via="web")[0],
        Follow.start(customer=customer, store=other_store, ads=True, night=False, via="web")[0],
    )


def _send(store, author, body, kind=MessageKind.INFO):
    message = message_send(store=store, author=author, kind=kind, body=body)
    message.deliver()
    return message


def test_the_inbox_shows_all_followed_stores_newest_first_with_unread_counts(
    signed_in, customer, store, other_store, merchant, other_merchant, follows
):
    with time_machine.travel("2026-11-26 09:00 +0900", tick=False):
        _send(store, merchant, "첫 번째 소식")
    with time_machine.travel("2026-11-26 10:00 +0900", tick=False):
        _send(other_store, other_merchant, "두 번째 소식")
    with time_machine.travel("2026-11-26 11:00 +0900", tick=False):
        page = signed_in(customer).get(reverse("messaging:inbox")).content.decode()
    assert page.index("두 번째 소식") < page.index("첫 번째 소식")
    unread = re.search(r'class="badge"[^>]*>(\d+)<', page).group(1)
    assert int(unread) == InboxItem.objects.filter(customer=customer, read_at__isnull=True).count()


def test_opening_a_message_marks_it_read(signed_in, customer, store, merchant, follows):
    message = _send(store, merchant, "오늘 딸기 들어왔어요")
    client = signed_in(customer)
    client.get(reverse("messaging:inbox_item", args=[message.public_id]))
    assert InboxItem.objects.get(message=message).read_at is not None
    response = client.get(reverse("api:inbox"))
    item = next(i for i in response.json()["items"] if i["id"] == message.public_id)
    assert item["read"] is True


def test_nobody_opens_another_customers_message(signed_in, store, merchant, follows, stranger, other_merchant):
    message = _send(store, merchant, "단골에게만")
    for wrong in (stranger, other_merchant):
        assert signed_in(wrong).get(reverse("messaging:inbox_item", args=[message.public_id])).status_code == 404
    assert InboxItem.objects.get(message=message).read_at is None


def test_the_inbox_needs_sign_in(client, db):
    assert client.get(reverse("messaging:inbox")).status_code == 302


def test_the_inbox_takes_a_fixed_number_of_queries(
    signed_in, customer, store, merchant, follows, django_assert_max_num_queries
):
    for n in range(5):
        _send(store, merchant, f"소식 {n}")
    client = signed_in(customer)
    with django_assert_max_num_queries(6):
        client.get(reverse("messaging:inbox"))


def test_opting_out_from_an_ad_takes_one_tap_without_signing_in(client, customer, store, merchant, follows):
    ad = _send(store, merchant, "특가", kind=MessageKind.AD)
    follow = follows[0]
    url = reverse("messaging:opt_out", args=[opt_out_token(follow)])
    assert "수신 거부" in client.get(url).content.decode()  # the tap shows the button
    response = client.post(url)
    assert response.status_code == 200
    assert "수신거부 완료" in response.content.decode()
    follow.refresh_from_db()
    assert follow.ads_consent is False and follow.is_active
    event = ConsentEvent.objects.filter(customer=customer, store=store).first()
    assert (event.kind, event.action, event.via) == ("ads", "withdrawn", "opt_out_link")
    assert Message.objects.filter(
        kind=MessageKind.NOTICE, inbox_items__customer=customer, body__contains="철회"
    ).exists()
    assert ad.pk  # the ad itself stays in the inbox


def test_the_opt_out_link_in_the_ad_is_the_customers_own(signed_in, customer, store, merchant, follows):
    ad = _send(store, merchant, "특가", kind=MessageKind.AD)
    page = signed_in(customer).get(reverse("messaging:inbox_item", args=[ad.public_id])).content.decode()
    token = re.search(r'href="https?://[^"]*/o/([^"/]+)/"', page).group(1)
    # The token carries the moment it was signed, so compare whose follow it opens, not its text.
    assert follow_for_opt_out_token(token) == follows[0]


def test_opting_out_twice_records_once(client, customer, store, follows):
    url = reverse("messaging:opt_out", args=[opt_out_token(follows[0])])
    client.post(url)
    client.post(url)
    assert ConsentEvent.objects.filter(customer=customer, store=store, via="opt_out_link").count() == 1


def test_a_tampered_opt_out_link_is_refused_and_changes_nothing(client, store, follows):
    token = opt_out_token(follows[0])
    for response in (
        client.get(reverse("messaging:opt_out", args=[token[:-2] + "xx"])),
        client.post(reverse("messaging:opt_out", args=[token[:-2] + "xx"])),
    ):
        assert response.status_code == 404
        assert "링크가 올바르지 않습니다" in response.content.decode()
    follows[0].refresh_from_db()
    assert follows[0].ads_consent is True


def test_my_stores_shows_unread_counts_per_store(signed_in, customer, store, other_store, merchant, follows):
    _send(store, merchant, "소식 하나")
    _send(store, merchant, "소식 둘")
    response = signed_in(customer).get(reverse("channels:my_stores"))
    unread = {f.store.name: f.unread for f in response.context["follows"]}
    assert unread == {"햇살과일": 2, "바다수산": 0}
    assert "새 소식 2" in response.content.decode()
