"""Web Push dispatch: encrypted pushes (RFC 8291 aes128gcm + VAPID) per second from one worker process
to a local push service, measured as the worker runs (claim due rows, encrypt, post concurrently,
record each row's state), beside push_send_many without the database, and its two parts alone:
encrypting only, and posting the same bodies over the same kept-alive connections. The old way
(requests, one POST at a time) is the last line. The worker's line also gives the process's CPU time
per push (both threads), which says what a core would do on a machine shared with other work.

The worker runs with DEBUG off, as in production: DEBUG keeps every query's SQL with its parameters.

The push service is a minimal asyncio HTTP/1.1 server on 127.0.0.1 in a process of its own that
answers 201 to every POST; it is stopped by its pid.
"""

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PUSHES = 3_000
UNUSABLE = "!"  # Django's mark for an account without a password (sign-in is by phone code)
ROOT = Path(__file__).resolve().parent.parent


def run():
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/push.sqlite3",
            "DANGOL_LOG_LEVEL": "WARNING",
            "DANGOL_DEBUG": "1",  # a throwaway database on this machine
        }
        _python(["manage.py", "migrate", "--noinput", "-v", "0"], env)
        port = _free_port()
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-c", f"from benchmarks.webpush_dispatch import serve; serve({port})"], cwd=ROOT
        )
        try:
            _wait_for(port)
            worker_env = {**env, "DANGOL_DEBUG": "0"}  # no checks run here, so no production secrets needed
            result = json.loads(
                _python(["-c", f"from benchmarks.webpush_dispatch import measure; measure({port})"], worker_env)
            )
        finally:
            os.kill(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
    return [
        {
            "case": f"Web Push dispatch, 1 worker process: {PUSHES:,} queued rows claimed, sent, recorded",
            "pushes/s": f"{result['worker']:,.0f}",
            "goal": "≥ 3,000",
            "CPU µs/push": f"{result['worker_cpu']:,.0f}",
        },
        {"case": "  push_send_many alone (encrypt + post, no database)", "pushes/s": f"{result['push']:,.0f}"},
        {"case": "  encryption alone (key pair + ECDH + HKDF + AES-GCM)", "pushes/s": f"{result['encrypt']:,.0f}"},
        {"case": "  HTTP POST alone (same bodies, same concurrent sessions)", "pushes/s": f"{result['post']:,.0f}"},
        {"case": "  before: requests, one POST at a time", "pushes/s": f"{result['serial']:,.0f}"},
    ]


def measure(port):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangol.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    import base64

    import requests
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.conf import settings
    from django.urls import reverse
    from django.utils import timezone

    from dangol.accounts.models import User
    from dangol.channels.models import Follow, Store
    from dangol.delivery import push
    from dangol.delivery.models import Delivery, PushSubscription
    from dangol.delivery.services import deliveries_send_due
    from dangol.markets.models import Market
    from dangol.messaging.models import Message

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    p256dh = base64.urlsafe_b64encode(
        key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    ).rstrip(b"=")
    keys = {"p256dh": p256dh.decode(), "auth": base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=").decode()}
    payload = json.dumps(
        {"title": "햇살과일", "body": "오늘 저녁 6시 마감 세일! 사과 한 봉 5천원", "url": "/inbox/abcdef123456/"},
        ensure_ascii=False,
    ).encode()
    subs = [{"endpoint": f"http://127.0.0.1:{port}/push/{i}", "keys": keys} for i in range(PUSHES)]

    # The whole worker: PUSHES followers with a browser each, one message, passes until all are sent.
    market = Market.objects.create(name="벤치시장")
    store = Store.objects.create(market=market, name="벤치가게", category="fruit", stall_number="가-1")
    now = timezone.now()
    users = User.objects.bulk_create([User(phone=f"+8210{i:08d}", password=UNUSABLE) for i in range(PUSHES)])
    Follow.objects.bulk_create([Follow(customer=u, store=store, ads_consent_at=now) for u in users])
    PushSubscription.objects.bulk_create(
        [PushSubscription(customer=u, endpoint=sub["endpoint"], **keys) for u, sub in zip(users, subs, strict=True)]
    )
    Message.objects.create(store=store, kind="info", body="오늘 저녁 6시 마감 세일!", send_at=now).deliver(now=now)
    # Outside the clock, as in a worker that has run before: the VAPID key is made, the connections
    # opened and the URL patterns loaded.
    push.push_send(subs[0], payload)
    reverse("messaging:inbox")
    started, cpu = time.perf_counter(), time.process_time()
    done = deliveries_send_due(now=now, seconds=600)
    worker_rate = PUSHES / (time.perf_counter() - started)
    worker_cpu = (time.process_time() - cpu) / PUSHES * 1e6
    assert done["push"] == Delivery.objects.filter(state="sent").count() == PUSHES, done

    started = time.perf_counter()
    answers = push.push_send_many([(sub, payload) for sub in subs])
    push_rate = PUSHES / (time.perf_counter() - started)
    assert all(a.delivered for a in answers), answers[:3]

    started = time.perf_counter()
    bodies = [push.encrypt(keys["p256dh"], keys["auth"], payload) for _sub in subs]
    encrypt_rate = PUSHES / (time.perf_counter() - started)

    headers = {"TTL": "0", "Content-Encoding": "aes128gcm"}
    dispatcher = push._Dispatcher.get()
    todo = [
        (
            f"POST /push/{i} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nTTL: 0\r\nContent-Encoding: aes128gcm\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
        for i, body in enumerate(bodies)
    ]

    async def post_all():
        service, requests_left, statuses = dispatcher.service(f"http://127.0.0.1:{port}"), iter(todo), []

        async def lane():
            connection = await service.connect()
            for request in requests_left:
                statuses.append((await connection.request(request))[0])
            service.idle.append(connection)

        await asyncio.gather(*(lane() for _ in range(settings.PUSH_CONCURRENCY)))
        return statuses

    started = time.perf_counter()
    statuses = dispatcher.run(post_all())
    assert len(statuses) == PUSHES and set(statuses) == {201}
    post_rate = PUSHES / (time.perf_counter() - started)

    session = requests.Session()
    started = time.perf_counter()
    for sub, body in zip(subs, bodies, strict=True):
        session.post(sub["endpoint"], data=body, headers=headers, timeout=10)
    serial_rate = PUSHES / (time.perf_counter() - started)
    print(
        json.dumps(
            {
                "worker": worker_rate,
                "worker_cpu": worker_cpu,
                "push": push_rate,
                "encrypt": encrypt_rate,
                "post": post_rate,
                "serial": serial_rate,
            }
        )
    )


def serve(port):
    """Answer 201 to every request; keep connections alive."""

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                if length:
                    await reader.readexactly(length)
                writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    async def main():
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port):
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the local push service did not start")


def _python(args, env):
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout
