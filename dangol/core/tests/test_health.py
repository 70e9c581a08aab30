"""/healthz says 200 only when every part works, and why not otherwise; a database outage is a 503, not a 500."""

import datetime as dt
import socket
import threading
import time

import pytest
import time_machine
from django.db import OperationalError, connection
from django.test import Client
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dangol.core.health import beat
from dangol.core.jobs import requeue_abandoned_tasks
from dangol.core.views import server_error


def _queued(*, at, worker=None):
    """A task row as the database queue holds it (tests run tasks immediately otherwise)."""
    task = DBTaskResult.objects.create(
        task_path="dangol.messaging.tasks.deliver_message",
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        queue_name="default",
        run_after=at,
    )
    if worker:
        task.claim(worker)
    return task


NOW = "2026-11-26 10:00 +0900"


def _everyone_beats():
    beat("worker:node1-100")
    beat("scheduler")


def test_health_is_503_and_says_why_when_no_worker_or_scheduler_ever_ran(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["failing"] == ["worker", "scheduler"]
    assert response["Retry-After"] == "10"


def test_health_is_200_when_every_part_reported(client, db):
    with time_machine.travel(NOW, tick=False):
        _everyone_beats()
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_a_worker_silent_for_a_minute_fails_the_check_on_its_own(client, db):
    with time_machine.travel(NOW, tick=False):
        _everyone_beats()
    with time_machine.travel("2026-11-26 10:01:05 +0900", tick=False):
        beat("scheduler")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"]


def test_a_queue_whose_oldest_task_waits_five_minutes_is_stuck(client, db):
    with time_machine.travel(NOW, tick=False):
        _queued(at=time_machine_now())
    with time_machine.travel("2026-11-26 10:06 +0900", tick=False):
        _everyone_beats()
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["queue"]
    assert response.json()["queue"]["waiting"] == 1


def test_the_scheduler_gives_a_dead_workers_task_back_but_not_a_live_ones(db):
    with time_machine.travel(NOW, tick=False):
        dead = _queued(at=time_machine_now(), worker="node1-dead")
        alive = _queued(at=time_machine_now(), worker="node1-alive")
        beat("worker:node1-dead")
    with time_machine.travel("2026-11-26 10:05 +0900", tick=False):
        beat("worker:node1-alive")
        assert requeue_abandoned_tasks(now=time_machine_now()) == 1
    assert DBTaskResult.objects.get(pk=dead.pk).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(pk=alive.pk).status == TaskResultStatus.RUNNING


def time_machine_now():
    from django.utils import timezone

    return timezone.now()


def test_a_database_error_during_a_request_is_a_503_with_retry_after(rf):
    for path, kind in (("/api/v1/inbox", "application/json"), ("/inbox/", "text/html")):
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            response = server_error(rf.get(path))
        assert response.status_code == 503
        assert response["Retry-After"] == "5"
        assert response["Content-Type"].startswith(kind)
        assert "잠시 후 다시 시도해 주세요" in response.content.decode()


def test_any_other_error_is_still_a_500(rf):
    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/api/v1/inbox"))
    assert response.status_code == 500


@pytest.fixture
def frozen_database(postgres):
    """A listener that accepts connections and never answers, standing in for a frozen PostgreSQL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted = []
    stop = threading.Event()

    def hold():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    saved = dict(connection.settings_dict)
    connection.settings_dict.update(HOST="127.0.0.1", PORT=listener.getsockname()[1])
    yield
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)
    stop.set()
    holder.join()  # out of accept() before the listener closes under it
    for sock in accepted:
        sock.close()
    listener.close()


@pytest.mark.postgres
def test_health_answers_within_seconds_when_the_database_freezes(frozen_database):
    started = time.monotonic()
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["ok"] is False
    assert time.monotonic() - started < 5


@pytest.mark.postgres
def test_a_page_and_the_api_answer_503_while_the_database_is_unreachable(postgres):
    saved = dict(connection.settings_dict)
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    port = dead.getsockname()[1]
    dead.close()  # nothing listens there now
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=port)
    try:
        browser = Client(raise_request_exception=False)
        api = browser.get("/api/v1/together/proposals")
        page = browser.get("/together/")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert (api.status_code, api["Retry-After"]) == (503, "5")
    assert api.json()["detail"].startswith("잠시 후 다시 시도해 주세요")
    assert page.status_code == 503
    assert "잠시 후 다시 시도해 주세요" in page.content.decode()


def test_health_reports_heartbeat_times(client, db):
    with time_machine.travel(NOW, tick=False):
        _everyone_beats()
        body = client.get("/healthz").json()
    assert body["worker"]["last_seen"] == dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.UTC).isoformat()
