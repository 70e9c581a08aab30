"""The request path under wrk: a flash claim, a stall redemption at a steady rate, and the inbox API.

Each case runs against gunicorn on 127.0.0.1 (driven by `wrk` with a Lua script, so the load generator
is C, not Python threads) and beside raw SQL doing the same work on the same database in the same run.
Server CPU per request is the gunicorn processes' utime+stime (from /proc/<pid>/stat) before and after
each case, divided by the requests the case answered. For the raw SQL rows the CPU column is the
driving Python process's own CPU (the part an application would spend around the same statements).

Needs DATABASE_URL=postgres://... (it creates and drops its own database next to that one) and wrk.
`python -m benchmarks.request_path profile` prints a cProfile (CPU time) of 300 claims made in-process instead,
and `python -m benchmarks.request_path cpu` the CPU per request of each case through Django's WSGI handler alone;
`python -m benchmarks.request_path instructions` counts the instructions of the latter with valgrind.
"""

import contextlib
import json
import os
import queue
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from benchmarks.flash_claim import (
    _admin_connection,
    _create_database,
    _drop_database,
    _python,
    _random,
    _sql_round,
    _wait_until_up,
    bench_env,
    start_gunicorn,
    stop_gunicorn,
)

COUPONS = 1_000
CUSTOMERS = 2_000
# gunicorn in production's shape (deploy/gunicorn.conf.py); BENCH_WORKERS / BENCH_THREADS try another.
WORKERS = int(os.environ.get("BENCH_WORKERS", 0)) or None
THREADS = int(os.environ.get("BENCH_THREADS", 0)) or None
CLAIM_CLIENTS = 200
REDEEM_RATE, REDEEM_SECONDS, REDEEM_CLIENTS = 200, 10, 20
# The stall's paced case over HTTP runs this many times (BENCH_REDEEM_ROUNDS), each with coupons of its
# own: on a virtual machine its CPU per request moved by a third from one 10-second run to the next.
REDEEM_ROUNDS = int(os.environ.get("BENCH_REDEEM_ROUNDS", 3))
INBOX_CLIENTS, INBOX_SECONDS = 20, 10
# Inbox items stored in all (BENCH_INBOX_ITEMS): each of the 2,000 customers has every message, one
# every 100 minutes for most of a year; the newest 60 are a third unread, the older ones read.
INBOX_ITEMS = int(os.environ.get("BENCH_INBOX_ITEMS", 10_000_000))
UNREAD_AMONG_NEWEST = 60
# The cases a run measures (BENCH_CASES=claim,inbox picks some), over HTTP, in raw SQL and in one process;
# "scan" (a till redeeming by QR token) is measured in one process only (`cpu`, `instructions`).
CASES = os.environ.get("BENCH_CASES", "claim,redemption,scan,inbox").split(",")
ROOT = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")


def run():
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in ("postgres", "postgresql"):
        return [{"case": "request path", "result": "skipped: set DATABASE_URL=postgres://... to a PostgreSQL server"}]
    if not shutil.which("wrk"):
        return [{"case": "request path", "result": "skipped: wrk is not installed"}]
    bench_url = _create_database(url, "path")
    rows = [{"case": "load average at start", "result": " ".join(f"{x:.2f}" for x in os.getloadavg())}]
    try:
        env = bench_env(bench_url)
        _python(["manage.py", "migrate", "--noinput", "-v", "0"], env)
        setup = json.loads(_python(["-c", "from benchmarks.request_path import prepare; prepare()"], env))
        _settle(bench_url)
        rows.append({"case": "load average after loading", "result": " ".join(f"{x:.2f}" for x in os.getloadavg())})
        with tempfile.TemporaryDirectory() as scratch:
            rows += _over_http(env, setup, Path(scratch))
        rows += _over_sql(bench_url, setup)
    finally:
        _drop_database(url, bench_url)
    rows.append({"case": "load average at end", "result": " ".join(f"{x:.2f}" for x in os.getloadavg())})
    return rows


