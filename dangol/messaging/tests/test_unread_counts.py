"""Unread counts read the unread items only (a partial index), so a long history doesn't slow them."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from dangol.messaging.models import InboxItem, Message, MessageKind


def _history(store, customer, *, read, unread):
    now = timezone.now()
    messages = Message.objects.bulk_create(
        Message(store=store, kind=MessageKind.INFO, body=f"소식 {i}", status="sent", send_at=now, sent_at=now)
        for i in range(read + unread)
    )
    InboxItem.objects.bulk_create(
        InboxItem(
            message=m,
            customer=customer,
            visible_at=now - dt.timedelta(minutes=i + 1),
            read_at=now if i < read else None,
        )
        for i, m in enumerate(messages)
    )


def test_unread_counts_count_only_unread_items(signed_in, client, customer, store, other_store):
    _history(store, customer, read=40, unread=3)
    _history(other_store, customer, read=5, unread=1)
    assert InboxItem.objects.unread_by_store(customer) == {store.public_id: 3, other_store.public_id: 1}
    signed_in(customer)
    body = client.get("/api/v1/inbox?limit=5").json()
    assert body["unread"] == 4
    assert body["unread_by_store"] == {store.public_id: 3, other_store.public_id: 1}
    assert len(body["items"]) == 5
    newest = InboxItem.objects.for_customer(customer).first()
    first = body["items"][0]
    assert first == {
        "id": newest.message.public_id,
        "store_id": newest.message.store.public_id,
        "store_name": newest.message.store.name,
        "kind": "info",
        "header": newest.message.header,
        "body": newest.message.body,
        "footer": newest.message.footer,
        "buttons": [],
        "received_at": first["received_at"],
        "read": newest.read_at is not None,
    }
    assert first["received_at"].startswith(newest.visible_at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_the_unread_query_is_one_the_partial_index_answers(customer, store):
    """The query's own WHERE names the customer and read_at IS NULL, which is what the index covers."""
    query = (
        InboxItem.objects.visible()
        .not_withheld()
        .filter(customer=customer, read_at__isnull=True)
        .values_list("message__store__public_id")
    )
    text = str(query.query)
    assert '"messaging_inboxitem"."read_at" IS NULL' in text
    assert '"messaging_inboxitem"."customer_id" =' in text
    index = next(i for i in InboxItem._meta.indexes if i.name == "messaging_inbox_unread")
    assert index.fields == ["customer", "visible_at"]
    assert str(index.condition) == "(AND: ('read_at__isnull', True))"


@pytest.mark.postgres
def test_postgresql_counts_unread_through_the_partial_index(postgres, customer, store):
    _history(store, customer, read=300, unread=2)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE messaging_inboxitem")
        cursor.execute("SET enable_seqscan = off")
        try:
            query = InboxItem.objects.filter(customer=customer, read_at__isnull=True, visible_at__lte=timezone.now())
            plan = query.values_list("message__store__public_id").explain()
        finally:
            cursor.execute("RESET enable_seqscan")
    assert "messaging_inbox_unread" in plan, plan
    assert InboxItem.objects.unread_by_store(customer) == {store.public_id: 2}
