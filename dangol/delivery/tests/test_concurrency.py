import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from dangol.accounts.models import User
from dangol.channels.models import Follow
from dangol.delivery.models import LEASE, Channel, ChannelChoice, Delivery, MessageCredit, State
from dangol.delivery.services import deliveries_send_due, push_deliver
from dangol.lib.testing import run_together
from dangol.messaging.services import message_send

from .conftest import Browser

pytestmark = pytest.mark.postgres


def _regulars(store, count, prefix):
    customers = [User.objects.create_user(f"+82105{prefix}{i:05d}") for i in range(count)]
    for customer in customers:
        Follow.start(customer=customer, store=store, ads=True, night=True, via="web")
    return customers


def test_two_workers_and_one_killed_mid_batch_push_each_message_exactly_once(postgres, store, merchant, push_service):
    customers = _regulars(store, 120, "1")
    for i, customer in enumerate(customers):
        Browser(push_service, f"b{i}").subscribe(customer)
    message_send(store=store, author=merchant, kind="info", body="마감 세일").deliver()
    assert Delivery.objects.filter(channel=Channel.PUSH).count() == 120

    now = timezone.now()
    # A worker claims 30 rows and dies before sending any of them.
    dead, _token = Delivery.objects.claim(channel=Channel.PUSH, now=now, limit=30)
    # Two live workers race over the rest, in small batches.
    run_together(2, lambda i: [deliveries_send_due(now=now, limit=10) for _ in range(12)])
    assert Delivery.objects.filter(state=State.SENT).count() == 90
    assert all(Delivery.objects.get(pk=row.pk).state == State.QUEUED for row in dead)
    # After the lease, the dead worker's rows are claimed again and sent.
    later = now + LEASE + dt.timedelta(seconds=1)
    run_together(2, lambda i: [deliveries_send_due(now=later, limit=10) for _ in range(3)])

    assert Delivery.objects.filter(state=State.SENT).count() == 120
    per_endpoint = Counter(r["path"] for r in push_service.requests)
    assert len(per_endpoint) == 120 and set(per_endpoint.values()) == {1}


def test_a_late_worker_whose_lease_ran_out_cannot_record_over_the_new_claim(postgres, store, merchant, push_service):
    [customer] = _regulars(store, 1, "2")
    Browser(push_service, "only").subscribe(customer)
    message_send(store=store, author=merchant, kind="info", body="마감 세일").deliver()
    now = timezone.now()
    rows, old_token = Delivery.objects.claim(channel=Channel.PUSH, now=now, limit=10)
    later = now + LEASE + dt.timedelta(seconds=1)
    deliveries_send_due(now=later)
    assert push_deliver(rows, old_token, now=later) == 0  # it neither sends nor records: the claim moved on
    assert Delivery.objects.get().state == State.SENT
    assert len(push_service.requests) == 1


def test_credit_is_drawn_exactly_once_per_sms_under_concurrency(postgres, store, merchant, market):
    customers = _regulars(store, 60, "3")
    for customer in customers:
        ChannelChoice.objects.create(customer=customer, store=store, channel="sms")
    MessageCredit.top_up(market=market, amount=20 * 45)  # enough for 45 of 60
    message_send(store=store, author=merchant, kind="info", body="마감 세일").deliver()

    now = timezone.now()
    run_together(4, lambda i: [deliveries_send_due(now=now, limit=5) for _ in range(6)])

    from dangol.accounts import sms

    assert len(sms.outbox) == 45
    assert len({m["to"] for m in sms.outbox}) == 45
    assert MessageCredit.objects.get(market=market).balance == 0
    assert Delivery.objects.filter(state=State.SENT, charged=20).count() == 45
    assert Delivery.objects.filter(state=State.FAILED, charged=0).count() == 15


def test_two_schedulers_ask_about_each_text_once_and_refund_a_failed_one_once(
    postgres, store, merchant, market, solapi
):
    from dangol.delivery.services import sms_reports_check

    customers = _regulars(store, 20, "4")
    for customer in customers:
        ChannelChoice.objects.create(customer=customer, store=store, channel="sms")
    MessageCredit.top_up(market=market, amount=20 * 20)
    message_send(store=store, author=merchant, kind="info", body="마감 세일").deliver()
    now = timezone.now()
    deliveries_send_due(now=now, limit=50)
    assert MessageCredit.objects.get(market=market).balance == 0
    rows = list(Delivery.objects.filter(state=State.SENT).order_by("pk"))
    for row in rows[:10]:
        solapi.statuses[row.answer["message_id"]] = "3059"

    later = now + dt.timedelta(minutes=2)
    run_together(2, lambda i: [sms_reports_check(now=later, limit=3) for _ in range(6)])

    asked = Counter(r["path"] for r in solapi.requests if r.get("method") == "GET")
    assert len(asked) == 20 and set(asked.values()) == {1}
    assert Delivery.objects.filter(state=State.FAILED, charged=0).count() == 10
    assert MessageCredit.objects.get(market=market).balance == 10 * 20
