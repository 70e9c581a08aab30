"""Is Dangol working? Each part answers for itself, within a time limit.

- database: a fresh connection answers `SELECT 1` within DATABASE_TIMEOUT (a frozen server must not
  hang the probe, so PostgreSQL is asked over a new connection with connect and statement timeouts);
- worker and scheduler: each writes its own heartbeat row while it runs;
- queue: no task has waited to start for longer than QUEUE_STUCK_AFTER.
"""

import datetime as dt

import psycopg
from django.db import DatabaseError, connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import Heartbeat

DATABASE_TIMEOUT_SECONDS = 2
WORKER_STALE_AFTER = dt.timedelta(seconds=60)
SCHEDULER_STALE_AFTER = dt.timedelta(seconds=90)
QUEUE_STUCK_AFTER = dt.timedelta(minutes=5)


def _postgres_answers():
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params["connect_timeout"] = DATABASE_TIMEOUT_SECONDS
    params["options"] = f"-c statement_timeout={DATABASE_TIMEOUT_SECONDS * 1000}"
    with psycopg.connect(**params) as probe:
        probe.execute("SELECT 1")


def database_status():
    try:
        if connection.vendor == "postgresql":
            _postgres_answers()
        else:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
    except (DatabaseError, psycopg.Error, OSError) as error:
        return {"ok": False, "vendor": connection.vendor, "error": error.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def _beat(prefix, stale_after, now):
    beat = Heartbeat.objects.filter(name__startswith=prefix).order_by("-seen_at").first()
    if beat is None:
        return {"ok": False, "last_seen": None}
    return {"ok": now - beat.seen_at < stale_after, "last_seen": beat.seen_at.isoformat()}


def queue_status(now):
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY, run_after__lte=now).order_by("run_after")
    oldest = waiting.values_list("run_after", flat=True).first()
    if oldest is None:
        return {"ok": True, "waiting": 0, "oldest_wait_seconds": 0}
    wait = now - oldest
    return {
        "ok": wait < QUEUE_STUCK_AFTER,
        "waiting": waiting.count(),
        "oldest_wait_seconds": int(wait.total_seconds()),
    }


def health():
    """(ok, report): ok only when every part is."""
    now = timezone.now()
    report = {"database": database_status()}
    if report["database"]["ok"]:
        report["worker"] = _beat("worker:", WORKER_STALE_AFTER, now)
        report["scheduler"] = _beat("scheduler", SCHEDULER_STALE_AFTER, now)
        report["queue"] = queue_status(now)
    ok = all(part["ok"] for part in report.values())
    report["status"] = "ok" if ok else "failing"
    report["failing"] = [name for name, part in report.items() if isinstance(part, dict) and not part["ok"]]
    return ok, report


def beat(name):
    Heartbeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})
