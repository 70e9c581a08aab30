"""`make run`: migrate, load the demo market into an empty database, then run
the web server, the task worker and the scheduler until Ctrl+C."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PORT = os.environ.get("PORT", "8000")


def manage(*args):
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=True)


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangol.settings")
    os.environ.setdefault("DANGOL_DEBUG", "1")
    os.environ.setdefault("DANGOL_SITE_URL", f"http://localhost:{PORT}")
    (ROOT / "var").mkdir(exist_ok=True)
    manage("migrate", "--noinput", "-v", "0")
    manage("collectstatic", "--noinput", "-v", "0")
    manage("load_demo")
    manage("load_demo_fund")
    processes = [
        subprocess.Popen([PY, "manage.py", "runserver", f"0.0.0.0:{PORT}", "--noreload"], cwd=ROOT),
        subprocess.Popen([PY, "manage.py", "db_worker", "--interval", "1", "--no-reload"], cwd=ROOT),
        subprocess.Popen([PY, "manage.py", "scheduler"], cwd=ROOT),
    ]
    print(
        f"""
  단골 is running: http://localhost:{PORT}/
  Sign in with one of these numbers; the one-time code is printed here as [SMS to ...].
    손님 (customer)          010-2000-0001
    상인 (merchant)          010-1000-0001
    상인회 (market admin)    010-3000-0001
    운영진 (staff, /admin/)  010-9000-0001
  Health: http://localhost:{PORT}/healthz   API docs: http://localhost:{PORT}/api/v1/docs
  Ctrl+C stops the web server, the worker and the scheduler.
""",
        flush=True,
    )

    def stop(*_):
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in processes):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
    return max((p.returncode or 0) for p in processes)


if __name__ == "__main__":
    sys.exit(main())
