#!/usr/bin/env python3
"""Failover test: losing the PostgreSQL primary loses no acknowledged write.

Run as root from the repository (make failover-test, or: .venv/bin/python scripts/failover_test.py).
Loopback only, ports PORT_BASE..PORT_BASE+6 (default 25400..25406), everything in one temp directory:

 1. a one-node etcd (deploy/etcd/etcd.yml) and two Patroni nodes (deploy/patroni/dangol-a.yml and
    dangol-b.yml, addresses, directories and pg_hba changed for loopback) managing PostgreSQL 15 with
    synchronous_mode; wait for a leader and a synchronous standby;
 2. create the dangol database, migrate, seed a market, stores with a first-come campaign each, an
    open fundraising box and signed-in customers (scripts/failover/seed.py);
 3. Dangol under gunicorn, DATABASE_URL naming both nodes with target_session_attrs=read-write
    (through scripts/failover/settings.py, since dj-database-url refuses that form);
 4. client threads POST follows, coupon claims and donations through the JSON API with the customers'
    sessions, logging every acknowledged (2xx) write with its id;
 5. kill -9 the leader's postmaster; Patroni promotes the synchronous standby; the client keeps writing;
 6. check every acknowledged write on the new primary, and report lost writes, seconds until writes
    succeed again and the errors clients saw, as a table and as JSON (--report).

Exit 0: no acknowledged write lost; 1: some were lost (or, with --strict, the 10 s / no-500 goals
missed); 2: a tool is missing or the cluster did not come up. Everything started is stopped by process
id on the way out, whatever happens. This script installs nothing: it says what to install.
"""

import argparse
import atexit
import collections
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_PY = ROOT / ".venv" / "bin" / "python"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PATRONI = os.environ.get("PATRONI_BIN") or shutil.which("patroni") or "patroni"
ETCD = os.environ.get("ETCD_BIN") or shutil.which("etcd") or "etcd"
NODES = ("dangol-a", "dangol-b")
SETTINGS = "scripts.failover.settings"
INSTALL_HINT = """\
Install on Debian 12 (as root):
  apt-get update && apt-get install -y --no-install-recommends patroni etcd-server postgresql-15
or Patroni from PyPI into its own venv, then PATRONI_BIN=/tmp/patroni/bin/patroni:
  /usr/bin/python3 -m venv /tmp/patroni && /tmp/patroni/bin/pip install 'patroni[etcd3]' psycopg2-binary
Other places: PG_BIN=/path/to/postgresql/15/bin, ETCD_BIN=/path/to/etcd.
Dangol's own: make install (.venv with gunicorn)."""


