"""The database session store, read with one plain statement.

Every signed-in request loads its session. Django's store builds that SELECT through the ORM each time,
which costs more CPU than running it; this store sends the same statement as fixed SQL and keeps
everything else (saving, expiry, cycling keys, clearing) as Django has it. Sessions stay in the
database, so signing out in one process ends the session in every process at once.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def load(self):
        connection = connections[router.db_for_read(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",  # noqa: S608
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
