"""gunicorn settings for Dangol (used by `make run` and the systemd unit).

Synchronous workers, two per core: a worker takes a connection only when it is free, so requests wait
in one queue (the kernel's) and go to a worker that is free, one worker woken for each (see
dangol/core/web_worker.py). Threaded workers keep each
keep-alive connection on the worker that accepted it, and a worker that got more than its share
answers all of them late, behind one lock. See docs/architecture.md, "The request path", for the
figures. nginx buffers requests and answers in front of the workers, so a slow phone never holds one.
A request that waits on another service (a payment confirmation) holds its worker while it waits:
where many do, raise DANGOL_WEB_WORKERS. Everything can be overridden with GUNICORN_CMD_ARGS or the
env below; DANGOL_WEB_THREADS above 1 makes them threaded workers again.
"""

import gc
import multiprocessing
import os
import select

bind = os.environ.get("DANGOL_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("DANGOL_WEB_WORKERS", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("DANGOL_WEB_THREADS", 1))
# The synchronous worker woken one at a time (dangol/core/web_worker.py) where the kernel can (Linux's epoll);
# gunicorn's own elsewhere (a laptop running `make run`).
EXCLUSIVE = "dangol.core.web_worker.ExclusiveSyncWorker" if hasattr(select, "EPOLLEXCLUSIVE") else "sync"
worker_class = EXCLUSIVE if threads == 1 else "gthread"
# A request that takes longer is stuck and its worker is replaced. The longest honest request waits
# on the payment provider (DANGOL_TOSS_TIMEOUT_SECONDS, 30 s), and nginx gives up at 35 s.
timeout = 40
graceful_timeout = 20
keepalive = 5  # threaded workers only: synchronous workers close each connection after its answer
# Recycle workers now and then, spread out by the jitter. At a steady pace one worker answers nearly every request
# (dangol/core/web_worker.py), so it is the one that reaches this: at 200 a second, every 100 s. Replacing it cost
# about 0.6 s of CPU (0.1 s for the old one to exit, 0.5 s more over the new one's first 1,300 requests), and a
# worker's memory grew about 150 bytes a request.
max_requests = 20000
max_requests_jitter = 2000
preload_app = True  # import Django and the URL routes once, before forking
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = os.environ.get("DANGOL_TRUSTED_PROXIES") or "127.0.0.1,::1"
logger_class = "dangol.core.access_log.RedactingLogger"  # no tokens or payment keys in the access log


def pre_fork(server, worker):
    """Freeze what the preloaded app made (Django, the routes, the models: about 160,000 objects) out of
    the garbage collector's sight. It lives as long as the worker, and a full collection walking it paused
    a worker (and all its threads, when it has some) for 50-60 ms every so often; the children also stop writing to the
    pages they share with the master."""
    gc.collect()
    gc.freeze()


def when_ready(server):
    """A worker is woken only for a connection that has sent its request (dangol/core/web_worker.py). Imported
    here: the project is on sys.path only once gunicorn has read this file."""
    from dangol.core.web_worker import defer_accept

    defer_accept(server)
