"""The inbox's queries, built once per process (lib.sql.FixedQuery), answer exactly what the ORM answers."""

import contextlib
import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from dangol.accounts.models import User
from dangol.lib.sql import MARKER_ID, MARKER_TIME, FixedQuery
from dangol.messaging.api import inbox_items
from dangol.messaging.models import InboxItem, Message, MessageKind
from dangol.reports.models import Target


@contextlib.contextmanager
def django_queries():
    """The SQL statements run inside the block."""
    seen = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


_items = inbox_items  # the inbox API's queryset, as the ORM runs it


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


def test_model_instances_come_back_as_the_orm_builds_them_with_their_related_rows(inboxes, customer, store):
    def build(customer_id, now):
        return InboxItem.objects.for_customer(customer_id, now=now).select_related("message__store")[:3]

    fixed = FixedQuery(build, MARKER_ID, MARKER_TIME).instances(customer.pk, inboxes)
    orm = list(build(customer.pk, inboxes))
    assert [item.pk for item in fixed] == [item.pk for item in orm] and len(fixed) == 3
    for mine, theirs in zip(fixed, orm, strict=True):
        assert (mine.visible_at, mine.read_at, mine.customer_id) == (
            theirs.visible_at,
            theirs.read_at,
            theirs.customer_id,
        )
        assert mine.message.buttons == theirs.message.buttons and mine.message.store.name == theirs.message.store.name
        assert mine._state.adding is False and mine._state.db == "default"
    with django_queries() as counted:
        assert fixed[0].message.store.market_id == orm[0].message.store.market_id  # no extra query: selected
    assert counted == []
    assert FixedQuery(build, MARKER_ID, MARKER_TIME).first(customer.pk + 999, inboxes) is None


def test_values_querysets_have_no_instances(inboxes, customer):
    with pytest.raises(TypeError):
        FixedQuery(_items, MARKER_ID, MARKER_TIME).instances(customer.pk, inboxes, limit=1)
