"""A kept connection is checked by its socket first (lib.postgresql): no `SELECT 1` while nothing happened,
and a connection the server ended is replaced before the request's first query."""

import time

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.postgres


@pytest.fixture
def checked(postgres):
    """The test's connection as a request finds it with CONN_HEALTH_CHECKS on, and a second one to watch it."""
    assert connection.settings_dict["ENGINE"] == "dangol.lib.postgresql"
    connection.ensure_connection()
    enabled = connection.health_check_enabled
    connection.health_check_enabled = True
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    try:
        with psycopg.connect(**params, autocommit=True) as admin:
            yield admin
    finally:
        connection.health_check_enabled = enabled


def _backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _last_query(admin, pid):
    return admin.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()[0]


def _next_request():
    connection.health_check_done = False  # as close_old_connections leaves it when a request starts
    connection.close_if_health_check_failed()


def test_a_quiet_connection_is_kept_without_asking_the_server(checked):
    pid = _backend_pid()
    _next_request()
    assert connection.health_check_done
    assert _last_query(checked, pid) == "SELECT pg_backend_pid()"  # no SELECT 1 was sent
    assert _backend_pid() == pid


def test_a_connection_the_server_ended_is_replaced_before_the_first_query(checked):
    pid = _backend_pid()
    checked.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while checked.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
        assert time.monotonic() < deadline, "the backend outlived pg_terminate_backend"
        time.sleep(0.02)
    _next_request()
    assert connection.connection is None  # closed by the check, not by a failed query
    assert _backend_pid() != pid


def test_a_connection_with_something_to_read_is_asked_and_kept_when_it_answers(checked):
    with connection.cursor() as cursor:
        cursor.execute("LISTEN dangol_check")
    pid = _backend_pid()
    checked.execute("NOTIFY dangol_check")
    deadline = time.monotonic() + 5
    while _last_query(checked, pid) != "SELECT 1":
        _next_request()
        assert time.monotonic() < deadline, "the check never asked the server"
        time.sleep(0.02)
    assert _backend_pid() == pid
    with connection.cursor() as cursor:
        cursor.execute("UNLISTEN dangol_check")
