"""Exactly-once under real concurrency, on PostgreSQL (threads, each with its own connection)."""

import pytest

from dangol.accounts.models import PhoneCode, SignInRefused
from dangol.channels.models import AlreadyFollowing, ConsentEvent, Follow
from dangol.lib.testing import run_together
from dangol.messaging.models import InboxItem, Message, MessageKind

pytestmark = pytest.mark.postgres


def test_twenty_simultaneous_follows_make_one_follow_and_one_consent_record(postgres, customer, store):
    results = run_together(20, lambda i: Follow.start(customer=customer, store=store, ads=True, night=False, via="web"))
    successes = [r for r in results if isinstance(r, tuple)]
    assert len(successes) == 1
    assert all(isinstance(r, AlreadyFollowing) for r in results if not isinstance(r, tuple))
    assert Follow.objects.count() == 1
    assert ConsentEvent.objects.filter(kind="collection", action="given").count() == 1


def test_simultaneous_consent_withdrawals_are_recorded_once(postgres, customer, store):
    follow, _ = Follow.start(customer=customer, store=store, ads=True, night=True, via="web")
    run_together(10, lambda i: Follow.objects.get(pk=follow.pk).set_consent(kind="ads", given=False, via="web"))
    assert ConsentEvent.objects.filter(kind="ads", action="withdrawn").count() == 1
    assert ConsentEvent.objects.filter(kind="night", action="withdrawn").count() == 1


def test_two_workers_delivering_one_message_fill_each_inbox_once(postgres, market, store, merchant):
    from dangol.accounts.models import User

    for n in range(200):
        user = User.objects.create_user(f"+82105000{n:04d}")
        Follow.start(customer=user, store=store, ads=True, night=True, via="web")
    message = Message.objects.create(store=store, kind=MessageKind.INFO, body="단골 여러분께")
    delivered = run_together(4, lambda i: Message.objects.get(pk=message.pk).deliver())
    assert sorted(delivered) == [0, 0, 0, 200]
    assert InboxItem.objects.filter(message=message).count() == 200
    message.refresh_from_db()
    assert message.recipient_count == 200


def test_one_sign_in_code_used_at_once_from_ten_phones_works_once(postgres):
    _record, code = PhoneCode.issue(phone="+821055550000", address=None)
    results = run_together(10, lambda i: PhoneCode.verify(phone="+821055550000", code=code))
    assert sum(isinstance(r, PhoneCode) for r in results) == 1
    assert sum(isinstance(r, SignInRefused) for r in results) == 9
