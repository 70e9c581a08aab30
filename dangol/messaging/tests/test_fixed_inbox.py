"""The inbox's queries, built once per process (lib.sql.FixedQuery), answer exactly what the ORM answers."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from dangol.accounts.models import User
from dangol.lib.sql import MARKER_ID, MARKER_TIME, FixedQuery
from dangol.messaging.api import _ITEM_COLUMNS
from dangol.messaging.models import InboxItem, Message, MessageKind
from dangol.reports.models import Target


def _items(customer_id, now, limit):
    return (
        InboxItem.objects.for_customer(customer_id, now=now)
        .select_related(None)
        .values(*_ITEM_COLUMNS.values())[:limit]
    )


@pytest.fixture
def inboxes(store, other_store, customer, stranger):
    """Two customers with read, unread, held-for-morning and withheld items with buttons."""
    now = timezone.now()
    for n, (shop, person) in enumerate([(store, customer), (other_store, customer), (store, stranger)] * 4):
        message = Message.objects.create(
            store=shop,
            kind=MessageKind.AD,
            body=f"소식 {n}",
            buttons=[{"label": "보기", "url": f"https://example.com/{n}"}],
            status="sent",
            send_at=now,
            sent_at=now,
        )
        InboxItem.objects.create(
            message=message,
            customer=person,
            visible_at=now + dt.timedelta(hours=n - 6),  # the last ones are held until later
            read_at=now if n % 3 == 0 else None,
        )
        if n == 4:
            Target.objects.create(message=message, withheld=True, moderation="hidden")
    return now


def test_the_fixed_queries_answer_what_the_orm_answers(inboxes, customer, stranger):
    items, unread = (
        FixedQuery(_items, MARKER_ID, MARKER_TIME),
        FixedQuery(lambda c, now: InboxItem.objects.unread_counts(c, now=now), MARKER_ID, MARKER_TIME),
    )
    for person in (customer, stranger):
        for now in (inboxes, inboxes + dt.timedelta(hours=3), inboxes - dt.timedelta(days=1)):
            for limit in (1, 5, 50):
                assert items.dicts(person.pk, now, limit=limit) == list(_items(person.pk, now, limit))
            assert unread.pairs(person.pk, now) == InboxItem.objects.unread_by_store(person, now=now)
    sample = items.dicts(customer.pk, inboxes, limit=50)
    assert sample and isinstance(sample[0]["message__buttons"], list)  # JSON decoded as the ORM decodes it
    assert sample[0]["visible_at"].tzinfo is not None
    assert all(row["message__body"] != "소식 4" for row in sample)  # the withheld message stays out


def test_each_call_runs_the_sql_built_once(inboxes, customer, django_assert_num_queries):
    items = FixedQuery(_items, MARKER_ID, MARKER_TIME)
    items.dicts(customer.pk, inboxes, limit=50)
    built = items._compiled.copy()
    with django_assert_num_queries(1):
        items.dicts(customer.pk, inboxes, limit=50)
    assert items._compiled == built
    items.dicts(customer.pk, inboxes, limit=7)  # another shape is built once more
    assert len(items._compiled) == 2


def test_an_argument_that_would_change_the_sql_is_refused():
    with pytest.raises(ValueError, match="shape"):
        # None turns `customer_id = %s` into `IS NULL`: not a parameter, so it can't be swapped later.
        FixedQuery(lambda customer_id: InboxItem.objects.filter(customer_id=customer_id).values("id"), None).dicts(1)
    with pytest.raises(ValueError, match="marker of its own"):
        FixedQuery(lambda a, b: None, MARKER_ID, MARKER_ID)


@pytest.mark.postgres
def test_threads_share_the_built_sql_each_on_its_own_connection(postgres, store, customer):
    now = timezone.now()
    message = Message.objects.create(store=store, kind=MessageKind.INFO, body="소식", status="sent", send_at=now)
    InboxItem.objects.create(message=message, customer=customer, visible_at=now - dt.timedelta(minutes=1))
    others = [User.objects.create_user(f"+8210777700{n:02d}") for n in range(8)]
    items = FixedQuery(_items, MARKER_ID, MARKER_TIME)
    items.dicts(customer.pk, now, limit=50)
    answers, errors = {}, []

    def read(person):
        try:
            answers[person.pk] = len(items.dicts(person.pk, timezone.now(), limit=50))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=read, args=(p,)) for p in [customer, *others]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert answers == {customer.pk: 1, **{p.pk: 0 for p in others}}
