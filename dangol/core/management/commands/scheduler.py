import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from dangol.lib.periodic import periodic_jobs

logger = logging.getLogger("dangol.scheduler")


class Command(BaseCommand):
    help = "Run every app's periodic jobs (their jobs.py) on a loop: scheduled messages, reminders, closing, heartbeat."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=15.0, help="seconds between ticks")
        parser.add_argument("--once", action="store_true", help="run one tick and exit")

    def handle(self, *args, interval, once, **options):
        self.jobs = periodic_jobs()
        self.running = True
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        while self.running:
            self.tick()
            if once:
                break
            deadline = time.monotonic() + interval
            while self.running and time.monotonic() < deadline:
                time.sleep(0.5)
            close_old_connections()  # a restarted database gets a fresh connection next tick

    def tick(self):
        now = timezone.now()
        for name, job in self.jobs.items():
            try:
                done = job(now=now)
            except Exception:  # one failing job must stop neither the others nor the next tick
                logger.exception("periodic job %s failed", name)
                continue
            if done and (not isinstance(done, dict) or any(done.values())):
                logger.info("%s: %s", name, done)

    def _stop(self, signum, frame):
        self.running = False
