from django.utils import timezone
from django_tasks import task

from .models import Heartbeat


@task()
def worker_heartbeat():
    """Enqueued by the scheduler, run by the worker: proves the queue moves."""
    Heartbeat.objects.update_or_create(name="worker", defaults={"seen_at": timezone.now()})
