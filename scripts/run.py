"""`make run`: install what the system lacks, migrate, load the demo market into an empty database, then
run the web server (gunicorn), the task worker and the scheduler, restarting any that dies, until Ctrl+C."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent
PORT = os.environ.get("PORT", "8000")
RESTART_LIMIT = 5  # restarts per process within RESTART_WINDOW before giving up on it
RESTART_WINDOW = 60


def manage(*args):
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=True)


PROCESSES = {
    "web": [str(BIN / "gunicorn"), "dangol.wsgi", "-c", "deploy/gunicorn.conf.py"],
    "worker": [PY, "manage.py", "worker"],
    "scheduler": [PY, "manage.py", "scheduler"],
}


class Supervisor:
    """Keep each process running; a process that keeps dying is reported and left down."""

    def __init__(self):
        self.running = {}
        self.restarts = {name: [] for name in PROCESSES}
        self.stopping = False

    def start(self, name):
        self.running[name] = subprocess.Popen(PROCESSES[name], cwd=ROOT)

    def watch(self):
        for name, process in list(self.running.items()):
            if process.poll() is None or self.stopping:
                continue
            now = time.monotonic()
            recent = [t for t in self.restarts[name] if now - t < RESTART_WINDOW]
            self.restarts[name] = recent
            if len(recent) >= RESTART_LIMIT:
                print(f"[make run] {name} died {RESTART_LIMIT} times in a minute; left stopped.", flush=True)
                del self.running[name]
                continue
            print(f"[make run] {name} exited with {process.returncode}; restarting.", flush=True)
            time.sleep(min(2 ** len(recent), 10))
            self.restarts[name].append(now)
            self.start(name)

    def stop(self, *_):
        self.stopping = True
        for process in self.running.values():
            if process.poll() is None:
                process.terminate()
        for process in self.running.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangol.settings")
    os.environ.setdefault("DANGOL_DEBUG", "1")
    os.environ.setdefault("DANGOL_SITE_URL", f"http://localhost:{PORT}")
    os.environ["PORT"] = PORT
    (ROOT / "var").mkdir(exist_ok=True)
    manage("migrate", "--noinput", "-v", "0")
    manage("collectstatic", "--noinput", "-v", "0")
    manage("load_demo")
    manage("load_demo_fund")
    supervisor = Supervisor()
    for name in PROCESSES:
        supervisor.start(name)
    print(
        f"""
  단골 is running: http://localhost:{PORT}/
  Sign in with one of these numbers; the one-time code is printed here as [SMS to ...].
    손님 (customer)          010-2000-0001
    상인 (merchant)          010-1000-0001
    상인회 (market admin)    010-3000-0001
    운영진 (staff, /admin/)  010-9000-0001
  Health: http://localhost:{PORT}/healthz   API docs: http://localhost:{PORT}/api/v1/docs
  Ctrl+C stops the web server, the worker and the scheduler (each is restarted if it dies).
""",
        flush=True,
    )
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while supervisor.running:
            supervisor.watch()
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        supervisor.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
