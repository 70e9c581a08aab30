"""The session store and user look-up that every signed-in request goes through (one fixed statement)."""

import datetime as dt
from importlib import import_module
from types import SimpleNamespace

from django.apps import apps
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangol.accounts.backends import PhoneCodeBackend
from dangol.accounts.models import Session, User
from dangol.accounts.sessions import SessionStore, forget_person_read


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


def test_a_session_read_again_is_verified_once_and_each_read_gets_its_own_data(db, monkeypatch):
    saved = SessionStore()
    saved["cart"] = {"items": [1]}
    saved.save()
    data = Session.objects.get(session_key=saved.session_key).session_data
    checks = []
    verify = signing.loads
    monkeypatch.setattr(signing, "loads", lambda *a, **k: checks.append(1) or verify(*a, **k))
    first = SessionStore(saved.session_key).load()
    first["cart"]["items"].append(2)  # a request changing its copy changes no other request's
    again = SessionStore(saved.session_key).load()
    assert again == {"cart": {"items": [1]}}
    assert len(checks) == 1
    # Data that differs by one character from what was verified is verified, and fails.
    tampered = data[:-1] + ("A" if data[-1] != "A" else "B")
    Session.objects.filter(session_key=saved.session_key).update(session_data=tampered)
    assert SessionStore(saved.session_key).load() == {}
    assert len(checks) == 2


def test_get_user_returns_the_whole_person_and_nobody_once_deactivated(customer):
    backend = PhoneCodeBackend()
    user = backend.get_user(customer.pk)
    assert (user.pk, user.phone, user.name, user.is_active) == (customer.pk, customer.phone, customer.name, True)
    assert user._state.adding is False and user._state.db == "default"
    customer.is_active = False
    customer.save(update_fields=["is_active"])
    assert backend.get_user(customer.pk) is None
    assert backend.get_user(customer.pk + 1000) is None


def test_a_signed_in_session_keeps_its_persons_id_beside_its_data(client, customer):
    client.force_login(customer)
    assert Session.objects.get(session_key=client.session.session_key).user_id == customer.pk
    anonymous = SessionStore()
    anonymous["x"] = 1
    anonymous.save()
    assert Session.objects.get(session_key=anonymous.session_key).user_id is None


def test_a_signed_in_request_reads_its_session_and_person_with_one_statement(
    client, customer, django_assert_num_queries
):
    client.force_login(customer)
    with CaptureQueriesContext(connection) as seen:
        response = client.get("/api/v1/inbox")
    assert response.status_code == 200
    reads = [q["sql"] for q in seen.captured_queries]
    assert sum("accounts_session" in sql for sql in reads) == 1
    assert not any(sql.startswith("SELECT") and "FROM accounts_user" in sql for sql in reads), reads


def test_the_person_read_with_the_session_is_the_active_person_and_only_for_its_request(client, customer):
    assert receivers_of_request_finished_include(forget_person_read)
    client.force_login(customer)
    store = SessionStore(client.session.session_key)
    store.load()
    assert PhoneCodeBackend().get_user(customer.pk).pk == customer.pk
    forget_person_read()  # as at the end of a request: the next look-up asks the database
    User.objects.filter(pk=customer.pk).update(is_active=False)
    assert PhoneCodeBackend().get_user(customer.pk) is None
    store.load()  # read with a deactivated person: nobody
    assert PhoneCodeBackend().get_user(customer.pk) is None
    assert client.get("/api/v1/inbox").status_code == 401


def test_sessions_in_djangos_table_are_carried_over_with_their_person(db, customer):
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore

    carry = import_module("dangol.accounts.migrations.0004_sessions_with_their_person").carry_sessions_over
    signed_in, anonymous = DjangoStore(), DjangoStore()
    signed_in["_auth_user_id"] = str(customer.pk)
    signed_in.create()
    anonymous["x"] = 1
    anonymous.create()
    carry(apps, SimpleNamespace(connection=connection))  # all it asks of the schema editor is its connection
    carried = dict(Session.objects.values_list("session_key", "user_id"))
    assert carried == {signed_in.session_key: customer.pk, anonymous.session_key: None}
    assert SessionStore(signed_in.session_key).load() == {"_auth_user_id": str(customer.pk)}


def receivers_of_request_finished_include(function):
    from django.core.signals import request_finished

    return any(receiver() is function for _key, receiver, *_rest in request_finished.receivers)
