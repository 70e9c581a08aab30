import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from dangol.channels.services import consent_reminders_send
from dangol.lib.tasks import worker_heartbeat
from dangol.messaging.services import messages_deliver_due
from dangol.together.services import together_close_due

logger = logging.getLogger("dangol.scheduler")


class Command(BaseCommand):
    help = (
        "Run periodic jobs: due scheduled messages, two-year consent reminders, closing Together proposals"
        " and boxes, the worker heartbeat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=15.0, help="seconds between ticks")
        parser.add_argument("--once", action="store_true", help="run one tick and exit")

    def handle(self, *args, interval, once, **options):
        self.running = True
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        while self.running:
            try:
                self.tick()
            except Exception:  # one bad tick must not stop the next
                logger.exception("scheduler tick failed")
            if once:
                break
            deadline = time.monotonic() + interval
            while self.running and time.monotonic() < deadline:
                time.sleep(0.5)
            close_old_connections()  # a restarted database gets a fresh connection next tick

    def tick(self):
        queued = messages_deliver_due()
        if queued:
            logger.info("queued %d scheduled message(s)", queued)
        reminded = consent_reminders_send(now=timezone.now())
        if reminded:
            logger.info("sent %d two-year consent reminder(s)", reminded)
        closed = together_close_due()
        if any(closed.values()):
            logger.info("together: %s", closed)
        worker_heartbeat.enqueue()

    def _stop(self, signum, frame):
        self.running = False
