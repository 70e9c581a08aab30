"""Flash claim: 1,000 coupons, 200 concurrent clients over HTTP, gunicorn on PostgreSQL.

It creates and migrates its own database next to the one DATABASE_URL names, starts
gunicorn on a free 127.0.0.1 port, lets 200 keep-alive clients claim through the API for
2,000 signed-in customers, stops the server by its pid and drops the database.
The reference is the same claim done as raw SQL (count held, read the counter, insert the
coupon, conditional counter update, one transaction each) on the same database, from as many
connections as the server has threads, for the same 2,000 customers.
"""

import http.client
import json
import os
import queue
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

COUPONS = 1_000
CUSTOMERS = 2_000
CLIENTS = 200
SQL_CONNECTIONS = 32  # the raw-SQL reference's connections
ROOT = Path(__file__).resolve().parent.parent
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def run():
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql"):
        return [{"case": "flash claim", "result": "skipped: set DATABASE_URL=postgres://... to a PostgreSQL server"}]
    bench_url = _create_database(url)
    try:
        env = bench_env(bench_url)
        _python(["manage.py", "migrate", "--noinput", "-v", "0"], env)
        setup = json.loads(_python(["-c", "from benchmarks.flash_claim import prepare; prepare()"], env))
        over_http = _http_round(env, setup)
        over_sql = _sql_round(bench_url, setup)
    finally:
        _drop_database(url, bench_url)
    return [over_http, over_sql]


def bench_env(bench_url):
    """The server's environment: the bench database, a throwaway secret key, the demo providers (a
    production-like start refuses the development key and the console SMS)."""
    env = {**os.environ, "DATABASE_URL": bench_url, "DANGOL_DB_CONN_MAX_AGE": "300", "DANGOL_LOG_LEVEL": "WARNING"}
    env.setdefault("DANGOL_SECRET_KEY", secrets.token_urlsafe(50))
    env.setdefault("DANGOL_DEMO", "1")
    env.setdefault("DANGOL_ALLOWED_HOSTS", "127.0.0.1,localhost")
    # The clients name one address per customer, as a proxy in front of gunicorn would.
    env["DANGOL_TRUSTED_PROXIES"] = "127.0.0.1"
    return env


# The database -----------------------------------------------------------------------------------


