"""The task worker, made to last: it outlives database restarts and says it is alive on its own.

Runs django-tasks' database worker in a loop. A database error stops only the current round:
the worker closes its connections, waits (1, 2, 4 ... 30 s) and starts again. A thread writes
the heartbeat `worker:<id>` every few seconds, which /healthz reads and the scheduler uses to
give abandoned tasks of dead workers back to the queue.
"""

import logging
import os
import socket
import threading
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connections
from django_tasks_db.management.commands.db_worker import Worker

from dangol.core.health import beat

logger = logging.getLogger("dangol.worker")
BEAT_EVERY = 10
MAX_BACKOFF = 30


class Command(BaseCommand):
    help = "Run background tasks (django-tasks database queue); survives database restarts."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls when idle")
        parser.add_argument("--max-tasks", type=int, default=None, help="exit after this many tasks (tests)")

    def handle(self, *args, interval, max_tasks, **options):
        self.worker_id = f"{socket.gethostname()}-{os.getpid()}"[:64]
        self.stopping = threading.Event()
        threading.Thread(target=self.beat_forever, daemon=True, name="heartbeat").start()
        worker = Worker(
            queue_names=["default"],
            interval=interval,
            batch=False,
            backend_name="default",
            startup_delay=True,
            max_tasks=max_tasks,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        backoff = 1
        try:
            while worker.running:
                try:
                    worker.run()
                    break  # max_tasks reached
                except DatabaseError:
                    logger.warning("database unavailable; worker retries in %ss", backoff, exc_info=True)
                    close_old_connections()
                    connections.close_all()
                    time.sleep(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF)
                else:
                    backoff = 1
        finally:
            self.stopping.set()

    def beat_forever(self):
        while not self.stopping.is_set():
            try:
                beat(f"worker:{self.worker_id}")
            except DatabaseError:
                logger.warning("heartbeat not written: database unavailable")
            finally:
                connections.close_all()
            self.stopping.wait(BEAT_EVERY)
