"""gunicorn settings for Dangol (used by `make run` and the systemd unit).

Two cores: three synchronous workers with four threads each keep requests moving while one
waits on the database. Everything can be overridden with GUNICORN_CMD_ARGS or the env below.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("DANGOL_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("DANGOL_WEB_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("DANGOL_WEB_THREADS", 4))
worker_class = "gthread"
timeout = 30  # a request that takes longer is stuck; its worker is replaced
graceful_timeout = 20
keepalive = 5
max_requests = 5000  # recycle workers now and then, spread out by the jitter
max_requests_jitter = 500
preload_app = True  # import Django and the URL routes once, before forking
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
forwarded_allow_ips = os.environ.get("DANGOL_TRUSTED_PROXIES") or "127.0.0.1,::1"
logger_class = "dangol.core.access_log.RedactingLogger"  # no tokens or payment keys in the access log


def pre_fork(server, worker):
    """Freeze what the preloaded app made (Django, the routes, the models: about 160,000 objects) out of
    the garbage collector's sight. It lives as long as the worker, and a full collection walking it paused
    a worker and all its threads for 50-60 ms every so often; the children also stop writing to the
    pages they share with the master."""
    gc.collect()
    gc.freeze()