def _admin_connection(url):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def _create_database(url, kind="flash"):
    """A fresh database `<name>_<kind>_bench` next to the one `url` names; its URL."""
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'dangol'}_{kind}_bench"
    with _admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _drop_database(url, bench_url):
    name = urlsplit(bench_url).path.lstrip("/")
    with _admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _python(args, env):
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def prepare():
    """Run in a subprocess against the bench database: a store, two campaigns, 2,000 signed-in customers."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangol.settings")
    django.setup()
    import datetime as dt

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from dangol.accounts.models import Session, User
    from dangol.accounts.sessions import SessionStore
    from dangol.channels.models import Store
    from dangol.coupons.models import Campaign, SigningKey
    from dangol.markets.models import Market

    market = Market.objects.create(name="벤치시장")
    store = Store.objects.create(market=market, name="벤치가게")
    key = SigningKey.objects.active_for(store.pk)

    def campaign(title):
        return Campaign.objects.create(
            store=store,
            title=title,
            kind="amount",
            amount_off=1000,
            valid_days=7,
            quantity=COUPONS,
            method="first_come",
        )

    over_http, over_sql = campaign("HTTP"), campaign("SQL")
    users = User.objects.bulk_create(
        User(phone=f"+8210{7000_0000 + i}", password=make_password(None)) for i in range(CUSTOMERS)
    )
    expires = timezone.now() + dt.timedelta(days=1)
    sessions = []
    for user in users:
        data = {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": "dangol.accounts.backends.PhoneCodeBackend",
            "_auth_user_hash": user.get_session_auth_hash(),
            "renewed_at": int(time.time()),  # as at a real sign-in: no renewal write on the first request
        }
        sessions.append(
            Session(
                session_key=get_random_string(32),
                session_data=SessionStore().encode(data),
                expire_date=expires,
                user_id=user.pk,
            )
        )
    Session.objects.bulk_create(sessions, batch_size=500)
    print(
        json.dumps(
            {
                "store": store.public_id,
                "store_pk": store.pk,
                "key_pk": key.pk,
                "http_campaign": over_http.public_id,
                "http_campaign_pk": over_http.pk,
                "sql_campaign_pk": over_sql.pk,
                "customers": [u.pk for u in users],
                "sessions": [s.session_key for s in sessions],
            }
        )
    )


# Over HTTP --------------------------------------------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(conn, method, path, headers=None):
    conn.request(method, path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    return response.status


def start_gunicorn(env, *, workers=None, threads=None):
    """(port, process): Dangol under gunicorn on a free 127.0.0.1 port, for a benchmark to stop by its pid.
    The production configuration (shape, hooks, logging, recycling), or another shape when given."""
    port = _free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    args = ["-c", "deploy/gunicorn.conf.py", "-b", f"127.0.0.1:{port}"]
    args += ["-w", str(workers)] if workers else []
    args += ["--threads", str(threads)] if threads else []
    command = [str(gunicorn), "dangol.wsgi", *args, "--keep-alive", "30", "--log-level", "warning"]
    # Its log goes to a file: a pipe nobody reads fills up (64 KB of "Not Found" lines) and then blocks
    # every worker that writes one more line.
    log = tempfile.TemporaryFile()  # closed by stop_gunicorn
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, bound to 127.0.0.1
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    server.log = log
    return port, server


def _log_tail(server):
    server.log.seek(0)
    return server.log.read().decode(errors="replace")[-2000:]


def stop_gunicorn(server):
    """Stop the gunicorn `start_gunicorn` started, by its pid: gracefully, then for good after 30 s."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    server.log.close()


def _http_round(env, setup):
    port, server = start_gunicorn(env)
    try:
        _wait_until_up(port, server)
        _warm_up(port, setup)
        return _claim_over_http(port, setup, env["DATABASE_URL"])
    finally:
        stop_gunicorn(server)


def _wait_until_up(port, server):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {_log_tail(server)}")
        try:
            _request(http.client.HTTPConnection("127.0.0.1", port, timeout=2), "GET", "/healthz")
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start within 60 s")


