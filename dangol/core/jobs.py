"""The site's own periodic job: prove that the task queue moves."""

from dangol.lib.periodic import periodic

from .tasks import worker_heartbeat


@periodic
def heartbeat(*, now):
    worker_heartbeat.enqueue()
    return 0
