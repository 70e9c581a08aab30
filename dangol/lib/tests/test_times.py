"""Times read from PostgreSQL by psycopg's C loader (lib.sql.read_times_in_c) are the times Django's loader gave."""

import datetime as dt

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader

from dangol.lib.sql import _UtcTimestampLoader

pytestmark = pytest.mark.postgres

TIMES = (
    "SELECT '2026-01-02 03:04:05.123456+09'::timestamptz, '2026-07-01 00:00:00+00'::timestamptz,"
    " '1901-02-03 04:05:06.789012+00'::timestamptz, NULL::timestamptz, now()"
)


def test_a_utc_session_reads_times_with_psycopgs_own_loader(postgres):
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(connection.connection.adapters.types["timestamptz"].oid, 0)
    assert loader is _UtcTimestampLoader
    with connection.cursor() as cursor:
        cursor.execute(TIMES)
        fast = cursor.fetchone()
        djangos = connection.cursor()
        register_tzloader(connection.timezone, djangos.cursor)  # the loader Django would have used
        djangos.execute(TIMES.replace("now()", "%s"), [fast[4]])
        slow = djangos.fetchone()
    assert fast == slow
    assert fast[0] == dt.datetime(2026, 1, 1, 18, 4, 5, 123456, tzinfo=dt.UTC)
    assert [t.utcoffset() for t in fast if t is not None] == [dt.timedelta(0)] * 4
    assert fast[0].isoformat() == slow[0].isoformat() == "2026-01-01T18:04:05.123456+00:00"
    assert fast[3] is None


def test_a_model_time_comes_back_as_written(postgres, customer):
    written = dt.datetime(2026, 11, 27, 21, 30, 15, 654321, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    type(customer).objects.filter(pk=customer.pk).update(last_login=written)
    read = type(customer).objects.values_list("last_login", flat=True).get(pk=customer.pk)
    assert read == written and read.tzinfo == dt.UTC