def log(message):
    print(f"[failover {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Stop(Exception):
    """The cluster or the app did not come up: exit 2 with this reason."""


# --- processes: everything started is remembered by pid and stopped on the way out -----------------


class Processes:
    def __init__(self):
        self.started = []  # (name, Popen), in start order
        self.postmaster_pid_files = []  # postgres is started by Patroni in a session of its own

    def start(self, name, argv, *, log_path, user=None, env=None, cwd=None):
        out = open(log_path, "ab")
        kwargs = {"user": user, "group": user, "extra_groups": []} if user else {}
        process = subprocess.Popen(
            [str(a) for a in argv],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,  # its own process group: stopping it stops its children only
            **kwargs,
        )
        out.close()
        self.started.append((name, process))
        log(f"started {name} (pid {process.pid}), log {log_path}")
        return process

    def stop_all(self):
        for name, process in reversed(self.started):
            _stop_group(name, process.pid, wait=process.wait, timeout=25 if name.startswith("patroni") else 10)
        for pid_file in self.postmaster_pid_files:
            pid = _postmaster_pid(pid_file)
            if pid and _is_postgres(pid):
                log(f"stopping the postmaster left by Patroni (pid {pid})")
                _stop_pid(pid, timeout=10)
        self.started.clear()
        self.postmaster_pid_files.clear()


def _stop_group(name, pid, *, wait, timeout):
    try:
        os.killpg(pid, signal.SIGTERM)  # the group we created with start_new_session (pgid == pid)
    except ProcessLookupError:
        pass
    try:
        wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        log(f"{name} (pid {pid}) did not stop in {timeout}s: SIGKILL")
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        wait()
    try:  # whatever of its group outlived it (gunicorn workers, etcd helpers)
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _stop_pid(pid, *, timeout):
    try:
        os.kill(pid, signal.SIGINT)  # postgres: fast shutdown
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Path(f"/proc/{pid}").exists():
            return
        time.sleep(0.2)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _postmaster_pid(pid_file):
    try:
        return int(Path(pid_file).read_text().split("\n", 1)[0])
    except (OSError, ValueError):
        return None


def _is_postgres(pid):
    try:
        return b"postgres" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


# --- checks and configuration -----------------------------------------------------------------------


def check_tools():
    missing = []
    if os.geteuid() != 0:
        missing.append("root (PostgreSQL runs as the postgres user; run this as root)")
    for tool in (PATRONI, ETCD):
        if not (shutil.which(tool) or Path(tool).is_file()):
            missing.append(tool)
    for tool in ("postgres", "initdb", "pg_ctl", "pg_basebackup", "pg_rewind", "psql", "pg_controldata"):
        if not (PG_BIN / tool).is_file():
            missing.append(str(PG_BIN / tool))
    if (PG_BIN / "postgres").is_file():
        version = subprocess.run([PG_BIN / "postgres", "--version"], capture_output=True, text=True).stdout
        if " 15." not in version:
            missing.append(f"PostgreSQL 15 (found {version.strip()})")
    for path in (VENV_PY, GUNICORN):
        if not path.is_file():
            missing.append(str(path))
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        missing.append("a postgres user (comes with the postgresql-15 package)")
    if not missing:  # Patroni runs as postgres: a venv under /root (pyenv's python) is out of its reach
        probe = subprocess.run(
            [shutil.which(PATRONI) or PATRONI, "--version"], capture_output=True, user="postgres", group="postgres"
        )
        if probe.returncode:
            missing.append(f"{PATRONI} runnable by the postgres user (a venv made with /usr/bin/python3 is)")
    if missing:
        print("failover test: missing " + ", ".join(missing) + "\n" + INSTALL_HINT, file=sys.stderr)
        sys.exit(2)


def check_ports(ports):
    busy = []
    for port in ports:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                busy.append(port)
    if busy:
        raise Stop(f"ports in use on 127.0.0.1: {busy}; choose others with --port-base")


def load_yaml(path):
    try:
        import yaml
    except ImportError:  # Patroni's own interpreter always has PyYAML
        interpreter = Path(shutil.which(PATRONI) or PATRONI).read_text(errors="replace").split("\n", 1)[0][2:].strip()
        code = "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"
        return json.loads(
            subprocess.run([*interpreter.split(), "-c", code, path], capture_output=True, check=True).stdout
        )
    with open(path) as f:
        return yaml.safe_load(f)


def etcd_config(tmp, ports):
    config = load_yaml(ROOT / "deploy" / "etcd" / "etcd.yml")
    client, peer = f"http://127.0.0.1:{ports['etcd']}", f"http://127.0.0.1:{ports['etcd_peer']}"
    config.update(
        {
            "data-dir": str(tmp / "etcd"),
            "listen-client-urls": client,
            "advertise-client-urls": client,
            "listen-peer-urls": peer,
            "initial-advertise-peer-urls": peer,
            "initial-cluster": f"{config['name']}={peer}",
        }
    )
    path = tmp / "etcd.yml"
    path.write_text(json.dumps(config, indent=2))  # JSON is YAML
    return path


def patroni_config(tmp, ports, node, scope, *, sync_strict=None):
    config = load_yaml(ROOT / "deploy" / "patroni" / f"{node}.yml")
    home = tmp / node
    hba = [
        "local all all trust",
        "host replication replicator 127.0.0.1/32 trust",
        "host all all 127.0.0.1/32 trust",
    ]
    config["scope"] = scope
    config["restapi"] = {
        "listen": f"127.0.0.1:{ports[node + '_rest']}",
        "connect_address": f"127.0.0.1:{ports[node + '_rest']}",
    }
    config["etcd3"] = {"hosts": [f"127.0.0.1:{ports['etcd']}"]}
    config["bootstrap"]["pg_hba"] = hba
    pg = config["postgresql"]
    pg.update(
        {
            "listen": f"127.0.0.1:{ports[node]}",
            "connect_address": f"127.0.0.1:{ports[node]}",
            "data_dir": str(home / "data"),
            "bin_dir": str(PG_BIN),
            "pgpass": str(home / "pgpass"),
            "pg_hba": hba,
        }
    )
    pg["parameters"] = {**pg.get("parameters", {}), "unix_socket_directories": str(home)}
    for role in ("superuser", "replication"):  # loopback and trust: the password is never checked
        pg["authentication"][role]["password"] = "failover-test"  # noqa: S105
    if sync_strict is not None:
        config["bootstrap"]["dcs"]["synchronous_mode_strict"] = sync_strict
    config["watchdog"] = {"mode": "off"}  # no /dev/watchdog here
    config["log"] = {"level": "INFO", "format": "%(asctime)s %(levelname)s: %(message)s"}
    home.mkdir()
    path = tmp / f"{node}.yml"
    path.write_text(json.dumps(config, indent=2))
    return path, home / "data" / "postmaster.pid"


# --- HTTP on loopback, never through a proxy ---------------------------------------------------------

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get_json(url, timeout=2.0):
    with OPENER.open(url, timeout=timeout) as response:
        return json.loads(response.read())


def cluster(ports):
    """Patroni's view: {name: (role, state)}, from whichever REST API answers."""
    for node in NODES:
        try:
            members = get_json(f"http://127.0.0.1:{ports[node + '_rest']}/cluster", timeout=1.0)["members"]
            return {m["name"]: (m.get("role"), m.get("state")) for m in members}
        except (OSError, ValueError, KeyError):
            continue
    return {}


def leader_and_sync(view):
    leader = next((n for n, (role, state) in view.items() if role == "leader" and state == "running"), None)
    sync = next(
        (n for n, (role, state) in view.items() if role == "sync_standby" and state in ("streaming", "running")), None
    )
    return leader, sync


def wait_for(what, check, timeout, interval=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise Stop(f"timed out after {timeout}s waiting for {what}")


# --- the writing client ------------------------------------------------------------------------------


def _exception(body):
    """What Django's debug 500 page names as the exception (its HTML title, or the plain-text line)."""
    title = re.search(r"<title>\s*(.*?)\s*</title>", body, re.S)
    if title:
        value = re.search(r'<pre class="exception_value">(.*?)</pre>', body, re.S)
        found = re.split(r"\s+at\s+", title.group(1))[0] + (": " + html.unescape(value.group(1)) if value else "")
        return " ".join(found.split())[:200]
    line = re.search(r"^([\w.]*(?:Error|Exception|Refused)\b.*)$", body, re.M)
    return line.group(1)[:200] if line else None


class Client:
    """Threads POSTing follows, claims and donations with the seeded customers' sessions."""

    def __init__(self, base, seed, *, threads, max_writes):
        self.base, self.seed = base, seed
        self.threads, self.max_writes = threads, max_writes
        self.results = []  # one dict per request
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.csrf = secrets.token_hex(16)  # 32 characters, as Django's own tokens

    def plan(self, customer_index):
        """This customer's writes, in order: follow store j, claim its campaign, give to the box."""
        for store, campaign in zip(self.seed["stores"], self.seed["campaigns"], strict=True):
            yield "follow", f"/api/v1/stores/{store}/follow", {"collection": True}, store
            yield "claim", f"/api/v1/campaigns/{campaign}/claim", None, store
            yield "donation", f"/api/v1/together/boxes/{self.seed['box']}/donations", {"amount": 1000}, store

    def post(self, customer, op, path, body, store):
        seed = self.seed
        headers = {
            "Content-Type": "application/json",
            "Cookie": f"{seed['session_cookie']}={customer['session']}; {seed['csrf_cookie']}={self.csrf}",
            seed["csrf_header"]: self.csrf,
            "Referer": self.base + "/",
            # as a reverse proxy on 127.0.0.1 would pass it: each customer has an address of their own
            "X-Forwarded-For": customer["address"],
        }
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.base + path, data=json.dumps(body or {}).encode(), headers=headers, method="POST"
        )
        record = {"op": op, "customer": customer["id"], "store": store, "start": time.monotonic()}
        try:
            with OPENER.open(request, timeout=15) as response:
                record["status"] = response.status
                payload = json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            record["status"] = error.code
            record["content_type"] = error.headers.get("Content-Type", "")
            record["retry_after"] = error.headers.get("Retry-After")
            body = error.read(500_000).decode(errors="replace")
            record["body"], record["exception"] = body[:300], _exception(body)
            payload = None
        except (OSError, ValueError) as error:  # refused, reset, timed out
            record["status"] = "no-answer"
            record["body"] = repr(error)[:200]
            payload = None
        record["end"] = time.monotonic()
        if payload is not None:
            if op == "claim":
                record["id"] = (payload.get("coupon") or {}).get("id")
            elif op == "donation":
                record["id"] = payload.get("id")
            else:
                record["id"] = f"{customer['id']}:{store}"
        return record

    def run_thread(self, index):
        customers = self.seed["customers"][index :: self.threads]
        for customer in customers:
            for op, path, body, store in self.plan(customer):
                if self.stop.is_set():
                    return
                with self.lock:
                    if len(self.results) >= self.max_writes:
                        self.stop.set()
                        return
                record = self.post(customer, op, path, body, store)
                with self.lock:
                    self.results.append(record)
                if not isinstance(record["status"], int) or record["status"] >= 500:
                    time.sleep(0.2)  # a real client backs off a little on errors

    def start(self):
        self.workers = [threading.Thread(target=self.run_thread, args=(i,), daemon=True) for i in range(self.threads)]
        for n, customer in enumerate(self.seed["customers"]):
            customer["address"] = f"10.77.{n // 250}.{n % 250 + 1}"
        for worker in self.workers:
            worker.start()

    def finish(self):
        self.stop.set()
        for worker in self.workers:
            worker.join(timeout=20)

    def acknowledged(self):
        with self.lock:
            return [r for r in self.results if isinstance(r["status"], int) and 200 <= r["status"] < 300]


# --- the run -----------------------------------------------------------------------------------------


def django_env(ports, tmp, conn_max_age):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")
        )
    }
    hosts = ",".join(f"127.0.0.1:{ports[node]}" for node in NODES)
    env.update(
        {
            "DATABASE_URL": f"postgres://postgres@{hosts}/dangol?target_session_attrs=read-write&connect_timeout=2",
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            # Production-like: DEBUG off so database errors reach Dangol's 503 handler, not a debug page.
            "DANGOL_DEBUG": "0",
            "DANGOL_DEMO": "1",
            "DANGOL_SECRET_KEY": secrets.token_urlsafe(64),
            "DANGOL_SECURE_COOKIES": "0",  # plain http on loopback
            "DANGOL_DB_CONN_MAX_AGE": str(conn_max_age),
            "DANGOL_VAR_DIR": str(tmp / "var"),
            "DANGOL_SITE_URL": f"http://127.0.0.1:{ports['web']}",
            "PYTHONPATH": str(ROOT),
            "NO_PROXY": "127.0.0.1,localhost",
        }
    )
    return env


