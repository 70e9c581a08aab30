"""Web Push (RFC 8030) with encrypted payloads (RFC 8291, aes128gcm) and VAPID (RFC 8292).

A worker sends a batch at once: every push is encrypted and posted from one event loop that this
process keeps in a thread of its own, with one aiohttp session (kept-alive connections, at most
PUSH_CONCURRENCY requests in flight) per push service, and one signed VAPID header per push service
for half a day. A push costs one key pair, one ECDH, one AES-GCM and one request.
"""

import asyncio
import atexit
import base64
import dataclasses
import os
import threading
import time
from urllib.parse import urlsplit

import aiohttp
import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from py_vapid import Vapid02

from .models import VapidKey

TTL = 24 * 60 * 60  # a push the phone cannot take now waits at the push service up to a day
VAPID_LIFETIME = 12 * 60 * 60
TIMEOUT = 10  # seconds for one push service's answer
RECORD_SIZE = 4096  # one aes128gcm record holds the whole payload (push services take at most 4 KB)

_local = threading.local()


def vapid_key():
    """The kept VAPID key pair, made on first use (the oldest row wins if two processes race)."""
    key = VapidKey.objects.order_by("pk").first()
    if key is None:
        # Made with cryptography directly: py-vapid's generate_keys predates cryptography 42's API.
        private = ec.generate_private_key(ec.SECP256R1())
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        public = private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        with transaction.atomic():
            VapidKey.objects.create(private_pem=pem.decode(), public_key=_b64(public))
        key = VapidKey.objects.order_by("pk").first()
    return key


def application_server_key():
    return vapid_key().public_key


@dataclasses.dataclass
class PushAnswer:
    status: int  # HTTP status, 0 when the push service could not be reached
    retry_after: int | None = None
    error: str = ""

    @property
    def delivered(self):
        return self.status in (200, 201, 202)

    @property
    def gone(self):
        return self.status in (404, 410)

    @property
    def worth_retrying(self):
        return self.status == 0 or self.status == 429 or self.status >= 500


def push_send(subscription_info, payload, *, ttl=TTL, urgency="normal"):
    """Encrypt `payload` (bytes) for one subscription and post it to its push service."""
    return push_send_many([(subscription_info, payload)], ttl=ttl, urgency=urgency)[0]


def push_send_many(pushes, *, ttl=TTL, urgency="normal"):
    """Send [(subscription_info, payload), ...] concurrently; a PushAnswer for each, in order.

    Blocks the calling thread until every push has its answer (or its timeout), so the caller records
    each outcome itself; nothing here touches the database but the VAPID key, read in this thread.
    """
    if not pushes:
        return []
    headers = {}
    for info, _payload in pushes:
        origin = _origin(info["endpoint"])
        if origin not in headers:
            headers[origin] = {
                **_vapid_headers(origin),
                "TTL": str(ttl),
                "Urgency": urgency,
                "Content-Encoding": "aes128gcm",
                "Content-Type": "application/octet-stream",
            }
    return _Dispatcher.get().run(_post_all(pushes, headers))


def encrypt(p256dh, auth, payload):
    """RFC 8291 / RFC 8188: `payload` encrypted for one browser as an aes128gcm body, by http-ece (the
    reference implementation), with a fresh key pair and salt for every message (RFC 8291 §3.1)."""
    if len(payload) + 17 > RECORD_SIZE:
        raise ValueError("payload too large for one record")
    return http_ece.encrypt(
        payload,
        salt=os.urandom(16),
        private_key=ec.generate_private_key(ec.SECP256R1()),
        dh=_unb64(p256dh),
        auth_secret=_unb64(auth),
        version="aes128gcm",
        rs=RECORD_SIZE,
    )


async def _post_all(pushes, headers):
    dispatcher = _Dispatcher.get()
    return await asyncio.gather(
        *(dispatcher.post(info, payload, headers[_origin(info["endpoint"])]) for info, payload in pushes)
    )


class _Dispatcher:
    """This process's event loop for pushes, in a daemon thread, and its sessions per push service.

    One loop for the whole process (not one per call) so connections stay open between worker passes,
    and so a caller that already runs a loop of its own (Playwright, ASGI) can still send.
    """

    _instance = None
    _lock = threading.Lock()

    @classmethod
    def get(cls):
        with cls._lock:
            if cls._instance is None or cls._instance.pid != os.getpid():  # a forked worker makes its own
                cls._instance = cls()
            return cls._instance

    def __init__(self):
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.sessions = {}  # origin → (session, semaphore), used only from the loop's thread
        threading.Thread(target=self.loop.run_forever, name="webpush", daemon=True).start()
        atexit.register(self.close)

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    async def post(self, info, payload, headers):
        endpoint = info["endpoint"]
        session, slots = self._session(_origin(endpoint))
        async with slots:  # encrypt only when a request slot is free, so encrypting overlaps the waiting
            try:
                body = encrypt(info["keys"]["p256dh"], info["keys"]["auth"], payload)
            except ValueError as error:
                return PushAnswer(status=400, error=f"encryption: {error}"[:200])
            try:
                async with session.post(endpoint, data=body, headers=headers) as response:
                    text = (await response.text(errors="replace"))[:150] if response.status >= 300 else ""
                    status, retry_after = response.status, response.headers.get("Retry-After")
            except (aiohttp.ClientError, TimeoutError) as error:
                return PushAnswer(status=0, error=(str(error) or type(error).__name__)[:200])
        return PushAnswer(
            status=status,
            retry_after=_retry_after(retry_after) if status == 429 else None,
            error="" if status < 300 else f"HTTP {status} {text}",
        )

    def _session(self, origin):
        if origin not in self.sessions:
            limit = getattr(settings, "PUSH_CONCURRENCY", 32)
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=limit, limit_per_host=limit),
                timeout=aiohttp.ClientTimeout(total=TIMEOUT),
                cookie_jar=aiohttp.DummyCookieJar(),  # push services set no cookies we would send back
                auto_decompress=False,  # the answers we read are short status texts
            )
            self.sessions[origin] = (session, asyncio.Semaphore(limit))
        return self.sessions[origin]

    def close(self):
        async def close_sessions():
            for session, _slots in self.sessions.values():
                await session.close()

        if self.loop.is_running() and self.pid == os.getpid():
            try:
                self.run(close_sessions())
            finally:
                self.loop.call_soon_threadsafe(self.loop.stop)


def _vapid_headers(origin):
    cache = getattr(_local, "vapid", None)
    if cache is None:
        cache = _local.vapid = {}
    cached = cache.get(origin)
    now = time.time()
    if cached is None or cached[0] < now + 60:
        key = vapid_key()
        vapid = Vapid02.from_pem(key.private_pem.encode())
        expires = int(now) + VAPID_LIFETIME
        subject = getattr(settings, "VAPID_SUBJECT", "mailto:dangol@example.com")
        signed = vapid.sign({"aud": origin, "exp": expires, "sub": subject})
        cached = cache[origin] = (expires, {"Authorization": signed["Authorization"]})
    return cached[1]


def forget_cached_keys():
    """Drop the per-thread VAPID headers (after the key row changes, as in tests)."""
    _local.vapid = {}


def _origin(endpoint):
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def _retry_after(value):
    """Retry-After as seconds (RFC 9110: delay-seconds or an HTTP date)."""
    if not value:
        return None
    if value.strip().isdigit():
        return int(value.strip())
    from email.utils import parsedate_to_datetime

    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0, int(moment.timestamp() - time.time()))


def _b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(value):
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
