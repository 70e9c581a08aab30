"""deploy/gunicorn.conf.py: what the production web server does beyond gunicorn's defaults."""

import gc
import runpy
from pathlib import Path

CONF = Path(__file__).resolve().parents[3] / "deploy" / "gunicorn.conf.py"


def test_the_preloaded_app_is_frozen_out_of_the_collectors_sight_before_each_fork():
    conf = runpy.run_path(str(CONF))
    assert conf["preload_app"] is True  # the app is loaded in the master, so there is something to freeze
    gc.unfreeze()
    try:
        conf["pre_fork"](None, None)
        frozen = gc.get_freeze_count()
        # Django, the routes and the models in this process: the objects a full collection would walk.
        assert frozen > 50_000, frozen
        assert gc.get_count()[2] == 0
    finally:
        gc.unfreeze()


def _conf(monkeypatch, **env):
    for name in ("DANGOL_WEB_WORKERS", "DANGOL_WEB_THREADS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONF))


def test_synchronous_workers_woken_one_at_a_time_two_per_core_unless_threads_are_asked_for(monkeypatch):
    import multiprocessing

    conf = _conf(monkeypatch)
    assert (conf["worker_class"], conf["threads"]) == ("dangol.core.web_worker.ExclusiveSyncWorker", 1)
    assert conf["workers"] == 2 * multiprocessing.cpu_count()
    conf = _conf(monkeypatch, DANGOL_WEB_WORKERS="3", DANGOL_WEB_THREADS="4")
    assert (conf["worker_class"], conf["workers"], conf["threads"]) == ("gthread", 3, 4)


def test_gunicorns_own_synchronous_worker_where_epoll_cannot_wake_one_waiter(monkeypatch):
    import select

    monkeypatch.delattr(select, "EPOLLEXCLUSIVE", raising=False)  # macOS, or a Linux before 4.5
    assert _conf(monkeypatch)["worker_class"] == "sync"


def test_the_payment_providers_timeout_ends_before_nginx_or_gunicorn_gives_up(monkeypatch, settings):
    """The provider's timeout ends first, then nginx's wait for an answer, then gunicorn's patience with a
    worker: a confirmation that waits its whole timeout is answered by Dangol, not cut off or killed."""
    import re

    conf = _conf(monkeypatch)
    nginx = (CONF.parent / "nginx" / "dangol.conf").read_text()
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", nginx).group(1))
    assert settings.TOSS_TIMEOUT_SECONDS < read_timeout < conf["timeout"]
    assert "keepalive" not in re.search(r"upstream dangol \{[^}]*\}", nginx).group(0)


def test_nginx_leaves_the_access_log_to_gunicorns_redacting_logger():
    """Addresses carry tokens (opt-out links, invitations, payment keys): only the redacted log keeps lines."""
    import re

    conf = runpy.run_path(str(CONF))
    assert conf["logger_class"] == "dangol.core.access_log.RedactingLogger" and conf["accesslog"]
    nginx = (CONF.parent / "nginx" / "dangol.conf").read_text()
    redirect = re.search(r"server \{\s*listen 80;[^}]*\}", nginx).group(0)
    proxied = re.search(r"location / \{[^}]*\}", nginx).group(0)
    assert "access_log off;" in redirect and "access_log off;" in proxied
