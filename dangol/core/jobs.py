"""The site's own periodic jobs: the scheduler's heartbeat, and taking back tasks of workers that died."""

from django.db.models import Q
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from dangol.lib.periodic import periodic

from .health import WORKER_STALE_AFTER, beat
from .models import Heartbeat


@periodic
def scheduler_heartbeat(*, now):
    beat("scheduler")
    return 0


@periodic
def requeue_abandoned_tasks(*, now):
    """A task marked RUNNING by a worker whose heartbeat stopped goes back to the queue.

    The lease is the heartbeat: a live worker beats every few seconds, so a task whose worker has
    been silent for WORKER_STALE_AFTER was abandoned (the process was killed mid-task). Tasks must
    therefore be safe to run again; the conditional update means one scheduler takes each back.
    """
    alive = set(
        Heartbeat.objects.filter(name__startswith="worker:", seen_at__gte=now - WORKER_STALE_AFTER).values_list(
            "name", flat=True
        )
    )
    taken_back = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=now - WORKER_STALE_AFTER)
    for task in running.only("id", "worker_ids", "started_at"):
        worker = task.worker_ids[-1] if task.worker_ids else None
        if worker and f"worker:{worker}" in alive:
            continue
        taken_back += DBTaskResult.objects.filter(
            Q(pk=task.pk), status=TaskResultStatus.RUNNING, started_at=task.started_at
        ).update(status=TaskResultStatus.READY, started_at=None, run_after=now)
    return taken_back
