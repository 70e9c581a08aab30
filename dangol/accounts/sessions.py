"""The database session store: a request's session and its signed-in person read by one statement.

Every signed-in request loads its session, then its person. The store keeps the person's id in a
column of the session row (accounts.Session.user_id), so `load` reads both with one fixed statement
(a join to the active user), and PhoneCodeBackend.get_user takes the person from there instead of
asking again. Saving, expiry, cycling keys and clearing are Django's. Sessions stay in the database,
so signing out in one process ends the session in every process at once.
"""

import contextvars

from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core.signals import request_finished
from django.db import connections, router
from django.utils import timezone

from dangol.lib.sql import bound_cursor

# (user id, the active User or None) read with this request's session; cleared when the request ends.
_read_with_session = contextvars.ContextVar("read_with_session", default=None)
# Session data this process has verified (signed data -> its serialized payload): the same signed text
# verifies the same way every time, so a session read again skips its HMAC and base64 and is only parsed.
_verified = {}
MAX_VERIFIED = 4096


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        from .models import Session

        return Session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        session.user_id = int(user_id) if str(user_id or "").isdigit() else None
        return session

    def load(self):
        user_model = get_user_model()
        connection = connections[router.db_for_read(self.model)]
        sql, user_fields = _load_statement(connection, self.model, user_model)
        with bound_cursor(connection) as cursor:
            cursor.execute(sql, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            _read_with_session.set(None)
            self._session_key = None
            return {}
        data, user_id, user_row = row[0], row[1], row[2:]
        user = None if user_row[0] is None else user_model.from_db(connection.alias, user_fields, user_row)
        _read_with_session.set((user_id, user) if user_id is not None else None)
        return self.decode(data)

    def decode(self, session_data):
        payload = _verified.get(session_data)
        if payload is not None:
            return self.serializer().loads(payload)
        data = super().decode(session_data)
        if data:  # a bad signature decodes to {} and is checked again next time
            if len(_verified) >= MAX_VERIFIED:
                _verified.clear()
            _verified[session_data] = self.serializer().dumps(data)
        return data


def user_read_with_session(user_id):
    """(True, the active User or None) when this request's session read the person `user_id` names;
    (False, None) when it didn't, and the person must be looked up."""
    read = _read_with_session.get()
    if read is None or str(read[0]) != str(user_id):
        return False, None
    return True, read[1]


def forget_person_read(**_kwargs):
    """At the end of a request: its person is no longer what the next look-up on this thread may use."""
    _read_with_session.set(None)


request_finished.connect(forget_person_read, dispatch_uid="accounts.sessions.forget_person_read")

_STATEMENTS = {}


def _load_statement(connection, session_model, user_model):
    """The joined SELECT, and the user's attribute names in the order it reads them; built once."""
    key = (connection.alias, session_model, user_model)
    if key not in _STATEMENTS:
        quote = connection.ops.quote_name
        fields = user_model._meta.concrete_fields
        columns = ", ".join(f"u.{quote(field.column)}" for field in fields)
        sql = (
            f"SELECT s.session_data, s.user_id, {columns} FROM {quote(session_model._meta.db_table)} s"  # noqa: S608
            f" LEFT JOIN {quote(user_model._meta.db_table)} u"
            f" ON u.{quote(user_model._meta.pk.column)} = s.user_id AND u.is_active"
            " WHERE s.session_key = %s AND s.expire_date > %s"
        )
        _STATEMENTS[key] = (sql, [field.attname for field in fields])
    return _STATEMENTS[key]