def run(args, processes, tmp):
    base = args.port_base
    ports = {
        "etcd": base,
        "etcd_peer": base + 1,
        "dangol-a": base + 2,
        "dangol-b": base + 3,
        "dangol-a_rest": base + 4,
        "dangol-b_rest": base + 5,
        "web": base + 6,
    }
    check_ports(ports.values())
    timings = {}
    t0 = time.monotonic()

    # 1. etcd and two Patroni nodes
    processes.start("etcd", [ETCD, "--config-file", etcd_config(tmp, ports)], log_path=tmp / "etcd.log")
    wait_for("etcd", lambda: _answers(f"http://127.0.0.1:{ports['etcd']}/health"), 20)
    scope = f"dangol-failover-{os.getpid()}"
    for node in NODES:
        config, pid_file = patroni_config(tmp, ports, node, scope, sync_strict=args.sync_strict)
        dcs = json.loads(config.read_text())["bootstrap"]["dcs"]
        timings["synchronous_mode_strict"] = dcs.get("synchronous_mode_strict", False)
        shutil.chown(tmp / node, "postgres", "postgres")
        processes.postmaster_pid_files.append(pid_file)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp / node), "LANG": "C.UTF-8"}
        processes.start(f"patroni {node}", [PATRONI, config], log_path=tmp / f"{node}.log", user="postgres", env=env)
        if node == NODES[0]:  # let the first one bootstrap, so the leader is predictable in the logs
            wait_for(f"{node} to lead", lambda: leader_and_sync(cluster(ports))[0], 60)

    def both():
        found = leader_and_sync(cluster(ports))
        return all(found) and found

    leader, sync = wait_for("a leader and a synchronous standby", both, 90)
    timings["cluster_up_s"] = round(time.monotonic() - t0, 1)
    log(f"leader {leader}, synchronous standby {sync} ({timings['cluster_up_s']}s)")

    # 2. database, migrations, a little data
    env = django_env(ports, tmp, args.conn_max_age)
    (tmp / "var").mkdir()
    psql = [PG_BIN / "psql", "-h", "127.0.0.1", "-p", ports[leader], "-U", "postgres", "-v", "ON_ERROR_STOP=1"]
    _run([*psql, "-c", "CREATE DATABASE dangol"], "create the database", tmp)
    t = time.monotonic()
    _run([VENV_PY, "manage.py", "migrate", "--noinput", "-v", "0"], "migrate", tmp, env=env)
    timings["migrate_s"] = round(time.monotonic() - t, 1)
    seed_path = tmp / "seed.json"
    _run(
        [VENV_PY, "-m", "scripts.failover.seed", "seed", seed_path, "--users", args.users, "--stores", args.stores],
        "seed",
        tmp,
        env=env,
    )
    seed = json.loads(seed_path.read_text())
    log(f"migrated in {timings['migrate_s']}s; seeded {len(seed['customers'])} customers, {len(seed['stores'])} stores")

    # 3. Dangol under gunicorn
    web = f"http://127.0.0.1:{ports['web']}"
    processes.start(
        "gunicorn",
        [
            GUNICORN,
            "dangol.wsgi",
            "-b",
            f"127.0.0.1:{ports['web']}",
            "-w",
            "2",
            "--timeout",
            "30",
            "--access-logfile",
            "-",
        ],
        log_path=tmp / "gunicorn.log",
        env=env,
        cwd=ROOT,
    )
    wait_for("gunicorn", lambda: _answers(f"{web}/api/v1/stores/{seed['stores'][0]}"), 30)

    # 4. write, 5. kill the leader's postmaster, keep writing
    client = Client(web, seed, threads=args.threads, max_writes=args.max_writes)
    client.start()
    time.sleep(args.before)
    pid_file = tmp / leader / "data" / "postmaster.pid"
    postmaster = _postmaster_pid(pid_file)
    if not postmaster:
        raise Stop(f"no postmaster.pid for the leader {leader}")
    acked_before = len(client.acknowledged())
    t_kill = time.monotonic()
    os.kill(postmaster, signal.SIGKILL)
    log(f"kill -9 {postmaster} (postmaster of the leader {leader}) after {acked_before} acknowledged writes")
    events = watch_cluster(ports, leader, t_kill, until=t_kill + args.after, stop=client.stop)
    client.finish()
    t_end = time.monotonic()

    # 6. every acknowledged write, on the new primary
    acked = client.acknowledged()
    (tmp / "requests.json").write_text(json.dumps(client.results))
    acked_path, verified_path = tmp / "acked.json", tmp / "verified.json"
    acked_path.write_text(json.dumps([{k: r.get(k) for k in ("op", "id", "customer", "store")} for r in acked]))
    _run([VENV_PY, "-m", "scripts.failover.seed", "verify", acked_path, verified_path], "verify", tmp, env=env)
    verified = json.loads(verified_path.read_text())
    view = cluster(ports)
    return summarize(client.results, verified, t_kill, t_end, events, leader, view, timings, args)


