from django.utils import timezone
from django_tasks import task

from .models import Heartbeat


@task()
def queue_probe(name):
    """A task that only proves the queue moves: it stamps `probe:<name>` when a worker runs it."""
    Heartbeat.objects.update_or_create(name=f"probe:{name}"[:50], defaults={"seen_at": timezone.now()})
