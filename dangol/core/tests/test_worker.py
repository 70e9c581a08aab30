"""The worker outlives its database connection dropping (a restart, a failover) and goes on with the queue."""

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from psycopg import sql

ROOT = Path(__file__).resolve().parents[3]
pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _probe(name):
    return DBTaskResult.objects.create(
        task_path="dangol.core.tasks.queue_probe",
        args_kwargs={"args": [name], "kwargs": {}},
        backend_name="default",
        queue_name="default",
        run_after=timezone.now(),
    )


def _restart_for_the_worker(*, seconds):
    """What a database restart looks like from the worker: connections cut, new ones refused for a while."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    name = connection.settings_dict["NAME"]
    with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
        admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS false").format(sql.Identifier(name)))
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
                    [name, _own_backend_pid()],
                )
                time.sleep(0.1)
        finally:
            admin.execute(sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS true").format(sql.Identifier(name)))


def _own_backend_pid():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _wait_done(task, seconds=40):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        task.refresh_from_db()
        if task.status == TaskResultStatus.SUCCESSFUL:
            return True
        time.sleep(0.3)
    return False


@pytest.fixture
def worker(postgres):
    settings_dict = connection.settings_dict
    url = (
        f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD'] or ''}@{settings_dict['HOST']}:"
        f"{settings_dict['PORT']}/{settings_dict['NAME']}"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DANGOL_")}
    env.update(DATABASE_URL=url, DANGOL_DEBUG="1", PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def test_the_worker_reconnects_after_its_database_connections_are_cut(worker):
    first = _probe("before")
    assert _wait_done(first), "the worker never ran the first task"
    _restart_for_the_worker(seconds=4)
    second = _probe("after")
    assert _wait_done(second), "the worker did not come back after losing its connection"
    assert worker.poll() is None, "the worker process exited"
