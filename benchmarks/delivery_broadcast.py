"""Broadcast to 100,000 followers: seconds until every inbox shows the message (Message.deliver: the
inbox INSERT ... SELECT, the push and SMS delivery rows, the status update), beside the raw
INSERT ... SELECT of the same inbox rows on the same database.

Runs in a fresh database of its own: a temporary SQLite file, or, when DATABASE_URL names PostgreSQL,
a database created next to it and dropped afterwards.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

FOLLOWERS = 100_000
SUBSCRIBED_EVERY = 10  # one follower in ten has a browser subscribed for push
UNUSABLE = "!"  # Django's mark for an account without a password (sign-in is by phone code)
ROOT = Path(__file__).resolve().parent.parent


def run():
    url = os.environ.get("DATABASE_URL", "")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(_round(f"sqlite:///{tmp}/bench.sqlite3", "SQLite"))
    if urlsplit(url).scheme in ("postgres", "postgresql"):
        bench_url = _create_pg(url)
        try:
            rows.append(_round(bench_url, "PostgreSQL"))
        finally:
            _drop_pg(url, bench_url)
    return [row for pair in rows for row in pair]


def _round(url, name):
    # A throwaway database on this machine: the development settings are right for it.
    env = {**os.environ, "DATABASE_URL": url, "DANGOL_LOG_LEVEL": "WARNING", "DANGOL_DEBUG": "1"}
    _python(["manage.py", "migrate", "--noinput", "-v", "0"], env)
    result = json.loads(_python(["-c", "from benchmarks.delivery_broadcast import measure; measure()"], env))
    ratio = result["deliver"] / result["raw"]
    return [
        {
            "case": f"broadcast {FOLLOWERS:,} followers ({name})",
            "seconds": f"{result['deliver']:.2f}",
            "rows": f"{result['inbox']:,} inbox + {result['push']:,} push",
            "vs raw": f"{ratio:.2f}× (goal ≤ 2×)",
        },
        {
            "case": f"raw INSERT ... SELECT ({name})",
            "seconds": f"{result['raw']:.2f}",
            "rows": f"{result['inbox']:,} inbox",
        },
    ]


def measure():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangol.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db import connection, transaction
    from django.utils import timezone

    from dangol.accounts.models import User
    from dangol.channels.models import Follow, Store
    from dangol.delivery.models import Delivery, PushSubscription
    from dangol.markets.models import Market
    from dangol.messaging.models import InboxItem, Message

    market = Market.objects.create(name="벤치시장")
    store = Store.objects.create(market=market, name="벤치가게", category="fruit", stall_number="가-1")
    now = timezone.now()
    users = User.objects.bulk_create(
        [User(phone=f"+8210{i:08d}", password=UNUSABLE) for i in range(FOLLOWERS)], batch_size=5000
    )
    Follow.objects.bulk_create(
        [Follow(customer=u, store=store, ads_consent=True, night_consent=True, ads_consent_at=now) for u in users],
        batch_size=5000,
    )
    PushSubscription.objects.bulk_create(
        [
            PushSubscription(customer=u, endpoint=f"https://push.example/{u.pk}", p256dh="x", auth="y")
            for u in users[::SUBSCRIBED_EVERY]
        ],
        batch_size=5000,
    )

    inbox, follows = InboxItem._meta.db_table, Follow._meta.db_table

    def deliver_once():
        message = Message.objects.create(store=store, kind="info", body="벤치 메시지", send_at=now)
        started = time.perf_counter()
        message.deliver(now=now)
        return time.perf_counter() - started, message

    def raw_once():
        reference = Message.objects.create(store=store, kind="info", body="기준", send_at=now, status="sent")
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {inbox} (message_id, customer_id, visible_at) "
                f"SELECT %s, customer_id, %s FROM {follows} WHERE store_id = %s AND ended_at IS NULL",
                [reference.pk, now, store.pk],
            )
        return time.perf_counter() - started

    # Alternate, best of two each, so neither side pays alone for a cold cache or a checkpoint.
    rounds = [(deliver_once(), raw_once()) for _ in range(2)]
    deliver, message = min((d for d, _r in rounds), key=lambda d: d[0])
    raw = min(r for _d, r in rounds)
    print(
        json.dumps(
            {
                "deliver": deliver,
                "raw": raw,
                "inbox": InboxItem.objects.filter(message=message).count(),
                "push": Delivery.objects.filter(message=message).count(),
            }
        )
    )


def _python(args, env):
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=1200
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def _admin(url):
    import psycopg

    return psycopg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")), autocommit=True)


def _create_pg(url):
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'dangol'}_broadcast_bench"
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _drop_pg(url, bench_url):
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{urlsplit(bench_url).path.lstrip("/")}" WITH (FORCE)')
