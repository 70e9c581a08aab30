import datetime as dt

import time_machine

from dangol.core.models import Heartbeat
from dangol.core.tasks import worker_heartbeat


def test_health_reports_the_database_and_a_missing_worker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["worker"] == {"ok": False, "last_seen": None}
    assert body["status"] == "degraded"


def test_health_reports_a_worker_that_ran_a_task(client, db):
    with time_machine.travel("2026-11-26 10:00 +0900", tick=False):
        worker_heartbeat.enqueue()
        assert client.get("/healthz").json()["status"] == "ok"
    with time_machine.travel("2026-11-26 10:03 +0900", tick=False):
        assert client.get("/healthz").json()["worker"]["ok"] is False
    assert Heartbeat.objects.get().seen_at == dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.UTC)


def test_large_text_mode_is_remembered(client, db):
    response = client.post("/text-size/", {"large": "1", "next": "/markets/"})
    assert response["Location"] == "/markets/"
    assert 'class="large-text"' in client.get("/markets/").content.decode()
    response = client.post("/text-size/", {"large": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"
