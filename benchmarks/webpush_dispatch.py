"""Web Push dispatch: encrypted pushes (RFC 8291 aes128gcm + VAPID) per second from one worker process
(one thread) to a local push service, beside its two parts alone: encrypting only, and posting the
same-sized body without encryption over the same kept-alive connection.

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
            result = json.loads(
                _python(["-c", f"from benchmarks.webpush_dispatch import measure; measure({port})"], env)
            )
        finally:
            os.kill(server.pid, signal.SIGTERM)
            server.wait(timeout=10)
    return [
        {"case": "Web Push dispatch, 1 process", "pushes/s": f"{result['push']:,.0f}", "goal": "≥ 3,000"},
        {"case": "  encryption alone (ECDH + HKDF + AES-GCM)", "pushes/s": f"{result['encrypt']:,.0f}"},
        {"case": "  HTTP POST alone (same body, kept-alive)", "pushes/s": f"{result['post']:,.0f}"},
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
    from pywebpush import WebPusher

    from dangol.delivery.push import push_send

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

    push_send(subs[0], payload)  # the VAPID key is made and the connection opened outside the clock
    started = time.perf_counter()
    answers = [push_send(sub, payload) for sub in subs]
    push_rate = PUSHES / (time.perf_counter() - started)
    assert all(a.delivered for a in answers), answers[:3]

    started = time.perf_counter()
    bodies = [WebPusher(sub).encode(payload)["body"] for sub in subs]
    encrypt_rate = PUSHES / (time.perf_counter() - started)

    session = requests.Session()
    started = time.perf_counter()
    for sub, body in zip(subs, bodies, strict=True):
        session.post(sub["endpoint"], data=body, headers={"TTL": "0", "Content-Encoding": "aes128gcm"}, timeout=10)
    post_rate = PUSHES / (time.perf_counter() - started)
    print(json.dumps({"push": push_rate, "encrypt": encrypt_rate, "post": post_rate}))


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
