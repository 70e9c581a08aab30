"""Sign-in keeps nothing longer than a limit needs it: codes and the addresses they came from, throttle rows,
expired sessions; each tick takes a bounded batch."""

import datetime as dt

import time_machine
from django.utils import timezone

from dangol.accounts import jobs
from dangol.accounts.models import AddressThrottle, PhoneCode, PhoneThrottle, Session
from dangol.accounts.services import sign_in_code_send
from dangol.accounts.sessions import SessionStore
from dangol.lib.periodic import periodic_jobs


def test_the_scheduler_finds_the_clean_up_jobs():
    names = set(periodic_jobs())
    assert {"dangol.accounts.jobs.sign_in_records_purge", "dangol.accounts.jobs.expired_sessions_purge"} <= names


def test_codes_and_throttle_rows_go_once_no_limit_counts_them(db):
    with time_machine.travel("2026-11-26 10:00 +0900", tick=False):
        sign_in_code_send(phone="+821055550001", address="203.0.113.1")
    with time_machine.travel("2026-11-27 10:00 +0900", tick=False):
        sign_in_code_send(phone="+821055550002", address="203.0.113.2")
        assert jobs.sign_in_records_purge(now=timezone.now()) == {"codes": 0, "phones": 0, "addresses": 1}
    assert list(AddressThrottle.objects.values_list("address", flat=True)) == ["203.0.113.2"]
    with time_machine.travel("2026-11-27 11:01 +0900", tick=False):
        assert jobs.sign_in_records_purge(now=timezone.now()) == {"codes": 1, "phones": 1, "addresses": 1}
    assert list(PhoneCode.objects.values_list("phone", flat=True)) == ["+821055550002"]
    assert list(PhoneThrottle.objects.values_list("phone", flat=True)) == ["+821055550002"]
    assert not AddressThrottle.objects.exists()


def test_a_tick_deletes_a_bounded_batch(db, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH", 3)
    old = timezone.now() - dt.timedelta(days=3)
    PhoneCode.objects.bulk_create(
        PhoneCode(phone=f"+8210555500{n:02d}", digest="x", created_at=old, expires_at=old) for n in range(7)
    )
    counts = [jobs.sign_in_records_purge(now=timezone.now())["codes"] for _ in range(4)]
    assert counts == [3, 3, 1, 0]
    assert not PhoneCode.objects.exists()


def test_expired_sessions_go_in_batches_and_live_ones_stay(db, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH", 2)
    now = timezone.now()
    for n in range(3):
        Session.objects.create(session_key=f"expired{n}", session_data="", expire_date=now - dt.timedelta(seconds=1))
    live = SessionStore()
    live["x"] = 1
    live.create()
    assert jobs.expired_sessions_purge(now=now) == 2
    assert jobs.expired_sessions_purge(now=now) == 1
    assert jobs.expired_sessions_purge(now=now) == 0
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