def _settle(bench_url):
    """Let the bulk load finish writing before any clock starts: VACUUM (ANALYZE) does now what autovacuum
    would start within a minute of loading 10M rows and run beside the cases for a while, a checkpoint
    writes PostgreSQL's dirty pages (10M inbox items are gigabytes) and sync() the kernel's, which would
    otherwise be counted against whichever case came first. Needs a superuser or pg_checkpoint to
    checkpoint."""
    import psycopg

    with psycopg.connect(bench_url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        try:
            conn.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:
            print("request_path: no CHECKPOINT (not allowed for this user)", file=sys.stderr)
    os.sync()
    time.sleep(5)  # the one-minute load average still counts the load; five seconds let the writers finish


def prepare():
    """In a subprocess on the bench database: the flash claim's customers and sessions (flash_claim.prepare),
    an API key, issued coupons to redeem, and an inbox history for every customer."""
    import io

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangol.settings")
    django.setup()
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from benchmarks.flash_claim import prepare as flash_prepare
    from dangol.channels.models import Store
    from dangol.coupons.models import ApiKey, Campaign, Coupon, SigningKey
    from dangol.messaging.models import Message

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        flash_prepare()
    setup = json.loads(out.getvalue())
    store = Store.objects.get(pk=setup["store_pk"])
    _key, plain = ApiKey.create_for(store=store, name="벤치 계산대", by=None)
    key = SigningKey.objects.active_for(store.pk)
    now = timezone.now()

    def issued(title, count):
        """`count` usable paper coupons of a campaign of their own, to be used at the stall."""
        campaign = Campaign.objects.create(
            store=store, title=title, kind="amount", amount_off=500, valid_days=7, method="paper"
        )
        batch = [
            Coupon(
                code=_random(8),
                campaign=campaign,
                store=store,
                signing_key=key,
                issued_at=now,
                starts_at=now - dt.timedelta(minutes=1),
                expires_at=now + dt.timedelta(days=7),
            )
            for _ in range(count)
        ]
        return Coupon.objects.bulk_create(batch, batch_size=1000)

    per_side = REDEEM_RATE * REDEEM_SECONDS * max(2, REDEEM_ROUNDS)
    codes = {side: [c.code for c in issued(f"사용 {side}", per_side)] for side in ("http", "sql")}
    # The QR a till scans, for the in-process "scan" case: coupons of their own, each with its signed token.
    qr_tokens = [c.token() for c in issued("사용 QR", REDEEM_RATE * REDEEM_SECONDS)]
    messages = Message.objects.bulk_create(
        (
            Message(store=store, kind="info", body=f"오늘의 소식 {i}", status="sent", send_at=now, sent_at=now)
            for i in range(max(1, INBOX_ITEMS // len(setup["customers"])))
        ),
        batch_size=1000,
    )
    newest = messages[-1].pk
    with connection.cursor() as cur:
        # Without its indexes while it fills (as a bulk load would), then indexed, vacuumed and analysed.
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'messaging_inboxitem'"
            " AND indexdef NOT LIKE 'CREATE UNIQUE%%'"
        )
        indexes = cur.fetchall()
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        cur.execute(
            "INSERT INTO messaging_inboxitem (message_id, customer_id, visible_at, read_at)"
            " SELECT m.id, u.id, now() - (%s - m.id) * interval '100 minutes',"
            " CASE WHEN m.id > %s - %s AND (m.id + u.id) %% 3 = 0 THEN NULL ELSE now() END"
            " FROM messaging_message m CROSS JOIN accounts_user u WHERE m.id BETWEEN %s AND %s AND u.id = ANY(%s)",
            (newest, newest, UNREAD_AMONG_NEWEST, messages[0].pk, newest, setup["customers"]),
        )
        for _name, definition in indexes:
            cur.execute(definition)
    connection.close()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print(json.dumps({**setup, "api_key": plain, "codes": codes, "tokens": qr_tokens}))


# Over HTTP, driven by wrk -------------------------------------------------------------------------

# Each wrk thread walks its own share of a list: every `threads`-th item, from its own index.
STRIDE_LUA = """
local next_index, step
function setup(thread)
  thread:set("first", %(threads_seen)s)
  %(threads_seen_inc)s
end
function init(args)
  next_index = first + 1
  step = %(threads)d
end
"""

CLAIM_LUA = (
    STRIDE_LUA
    + """
local sessions = {%(sessions)s}
local csrf = "%(csrf)s"
function request()
  local s = sessions[next_index]
  if s == nil then
    wrk.thread:stop()
    s = sessions[1]
  end
  local address = "10.0." .. math.floor(next_index / 250) .. "." .. (next_index %% 250 + 1)
  next_index = next_index + step
  return wrk.format("POST", "%(path)s", {
    ["Cookie"] = "sessionid=" .. s .. "; csrftoken=" .. csrf, ["X-Forwarded-For"] = address,
    ["X-CSRFToken"] = csrf, ["Content-Length"] = "0"})
end
"""
)

# A steady pace, as a busy market's tills keep it: the thread's sends are due every `interval_ms`
# (threads / rate), each delay() waits for the next one due by the monotonic clock (LuaJIT's ffi),
# and sends that fell behind go at once until the schedule is kept again.
REDEEM_LUA = (
    STRIDE_LUA
    + """
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local codes = {%(codes)s}
local interval_ms = %(interval_ms)f
local due = nil
function delay()
  local now = now_ms()
  if due == nil then
    due = now + (first %% step) * interval_ms / step  -- the threads' sends interleave
  end
  local wait = due - now
  due = due + interval_ms
  if wait < 0 then
    return 0
  end
  return math.floor(wait + 0.5)
end
function request()
  local c = codes[next_index]
  if c == nil then
    wrk.thread:stop()
    c = codes[1]
  end
  next_index = next_index + step
  local body = '{"code": "' .. c .. '", "amount": 12000, "client_id": "bench-' .. c .. '"}'
  return wrk.format("POST", "%(path)s", {
    ["Authorization"] = "Bearer %(key)s", ["Content-Type"] = "application/json"}, body)
end
"""
)

INBOX_LUA = """
local sessions = {%(sessions)s}
local i = 0
local salt = 0
function setup(thread)
  thread:set("salt", %(threads_seen)s)
  %(threads_seen_inc)s
end
function request()
  i = i + 1
  local s = sessions[((i * 7 + salt * 131) %% #sessions) + 1]
  return wrk.format("GET", "/api/v1/inbox", {["Cookie"] = "sessionid=" .. s})
end
"""

WARM_REDEEM_LUA = """
function request()
  return wrk.format("POST", "%(path)s", {
    ["Authorization"] = "Bearer %(key)s", ["Content-Type"] = "application/json"}, '{"code": "WARMWARM"}')
end
"""

DONE_LUA = """
local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 500 and not printed_body then
    printed_body = true
    io.stderr:write(status .. " " .. string.sub(body, 1, 300) .. "\\n")
  end
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %d, "seconds": %f, "p50": %f, "p99": %f, "socket_errors": %d,'
    .. ' "non2xx": %d, "by_kind": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status, e.connect, e.read, e.write, e.timeout))
end
"""


def _lua(template, threads, **values):
    # Each wrk thread takes every `threads`-th item, starting at its own index.
    counter = "__thread_counter"
    values |= {
        "threads": threads,
        "threads_seen": f"({counter} or 0)",
        "threads_seen_inc": f"{counter} = ({counter} or 0) + 1",
    }
    return template % values


def _quoted(items):
    return ",".join(f'"{i}"' for i in items)


def _over_http(env, setup, scratch):
    port, server = start_gunicorn(env, workers=WORKERS, threads=THREADS)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(port, server)
        # Every worker thread opens its connection and imports its routes before any clock starts.
        warm = scratch / "warm.lua"
        warm.write_text(_lua(INBOX_LUA, 2, sessions=_quoted(setup["sessions"][:50])) + DONE_LUA)
        _wrk(base, warm, connections=64, threads=2, seconds=3)
        # ... and the stall's path up to the coupon: codes that match nothing, so none is used.
        warm.write_text(WARM_REDEEM_LUA % {"path": _redeem_path(setup), "key": setup["api_key"]} + DONE_LUA)
        _wrk(base, warm, connections=16, threads=2, seconds=2)
        rows = []
        chosen = CASES
        threads = 2
        if "claim" in chosen:
            rows.append(_claim_over_http(base, server, env, setup, scratch, threads))
            _until_idle(server)
        if "redemption" in chosen:
            for round_number in range(REDEEM_ROUNDS):
                rows.append(_redemptions_over_http(base, server, env, setup, scratch, threads, round_number))
                _until_idle(server)
        if "inbox" in chosen:
            rows.append(_inbox_over_http(base, server, setup, scratch, threads))
        return rows
    finally:
        stop_gunicorn(server)


def _claim_over_http(base, server, env, setup, scratch, threads):
    claim = scratch / "claim.lua"
    path = f"/api/v1/campaigns/{setup['http_campaign']}/claim"
    sessions = setup["sessions"]
    claim.write_text(
        _lua(CLAIM_LUA, threads, sessions=_quoted(sessions), csrf=secrets.token_hex(16), path=path) + DONE_LUA
    )
    result, cpu, busiest = _measured(server, lambda: _wrk(base, claim, connections=CLAIM_CLIENTS, threads=threads))
    issued, sold_in = _issued(env["DATABASE_URL"], setup["http_campaign_pk"])
    row = _row("claim (1,000 of 2,000), HTTP", CLAIM_CLIENTS, result, cpu, busiest=busiest, exact=issued)
    # wrk's clock runs until its last thread stops; the coupons' own times say how long selling took.
    return {**row, "requests/s": "—", "claims/s": f"{COUPONS / sold_in:,.0f}"}


def _redeem_path(setup):
    return f"/api/v1/stores/{setup['store']}/redemptions"


def _redemptions_over_http(base, server, env, setup, scratch, threads, round_number=0):
    redeem = scratch / "redeem.lua"
    path = _redeem_path(setup)
    per_round = REDEEM_RATE * REDEEM_SECONDS
    codes = setup["codes"]["http"][round_number * per_round : (round_number + 1) * per_round]
    interval_ms = threads * 1000 / REDEEM_RATE
    redeem.write_text(
        _lua(REDEEM_LUA, threads, codes=_quoted(codes), path=path, key=setup["api_key"], interval_ms=interval_ms)
        + DONE_LUA
    )
    result, cpu, busiest = _measured(
        server,
        lambda: _wrk(base, redeem, connections=REDEEM_CLIENTS, threads=threads, seconds=REDEEM_SECONDS + 20),
    )
    case = f"redemption ~{REDEEM_RATE}/s, HTTP"
    if REDEEM_ROUNDS > 1:
        case += f" ({round_number + 1} of {REDEEM_ROUNDS})"
    row = _row(case, REDEEM_CLIENTS, result, cpu, busiest=busiest)
    # wrk divides by its whole -d time, though its threads stop when the codes run out; the
    # redemptions' own times say what pace the stall really kept.
    return {**row, "requests/s": f"{_redeemed_per_second(env['DATABASE_URL'], codes):,.0f}"}


def _inbox_over_http(base, server, setup, scratch, threads):
    sessions = setup["sessions"]
    inbox = scratch / "inbox.lua"
    inbox.write_text(_lua(INBOX_LUA, threads, sessions=_quoted(sessions)) + DONE_LUA)
    result, cpu, busiest = _measured(
        server, lambda: _wrk(base, inbox, connections=INBOX_CLIENTS, threads=threads, seconds=INBOX_SECONDS)
    )
    return _row("GET /api/v1/inbox, HTTP", INBOX_CLIENTS, result, cpu, busiest=busiest)


def _wrk(base, script, *, connections, threads, seconds=60):
    done = subprocess.run(  # noqa: S603 - wrk against our own server on 127.0.0.1
        [
            shutil.which("wrk"),
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            base,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + 60,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise RuntimeError(f"wrk gave no result:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    if done.stderr.strip():
        print(done.stderr.strip()[-600:], file=sys.stderr)
    return json.loads(lines[-1].removeprefix("RESULT "))


def _server_ticks(server):
    """utime+stime of gunicorn's master and its workers, in clock ticks, with the workers that have ended:
    gunicorn replaces a worker after its max_requests, and the master's cutime+cstime keeps what the
    replaced one spent (without them a case in which a worker was replaced lost that worker's CPU)."""
    return sum(_ticks_by_process(server).values())


def _ticks_by_process(server):
    """{pid: utime+stime in clock ticks} of gunicorn's master (with its ended children's) and each worker."""
    pids = [server.pid]
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    ticks = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks[pid] = int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of the line)
        if pid == server.pid:
            ticks[pid] += int(fields[13]) + int(fields[14])  # cutime, cstime: its children it has waited for
    return ticks


def _until_idle(server, seconds=15):
    """Wait until gunicorn has finished what the last case left queued: wrk stops its clients with requests
    still in the listen queue (the flash claim leaves up to 200), and the workers answer each of them to a
    closed socket, which the next case's first requests would wait behind."""
    deadline = time.monotonic() + seconds
    before = _server_ticks(server)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = _server_ticks(server)
        if now - before <= 1:  # at most a clock tick of CPU in half a second
            return
        before = now


def _measured(server, work):
    """(what `work` returns, server CPU ms, the busiest worker's share of the workers' CPU). The share shows how
    the requests spread: near 100% at a quiet pace, where one warm worker should answer nearly all of them."""
    before = _ticks_by_process(server)
    result = work()
    after = _ticks_by_process(server)
    spent = {pid: ticks - before.get(pid, 0) for pid, ticks in after.items()}
    workers = [ticks for pid, ticks in spent.items() if pid != server.pid]
    share = max(workers, default=0) / max(sum(workers), 1)
    return result, (sum(after.values()) - sum(before.values())) * 1000 / TICK, share


def _row(case, clients, result, cpu_ms, *, busiest=None, exact=None):
    requests = max(result["requests"], 1)
    row = {
        "case": case,
        "clients": clients,
        "requests": result["requests"],
        "requests/s": f"{result['requests'] / result['seconds']:,.0f}",
        "p50 ms": f"{result['p50']:.1f}",
        "p99 ms": f"{result['p99']:.1f}",
        "CPU ms/req": f"{cpu_ms / requests:.2f}",
        "errors": result["socket_errors"] + result["non2xx"],
    }
    if busiest is not None:
        row["busiest worker"] = f"{busiest:.0%}"
    if exact is not None:
        row["errors"] = result["socket_errors"]  # 409 (sold out, already held) is an answer here
        row["exact"] = exact
    if result["socket_errors"]:
        kinds = ", ".join(f"{n} {kind}" for kind, n in result["by_kind"].items() if n)
        row["errors"] = f"{row['errors']} ({kinds})"
    return row


def _issued(url, campaign_pk):
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT count(*) FROM coupons_coupon WHERE campaign_id = %s", (campaign_pk,)).fetchone()[0]
        counter = conn.execute("SELECT issued_count FROM coupons_campaign WHERE id = %s", (campaign_pk,)).fetchone()[0]
        seconds = conn.execute(
            "SELECT extract(epoch FROM max(issued_at) - min(issued_at)) FROM coupons_coupon WHERE campaign_id = %s",
            (campaign_pk,),
        ).fetchone()[0]
    exact = "yes" if rows == counter == COUPONS else f"NO ({rows} rows, counter {counter})"
    return exact, max(float(seconds or 0), 0.001)


def _redeemed_per_second(url, codes):
    import psycopg

    with psycopg.connect(url) as conn:
        count, seconds = conn.execute(
            "SELECT count(*), extract(epoch FROM max(r.created_at) - min(r.created_at)) FROM coupons_redemption r"
            " JOIN coupons_coupon c ON c.id = r.coupon_id WHERE c.code = ANY(%s)",
            (codes,),
        ).fetchone()
    return (count - 1) / max(float(seconds or 0), 0.001)


# Raw SQL doing the same work ----------------------------------------------------------------------


def _cpu_now():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _over_sql(bench_url, setup):
    rows = []
    chosen = CASES
    if "claim" in chosen:
        cpu = _cpu_now()
        claim = _sql_round(bench_url, setup)
        cpu = (_cpu_now() - cpu) * 1000 / max(claim["requests"], 1)
        rows.append({**claim, "case": "claim, raw SQL", "CPU ms/req": f"{cpu:.2f} (driver)"})
    if "redemption" in chosen:
        rows.append(_sql_redemptions(bench_url, setup))
    if "inbox" in chosen:
        rows.append(_sql_inbox(bench_url, setup))
    return rows


def _sql_threads(bench_url, count, work, seconds, rate=None):
    """Run `work(cur, i)` on `count` connections for `seconds`; (latencies ms, requests, elapsed, cpu ms/req).

    With `rate`, the connections together start `rate` calls a second on a fixed schedule (the wait
    for a call's turn is not part of its time)."""
    import psycopg

    latencies, lock = [], threading.Lock()
    start_line = threading.Barrier(count)
    deadline = [0.0]

    def worker(n):
        with psycopg.connect(bench_url) as conn:
            start_line.wait()
            i = 0
            while time.monotonic() < deadline[0]:
                if rate:
                    due = started + (n + i * count) / rate
                    time.sleep(max(0.0, due - time.monotonic()))
                began = time.perf_counter()
                if not work(conn, n, i):
                    return
                took = time.perf_counter() - began
                with lock:
                    latencies.append(took * 1000)
                i += 1

    cpu = _cpu_now()
    started = time.monotonic() + 0.2  # the connections are open by then
    deadline[0] = started + seconds + 1
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    cpu = (_cpu_now() - cpu) * 1000 / max(len(latencies), 1)
    return sorted(latencies), elapsed, cpu


def _sql_row(case, clients, latencies, elapsed, cpu):
    from benchmarks.flash_claim import _percentile

    return {
        "case": case,
        "clients": clients,
        "requests": len(latencies),
        "requests/s": f"{len(latencies) / elapsed:,.0f}",
        "p50 ms": f"{_percentile(latencies, 50):.1f}",
        "p99 ms": f"{_percentile(latencies, 99):.1f}",
        "CPU ms/req": f"{cpu:.2f} (driver)",
        "errors": 0,
    }


def _sql_redemptions(bench_url, setup):
    """Find the coupon by store and code, look up the client id, use it conditionally, record the use."""
    codes = queue.SimpleQueue()
    for code in setup["codes"]["sql"][: REDEEM_RATE * REDEEM_SECONDS]:
        codes.put(code)
    store = setup["store_pk"]

    def work(conn, _n, i):
        try:
            code = codes.get_nowait()
        except queue.Empty:
            return False
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(
                "SELECT c.id, c.status, k.min_purchase, k.amount_off FROM coupons_coupon c"
                " JOIN coupons_campaign k ON k.id = c.campaign_id WHERE c.store_id = %s AND c.code = %s",
                (store, code),
            )
            coupon, _status, _min, amount_off = cur.fetchone()
            cur.execute("SELECT id FROM coupons_redemption WHERE store_id = %s AND client_id = %s", (store, code))
            cur.execute(
                "UPDATE coupons_coupon SET status = 'redeemed', redeemed_at = now() WHERE id = %s"
                " AND status = 'issued' AND starts_at <= now() AND expires_at > now()",
                (coupon,),
            )
            cur.execute(
                "INSERT INTO coupons_redemption (public_id, coupon_id, store_id, via, amount, discount, client_id,"
                " device, created_at) VALUES (%s, %s, %s, 'api', 12000, %s, %s, '', now())",
                (_random(10).lower(), coupon, store, amount_off, f"bench-{code}"),
            )
        return True

    latencies, elapsed, cpu = _sql_threads(bench_url, REDEEM_CLIENTS, work, REDEEM_SECONDS + 20, rate=REDEEM_RATE)
    return _sql_row(f"redemption ~{REDEEM_RATE}/s, raw SQL", REDEEM_CLIENTS, latencies, elapsed, cpu)


def _sql_inbox(bench_url, setup):
    """The inbox page of one customer: 50 newest items with message and store, and unread per store."""
    customers = setup["customers"]

    def work(conn, n, i):
        customer = customers[(i * 7 + n * 131) % len(customers)]
        with conn.cursor() as cur:
            cur.execute(
                "SELECT i.id, i.visible_at, i.read_at, m.public_id, m.kind, m.header, m.body, m.footer, m.buttons,"
                " s.public_id, s.name FROM messaging_inboxitem i JOIN messaging_message m ON m.id = i.message_id"
                " JOIN channels_store s ON s.id = m.store_id WHERE i.customer_id = %s AND i.visible_at <= now()"
                " ORDER BY i.visible_at DESC, i.id DESC LIMIT 50",
                (customer,),
            )
            cur.fetchall()
            cur.execute(
                "SELECT s.public_id, count(*) FROM messaging_inboxitem i JOIN messaging_message m"
                " ON m.id = i.message_id JOIN channels_store s ON s.id = m.store_id WHERE i.customer_id = %s"
                " AND i.read_at IS NULL AND i.visible_at <= now() GROUP BY s.public_id",
                (customer,),
            )
            cur.fetchall()
        conn.rollback()
        return True

    latencies, elapsed, cpu = _sql_threads(bench_url, INBOX_CLIENTS, work, INBOX_SECONDS)
    return _sql_row("GET inbox, raw SQL", INBOX_CLIENTS, latencies, elapsed, cpu)


# Where a claim's CPU goes -------------------------------------------------------------------------


def profile(claims=300):
    """cProfile of `claims` claims through the Django test client, on the bench database."""
    import cProfile
    import pstats

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangol.settings")
    django.setup()
    from django.db import connection
    from django.test import Client

    setup = json.loads(Path(os.environ["BENCH_SETUP_FILE"]).read_text())
    path = f"/api/v1/campaigns/{setup['http_campaign']}/claim"
    clients = []
    for session in setup["sessions"][:claims]:
        client = Client(enforce_csrf_checks=False, HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = session
        clients.append(client)
    statements = []

    def seen(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(seen):
        clients[0].post(path, REMOTE_ADDR="10.2.0.1")
    profiler = cProfile.Profile(time.process_time)  # CPU, not the wait for the database
    profiler.enable()
    for i, client in enumerate(clients[1:]):
        client.post(path, REMOTE_ADDR=f"10.1.{i // 250}.{i % 250 + 1}")
    profiler.disable()
    print(f"statements in one claim: {len(statements)}")
    for sql in statements:
        print("  ", sql[:150])
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(70)


ROUNDS = 5  # of `requests` each; the quickest round is the figure, as other processes only ever add to it


def cpu(requests=None):
    """CPU per request inside one process, straight through Django's WSGI handler (no gunicorn, no
    sockets): the application's own share of the figures above, steady enough to compare two changes.
    BENCH_PROFILE=claim (or redemption, inbox) adds a cProfile of that case, by CPU time, and
    BENCH_PROFILE_FILE=<path> keeps it there for pstats."""
    import cProfile
    import io
    import pstats

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangol.settings")
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    handler = WSGIHandler()
    requests = requests or int(os.environ.get("BENCH_REQUESTS", 100))
    gap = float(os.environ.get("BENCH_GAP_MS", 0)) / 1000  # idle time between requests, as at a steady pace
    import gc

    if os.environ.get("BENCH_GC") == "off":
        gc.disable()
    if os.environ.get("BENCH_GC") == "freeze":
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 - as gunicorn's preload would have it
        gc.collect()
        gc.freeze()
    setup = json.loads(Path(os.environ["BENCH_SETUP_FILE"]).read_text())
    csrf = secrets.token_hex(16)

    def call(method, path, headers, body=b""):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            **headers,
        }
        statuses = []
        b"".join(handler(environ, lambda status, _headers, *_: statuses.append(status)))
        return statuses[0]

    claim_path = f"/api/v1/campaigns/{setup['http_campaign']}/claim"
    redeem_path = _redeem_path(setup)
    cases = {
        "claim": lambda i: call(
            "POST",
            claim_path,
            {
                "HTTP_COOKIE": f"sessionid={setup['sessions'][i]}; csrftoken={csrf}",
                "HTTP_X_CSRFTOKEN": csrf,
                "HTTP_X_FORWARDED_FOR": f"10.3.{i // 250}.{i % 250 + 1}",
            },
        ),
        "redemption": lambda i: call(
            "POST",
            redeem_path,
            {"HTTP_AUTHORIZATION": f"Bearer {setup['api_key']}", "CONTENT_TYPE": "application/json"},
            json.dumps({"code": setup["codes"]["http"][i], "amount": 12000, "client_id": f"cpu-{i}"}).encode(),
        ),
        "scan": lambda i: call(
            "POST",
            redeem_path,
            {"HTTP_AUTHORIZATION": f"Bearer {setup['api_key']}", "CONTENT_TYPE": "application/json"},
            json.dumps({"token": setup["tokens"][i], "amount": 12000, "client_id": f"scan-{i}"}).encode(),
        ),
        "inbox": lambda i: call("GET", "/api/v1/inbox", {"HTTP_COOKIE": f"sessionid={setup['sessions'][i]}"}),
    }
    for name, request in cases.items():
        if name not in CASES:
            continue
        statements = []

        def seen(execute, sql, params, many, context, statements=statements):
            statements.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(seen):
            request(ROUNDS * requests)  # the first call of a kind imports and compiles what it needs
        database = _backend_cpu_ns(connection)
        if os.environ.get("BENCH_STATEMENTS"):
            print(f"{name}: {len(statements)} statements")
            for sql in statements:
                print("   ", sql[:160])
        statuses = set()
        profiler = cProfile.Profile(time.process_time) if os.environ.get("BENCH_PROFILE") == name else None
        spent = []
        for first in range(0, ROUNDS * requests, requests):
            started = time.process_time()
            if profiler:
                profiler.enable()
            for i in range(first, first + requests):
                statuses.add(request(i))
                if gap:
                    time.sleep(gap)
            if profiler:
                profiler.disable()
            spent.append((time.process_time() - started) / requests * 1000)
        rounds = " ".join(f"{ms:.2f}" for ms in spent)
        database = (_backend_cpu_ns(connection) - database) / 1e6 / (ROUNDS * requests)
        print(
            f"{name:<13} {min(spent):5.2f} ms CPU per request (rounds: {rounds}), database {database:.3f} ms,"
            f" statuses {sorted(statuses)}"
        )
        if profiler:
            if os.environ.get("BENCH_PROFILE_FILE"):
                profiler.dump_stats(os.environ["BENCH_PROFILE_FILE"])
            pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_SORT", "tottime")).print_stats(
                int(os.environ.get("BENCH_LINES", 40))
            )


def _backend_cpu_ns(connection):
    """CPU time the PostgreSQL backend serving `connection` has used so far, in ns (/proc/<pid>/schedstat: the
    server runs on this machine, as in every benchmark here)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


@contextlib.contextmanager
def _loaded(url, **extra_env):
    """A bench database next to `url`, migrated and loaded by `prepare()`, dropped afterwards: yields its URL
    and the environment to run `cpu()` or `profile()` against it (BENCH_SETUP_FILE names the setup)."""
    bench_url = _create_database(url, "path")
    try:
        env = {**bench_env(bench_url), **extra_env}
        _python(["manage.py", "migrate", "--noinput", "-v", "0"], env)
        setup = _python(["-c", "from benchmarks.request_path import prepare; prepare()"], env)
        with tempfile.NamedTemporaryFile("w", suffix=".json") as setup_file:
            setup_file.write(setup)
            setup_file.flush()
            yield bench_url, {**env, "BENCH_SETUP_FILE": setup_file.name}
    finally:
        _drop_database(url, bench_url)


def _profile_main(what="profile"):
    with _loaded(os.environ["DATABASE_URL"]) as (_bench_url, env):
        subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-c", f"from benchmarks.request_path import {what}; {what}()"],
            cwd=ROOT,
            env=env,
            check=True,
        )


def _instructions_main():
    """Instructions per request of each case through Django's WSGI handler, counted by valgrind (cachegrind
    without its cache model). The same code counts the same within about 1%, where its CPU time moves by a
    third from run to run on a virtual machine: the way to tell whether a change does less work.

    Each case runs in `cpu()` twice, with 10 and with 40 requests a round, on its own copy of the loaded
    database; the difference between the two counts, divided by the requests between them, leaves out
    what starting Python and Django costs."""
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed")
    url = os.environ["DATABASE_URL"]
    short, long = 10, 40
    with _loaded(url, BENCH_INBOX_ITEMS=os.environ.get("BENCH_INBOX_ITEMS", "20000")) as (bench_url, env):
        for case in CASES:
            counts = [_instructions(url, bench_url, env, case, n) for n in (short, long)]
            per_request = (counts[1] - counts[0]) / ((long - short) * ROUNDS)
            print(f"{case:<13} {per_request / 1000:7,.0f}k instructions per request", flush=True)


def _instructions(url, bench_url, env, case, requests):
    """valgrind's instruction count for `cpu()` running `case` with `requests` a round, on a fresh copy."""
    copy_url = _copy_database(url, bench_url)
    try:
        done = subprocess.run(  # noqa: S603 - valgrind running our own interpreter and module
            [
                shutil.which("valgrind"),
                "--tool=cachegrind",
                "--cache-sim=no",
                "--cachegrind-out-file=/dev/null",
                sys.executable,
                "-W",
                "ignore",
                "-c",
                "from benchmarks.request_path import cpu; cpu()",
            ],
            cwd=ROOT,
            env={
                **env,
                "DATABASE_URL": copy_url,
                "BENCH_CASES": case,
                "BENCH_REQUESTS": str(requests),
                "BENCH_GC": "freeze",
            },
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        _drop_database(url, copy_url)
    refs = [line for line in done.stderr.splitlines() if "I" in line and "refs:" in line]
    return int(refs[-1].rsplit(":", 1)[1].replace(",", "").strip())


def _copy_database(url, bench_url):
    """A copy of the loaded bench database (CREATE DATABASE … TEMPLATE), so each count starts from the same rows."""
    name = urlsplit(bench_url).path.lstrip("/")
    copy = f"{name}_copy"
    with _admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
    return urlunsplit(urlsplit(bench_url)._replace(path=f"/{copy}"))


if __name__ == "__main__":
    if sys.argv[1:] in (["profile"], ["cpu"]):
        _profile_main(sys.argv[1])
    elif sys.argv[1:] == ["instructions"]:
        _instructions_main()
    else:
        from benchmarks.__main__ import main

        main(["request_path"])
