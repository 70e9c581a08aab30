"""lib.sql's fixed statements run in a cursor the server binds (lib.postgresql's `bound_cursor`): psycopg
prepares each on its connection after a few runs, and Django still wraps and counts them. Everything else
keeps Django's cursor, which binds on the client."""

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangol.accounts.models import User
from dangol.lib.sql import MARKER_ID, MARKER_TEXT, FixedQuery, FixedUpdate

pytestmark = pytest.mark.postgres

PERSON = FixedQuery(lambda pk: User.objects.filter(pk=pk)[:1], MARKER_ID)
RENAME = FixedUpdate(lambda pk, _name: User.objects.filter(pk=pk), {"name": MARKER_TEXT}, MARKER_ID, MARKER_TEXT)


def _prepared():
    """The statements prepared on this connection, as the server keeps them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_fixed_query_is_prepared_on_its_connection_after_a_few_runs(postgres, customer, merchant):
    before = set(_prepared())
    for _ in range(3):
        assert PERSON.first(customer.pk) == customer
    assert set(_prepared()) == before
    for _ in range(3):
        assert PERSON.first(merchant.pk) == merchant
    prepared = set(_prepared()) - before
    assert len(prepared) == 1 and '"accounts_user"' in next(iter(prepared)), prepared
    assert "$1" in next(iter(prepared))  # the server binds the argument
    # Still the same answers once prepared, for any argument.
    assert PERSON.first(customer.pk) == customer and PERSON.first(-1) is None


def test_a_fixed_update_is_prepared_too_and_counts_its_rows(postgres, customer):
    before = set(_prepared())
    for number in range(6):
        assert RENAME.run(customer.pk, f"단골 {number}") == 1
    assert RENAME.run(-1, "아무도") == 0
    customer.refresh_from_db()
    assert customer.name == "단골 5"
    assert [text for text in set(_prepared()) - before if text.startswith('UPDATE "accounts_user"')]


def test_django_still_sees_each_fixed_statement_and_the_rest_binds_on_the_client(postgres, customer):
    with CaptureQueriesContext(connection) as seen:
        PERSON.first(customer.pk)
    assert len(seen) == 1 and '"accounts_user"' in seen[0]["sql"]
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, psycopg.ClientCursor)  # the factory was put back
    with connection.bound_cursor() as cursor:
        assert not isinstance(cursor.cursor, psycopg.ClientCursor)


@pytest.mark.parametrize(("value", "threshold"), [(None, 5), ("0", None), ("1", 5)])
def test_prepared_statements_are_on_unless_turned_off_for_an_old_pooler(value, threshold):
    """DANGOL_DB_PREPARED=0 for PgBouncer before 1.21 in transaction pooling: nothing is prepared then."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {key: val for key, val in os.environ.items() if key != "DANGOL_DB_PREPARED"}
    env |= {"DATABASE_URL": "postgres://dangol@db.invalid:5432/dangol", "DJANGO_SETTINGS_MODULE": "dangol.settings"}
    if value is not None:
        env["DANGOL_DB_PREPARED"] = value
    code = "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default']['OPTIONS']))"
    done = subprocess.run(  # noqa: S603 - our own interpreter reading our settings
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout)["prepare_threshold"] == threshold