def _answers(url):
    try:
        with OPENER.open(url, timeout=2) as response:
            return response.status < 500
    except (OSError, ValueError):
        return False


def _run(argv, what, tmp, env=None):
    result = subprocess.run([str(a) for a in argv], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        (tmp / f"{what.replace(' ', '-')}.log").write_text(result.stdout + result.stderr)
        raise Stop(f"{what} failed:\n{(result.stdout + result.stderr)[-3000:]}")
    return result


def watch_cluster(ports, old_leader, t_kill, *, until, stop):
    """Poll Patroni until the deadline: when a new leader runs, when the old one is a synchronous standby."""
    events = {}
    while time.monotonic() < until and not stop.is_set():
        view = cluster(ports)
        leader, sync = leader_and_sync(view)
        now = round(time.monotonic() - t_kill, 2)
        if leader and leader != old_leader and "promoted_s" not in events:
            events["promoted_s"], events["new_leader"] = now, leader
            log(f"Patroni: {leader} leads, {now}s after the kill")
        if sync == old_leader and "promoted_s" in events and "old_leader_sync_again_s" not in events:
            events["old_leader_sync_again_s"] = now
            log(f"Patroni: {old_leader} is the synchronous standby again, {now}s after the kill")
        time.sleep(0.25)
    return events


def summarize(results, verified, t_kill, t_end, events, old_leader, view, timings, args):
    ok = [r for r in results if isinstance(r["status"], int) and 200 <= r["status"] < 300]
    before = [r for r in ok if r["end"] < t_kill]
    after_started = [r for r in ok if r["start"] >= t_kill]
    last_ok_before = max((r["end"] for r in before), default=None)
    first_ok_after = min((r["end"] for r in after_started), default=None)
    errors = [r for r in results if r not in ok]
    by_status = collections.Counter(str(r["status"]) for r in errors)
    error_kinds = collections.Counter(
        f"{r['status']} {'json' if 'json' in r.get('content_type', '') else 'html' if 'html' in r.get('content_type', '') else 'other'}"
        + (" with Retry-After" if r.get("retry_after") else "")
        for r in errors
    )
    gap_errors = [r for r in errors if first_ok_after is None or r["start"] < first_ok_after]
    report = {
        "lost_acknowledged_writes": len(verified["missing"]),
        "incomplete_follows": verified["incomplete_follows"][:50],
        "lost": verified["missing"][:50],
        "acknowledged_writes": len(ok),
        "acknowledged_by_kind": verified["counts"],
        "acknowledged_before_kill": len(before),
        "acknowledged_after_kill": len(ok) - len(before),
        "requests": len(results),
        "seconds_until_writes_succeed_again": round(first_ok_after - t_kill, 2) if first_ok_after else None,
        "seconds_without_a_successful_write": round(first_ok_after - last_ok_before, 2)
        if first_ok_after and last_ok_before
        else None,
        "patroni_promoted_after_s": events.get("promoted_s"),
        "new_leader": events.get("new_leader"),
        "old_leader": old_leader,
        "old_leader_sync_standby_again_after_s": events.get("old_leader_sync_again_s"),
        "errors_by_status": dict(by_status),
        "errors_by_kind": dict(error_kinds),
        "errors_in_gap": len(gap_errors),
        "error_samples": [
            {k: r.get(k) for k in ("op", "status", "content_type", "retry_after", "exception", "body")}
            for r in errors[:5]
        ],
        "writes_per_second_before_kill": round(
            len(before) / max(t_kill - min((r["start"] for r in results), default=t_kill), 0.001), 1
        ),
        "run_after_kill_s": round(t_end - t_kill, 1),
        "cluster_at_end": {name: list(role_state) for name, role_state in view.items()},
        "rows_on_new_primary": verified.get("rows"),
        "setup": {
            **timings,
            "threads": args.threads,
            "users": args.users,
            "stores": args.stores,
            "gunicorn_workers": 2,
            "conn_max_age": args.conn_max_age,
        },
    }
    return report


def print_table(report):
    rows = [
        ("acknowledged writes lost (goal 0)", report["lost_acknowledged_writes"]),
        ("follows missing their consent, notice or welcome coupon (goal 0)", len(report["incomplete_follows"])),
        (
            "acknowledged writes",
            f"{report['acknowledged_writes']} ({report['acknowledged_before_kill']} before the kill)",
        ),
        ("  by kind", ", ".join(f"{k} {v}" for k, v in report["acknowledged_by_kind"].items())),
        ("seconds until writes succeed again (goal <= 10)", report["seconds_until_writes_succeed_again"]),
        ("seconds without a successful write", report["seconds_without_a_successful_write"]),
        ("Patroni promoted the standby after (s)", report["patroni_promoted_after_s"]),
        ("old primary synchronous standby again after (s)", report["old_leader_sync_standby_again_after_s"]),
        ("client-visible errors (goal: 503 only)", report["errors_by_kind"] or "none"),
        ("requests", report["requests"]),
        ("writes per second before the kill", report["writes_per_second_before_kill"]),
        ("cluster at the end", report["cluster_at_end"]),
    ]
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"  {name.ljust(width)}  {value}")
    print(flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port-base", type=int, default=25400, help="seven loopback ports from here (default 25400)")
    parser.add_argument("--threads", type=int, default=6, help="client threads (default 6)")
    parser.add_argument("--users", type=int, default=48, help="customers with a session (default 48)")
    parser.add_argument("--stores", type=int, default=20, help="stores, one campaign each (default 20)")
    parser.add_argument("--max-writes", type=int, default=20000, help="stop after this many requests")
    parser.add_argument("--before", type=float, default=10, help="seconds of writes before the kill (default 10)")
    parser.add_argument("--after", type=float, default=25, help="seconds of writes after the kill (default 25)")
    parser.add_argument(
        "--sync-strict",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="override synchronous_mode_strict from deploy/patroni (default: as shipped, false)",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=0,
        help="DANGOL_DB_CONN_MAX_AGE for gunicorn (default 0: a connection per request)",
    )
    parser.add_argument("--report", default=str(ROOT / "var" / "failover-report.json"), help="JSON report path")
    parser.add_argument("--keep", action="store_true", help="keep the temp directory (logs, data) afterwards")
    parser.add_argument("--strict", action="store_true", help="also fail if writes took over 10 s or a 500 was seen")
    args = parser.parse_args(argv)
    if args.port_base <= 20000 or args.port_base + 6 > 65535:
        parser.error("--port-base must be above 20000")
    check_tools()

    processes = Processes()
    atexit.register(processes.stop_all)

    def interrupted(signum, _frame):
        raise SystemExit(128 + signum)

    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, interrupted)

    tmp = Path(tempfile.mkdtemp(prefix="dangol-failover-"))
    os.chmod(tmp, 0o755)  # noqa: S103 - the postgres user reaches its node's directory inside
    log(f"working in {tmp}")
    started = time.monotonic()
    try:
        report = run(args, processes, tmp)
    except Stop as stop:
        log(f"stopped: {stop}")
        log(f"logs kept in {tmp}")
        args.keep = True
        return 2
    except BaseException:
        log(f"logs kept in {tmp}")
        args.keep = True
        raise
    finally:
        processes.stop_all()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    report["total_seconds"] = round(time.monotonic() - started, 1)
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print_table(report)
    log(f"report: {args.report}; total {report['total_seconds']}s")
    if report["incomplete_follows"]:
        log(f"FAIL: {len(report['incomplete_follows'])} follows are not whole (consent, notice, welcome coupon)")
        return 1
    if report["lost_acknowledged_writes"]:
        log(f"FAIL: {report['lost_acknowledged_writes']} acknowledged writes are not on the new primary")
        return 1
    if args.strict:
        slow = (report["seconds_until_writes_succeed_again"] or 999) > 10
        five_hundreds = any(kind.startswith("500") for kind in report["errors_by_kind"])
        if slow or five_hundreds:
            log("FAIL (--strict): writes took over 10 s to come back, or clients saw 500s")
            return 1
    log("OK: no acknowledged write lost")
    return 0


if __name__ == "__main__":
    sys.exit(main())