def _warm_up(port, setup):
    """Every server thread opens its database connection before the clock starts."""
    path = f"/api/v1/stores/{setup['store']}/coupons"

    def hit(_i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(3):
            _request(conn, "GET", path)
        conn.close()

    _in_threads(64, hit)


def _in_threads(count, work):
    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _claim_over_http(port, setup, bench_url):
    path = f"/api/v1/campaigns/{setup['http_campaign']}/claim"
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked token
    todo = queue.SimpleQueue()
    for i, session in enumerate(setup["sessions"]):
        todo.put((i, session))
    results, lock = [], threading.Lock()
    start_line = threading.Barrier(CLIENTS)

    def client(_i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start_line.wait()
        while True:
            try:
                i, session = todo.get_nowait()
            except queue.Empty:
                break
            headers = {
                "Cookie": f"sessionid={session}; csrftoken={csrf}",
                "X-CSRFToken": csrf,
                "Content-Length": "0",
                "X-Forwarded-For": f"10.0.{i // 250}.{i % 250 + 1}",
            }
            began = time.perf_counter()
            try:
                status = _request(conn, "POST", path, headers)
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            ended = time.perf_counter()
            with lock:
                results.append((status, began, ended))
        conn.close()

    _in_threads(CLIENTS, client)
    issued = _issued(bench_url, setup["http_campaign_pk"])
    return _row("HTTP API, gunicorn 4×8", CLIENTS, results, issued, ok_status=201)


# Raw SQL reference -----------------------------------------------------------------------------


def _sql_round(bench_url, setup):
    import psycopg

    campaign, store, key = setup["sql_campaign_pk"], setup["store_pk"], setup["key_pk"]
    todo = queue.SimpleQueue()
    for customer in setup["customers"]:
        todo.put(customer)
    results, lock = [], threading.Lock()
    connections = SQL_CONNECTIONS
    start_line = threading.Barrier(connections)

    def claim(cur, customer):
        cur.execute(
            "SELECT count(*) FROM coupons_coupon WHERE campaign_id = %s AND customer_id = %s", (campaign, customer)
        )
        if cur.fetchone()[0] >= 1:
            return False
        cur.execute("SELECT issued_count, quantity FROM coupons_campaign WHERE id = %s", (campaign,))
        issued, quantity = cur.fetchone()
        if issued >= quantity:
            return False
        cur.execute(
            "INSERT INTO coupons_coupon (public_id, code, campaign_id, store_id, customer_id, slot, signing_key_id,"
            " issued_at, starts_at, expires_at, status) VALUES (%s, %s, %s, %s, %s, 1, %s, now(), now(),"
            " now() + interval '7 days', 'issued')",
            (_random(10).lower(), _random(8), campaign, store, customer, key),
        )
        cur.execute(
            "UPDATE coupons_campaign SET issued_count = issued_count + 1 WHERE id = %s AND status = 'active'"
            " AND (quantity IS NULL OR issued_count < quantity)",
            (campaign,),
        )
        if cur.rowcount != 1:
            raise _SoldOut
        return True

    def worker(_i):
        with psycopg.connect(bench_url) as conn:
            start_line.wait()
            while True:
                try:
                    customer = todo.get_nowait()
                except queue.Empty:
                    return
                began = time.perf_counter()
                try:
                    with conn.transaction(), conn.cursor() as cur:
                        ok = claim(cur, customer)
                except _SoldOut:
                    ok = False
                ended = time.perf_counter()
                with lock:
                    results.append((201 if ok else 409, began, ended))

    _in_threads(connections, worker)
    issued = _issued(bench_url, campaign)
    return _row(f"raw SQL, {connections} connections", connections, results, issued, ok_status=201)


class _SoldOut(Exception):
    pass


def _random(n):
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


def _issued(url, campaign_pk):
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT count(*) FROM coupons_coupon WHERE campaign_id = %s", (campaign_pk,)).fetchone()[0]
        counter = conn.execute("SELECT issued_count FROM coupons_campaign WHERE id = %s", (campaign_pk,)).fetchone()[0]
        over_limit = conn.execute(
            "SELECT count(*) FROM (SELECT customer_id FROM coupons_coupon WHERE campaign_id = %s"
            " GROUP BY customer_id HAVING count(*) > 1) AS t",
            (campaign_pk,),
        ).fetchone()[0]
    return {"rows": rows, "counter": counter, "over_limit": over_limit}


def _row(case, clients, results, issued, *, ok_status):
    started = min(r[1] for r in results)
    finished = max(r[2] for r in results)
    wins = sorted(r[2] for r in results if r[0] == ok_status)
    latencies = sorted((r[2] - r[1]) * 1000 for r in results)
    errors = sum(1 for r in results if r[0] not in (ok_status, 409))
    sold_out_after = (wins[-1] - started) if wins else float("nan")
    return {
        "case": case,
        "clients": clients,
        "requests": len(results),
        "issued": issued["rows"],
        "exact": "yes" if issued["rows"] == issued["counter"] == COUPONS and not issued["over_limit"] else "NO",
        "claims/s": f"{len(wins) / sold_out_after:,.0f}" if wins else "0",
        "requests/s": f"{len(results) / (finished - started):,.0f}",
        "p50 ms": f"{_percentile(latencies, 50):.1f}",
        "p99 ms": f"{_percentile(latencies, 99):.1f}",
        "errors": errors,
    }


def _percentile(sorted_values, p):
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]
