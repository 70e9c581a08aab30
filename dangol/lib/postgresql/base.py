"""Django's PostgreSQL backend, whose per-request connection check asks the socket before the server.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every request that reuses a
connection: one more round trip on every request. Whatever makes a kept connection unusable reaches its
socket first. A server that restarts, is demoted in a failover, crashes or ends the session sends its
goodbye, a FIN or a reset; each leaves the socket readable, or hung up. An idle connection whose socket
has nothing waiting is answered as usable without asking; anything else (something to read, an error, a
transaction left open, a broken connection) gets Django's `SELECT 1`, which also reads whatever the server
sent. A host that vanished without a word leaves the socket silent either way: `SELECT 1` would wait for
it just as long as the request's own query does.
"""

import select

from django.db.backends.postgresql import base
from psycopg.pq import ConnStatus, TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def bound_cursor(self):
        """A cursor whose parameters the server binds (psycopg's own kind), for `lib.sql`'s fixed statements.

        Each of those sends the same text every time with a few parameters, so psycopg prepares it on the
        connection after its fifth run, and from then on the server neither parses nor plans it again and
        psycopg sends only the values (no query text made with them in Python). Django's other cursors bind on
        the client (`server_side_binding` stays off): their `__in` lists and bulk inserts can be longer than the
        65,535 parameters a statement may carry to the server.
        """
        self.close_if_health_check_failed()
        self.ensure_connection()
        connection = self.connection
        factory = connection.cursor_factory
        connection.cursor_factory = base.ServerBindingCursor
        try:
            return self.cursor()  # Django's own wrapping: errors, execute_wrapper, the queries tests count
        finally:
            connection.cursor_factory = factory

    def close_if_health_check_failed(self):
        if self.health_check_enabled and not self.health_check_done and self.connection is not None:
            if not self.pool and quiet(self.connection):
                self.health_check_done = True
                return
        super().close_if_health_check_failed()


def quiet(connection):
    """True when the psycopg connection is idle, unbroken, and its socket has nothing to read and no error."""
    pgconn = connection.pgconn
    if connection.broken or pgconn.status != ConnStatus.OK or pgconn.transaction_status != TransactionStatus.IDLE:
        return False
    poller = select.poll()
    poller.register(pgconn.socket, select.POLLIN | select.POLLPRI)  # POLLERR and POLLHUP are always reported
    return not poller.poll(0)
