"""The session store and user look-up that every signed-in request goes through (fixed SQL)."""

import datetime as dt

from django.contrib.sessions.models import Session
from django.utils import timezone

from dangol.accounts.backends import PhoneCodeBackend
from dangol.core.sessions import SessionStore


def test_a_saved_session_is_read_back(db):
    saved = SessionStore()
    saved["_auth_user_id"] = "7"
    saved.save()
    assert SessionStore(saved.session_key).load() == {"_auth_user_id": "7"}


def test_an_expired_or_unknown_session_reads_as_empty_and_forgets_its_key(db):
    saved = SessionStore()
    saved["x"] = 1
    saved.save()
    Session.objects.filter(session_key=saved.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    expired = SessionStore(saved.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    unknown = SessionStore("x" * 32)
    assert unknown.load() == {} and unknown.session_key is None


def test_signing_out_anywhere_ends_the_session_everywhere(db):
    """Sessions live in the database: another process's store sees the deletion at once."""
    mine = SessionStore()
    mine["_auth_user_id"] = "7"
    mine.save()
    theirs = SessionStore(mine.session_key)
    mine.flush()
    assert theirs.load() == {}


def test_a_tampered_session_reads_as_empty(db):
    saved = SessionStore()
    saved["x"] = 1
    saved.save()
    Session.objects.filter(session_key=saved.session_key).update(session_data="not-signed")
    assert SessionStore(saved.session_key).load() == {}


def test_get_user_returns_the_whole_person_and_nobody_once_deactivated(customer):
    backend = PhoneCodeBackend()
    user = backend.get_user(customer.pk)
    assert (user.pk, user.phone, user.name, user.is_active) == (customer.pk, customer.phone, customer.name, True)
    assert user._state.adding is False and user._state.db == "default"
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    assert backend.get_user(customer.pk) is None
    assert backend.get_user(customer.pk + 1000) is None
