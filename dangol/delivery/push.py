"""Web Push (RFC 8030) with encrypted payloads (RFC 8291, aes128gcm) and VAPID (RFC 8292).

A worker sends a batch at once from one event loop that this process keeps in a thread of its own.
For each push service it keeps up to PUSH_CONCURRENCY HTTP/1.1 connections alive; each connection
carries one request at a time (no pipelining) and takes the batch's next push as soon as its last
one is answered: it encrypts it (a fresh key pair and salt per push, RFC 8291 §3) and posts it with
the push service's VAPID header, signed once per push service for half a day.

The encryption is RFC 8291 §3.3-3.4 and RFC 8188 written out with `cryptography`'s primitives (one
key pair, one ECDH, four HMACs, one AES-GCM) and the HTTP client is a small asyncio protocol, because
http-ece's and aiohttp's general machinery cost more per push than the push itself; the tests read
our bodies with http-ece and check them byte for byte against RFC 8291's worked example.
"""

import asyncio
import atexit
import base64
import dataclasses
import hmac
import os
import ssl
import threading
import time
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import transaction
from py_vapid import Vapid02

from .models import VapidKey

TTL = 24 * 60 * 60  # a push the phone cannot take now waits at the push service up to a day
VAPID_LIFETIME = 12 * 60 * 60
TIMEOUT = 10  # seconds for one push service's answer
KEEP_ALIVE = 15  # seconds an idle connection is kept (servers close theirs; we close ours first)
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
        with transaction.atomic():
            VapidKey.objects.create(private_pem=pem.decode(), public_key=_b64(_point(private)))
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
    answers = [None] * len(pushes)
    by_service = {}  # origin → (request head, [(index, target, info, payload)])
    for index, (info, payload) in enumerate(pushes):
        parts = urlsplit(info["endpoint"])
        if parts.scheme not in ("http", "https") or not parts.netloc.isascii() or not parts.hostname:
            answers[index] = PushAnswer(status=400, error="push endpoint is not an http(s) URL")
            continue
        host = parts.netloc.rpartition("@")[2]
        origin = f"{parts.scheme}://{host}"
        if origin not in by_service:
            head = (
                f"Host: {host}\r\nAuthorization: {_vapid_header(origin)}\r\nTTL: {ttl}\r\n"
                f"Urgency: {urgency}\r\nContent-Encoding: aes128gcm\r\nContent-Type: application/octet-stream\r\n"
            )
            by_service[origin] = (head, [])
        target = quote(parts.path or "/", safe=_PATH_SAFE)
        if parts.query:
            target += "?" + quote(parts.query, safe=_PATH_SAFE)
        by_service[origin][1].append((index, target, info, payload))
    if by_service:
        dispatcher = _Dispatcher.get()
        dispatcher.run(dispatcher.send(by_service, answers))
    return answers


def encrypt(p256dh, auth, payload):
    """`payload` encrypted for one browser as an aes128gcm body (RFC 8291 §3.4, RFC 8188), with a fresh
    key pair and salt for every message (RFC 8291 §3.1)."""
    return _encrypt(_unb64(p256dh), _unb64(auth), payload, ec.generate_private_key(ec.SECP256R1()), os.urandom(16))


def _encrypt(ua_public, auth_secret, payload, as_private, salt):
    if len(payload) + 17 > RECORD_SIZE:
        raise ValueError("payload too large for one record")
    if len(ua_public) != 65 or len(auth_secret) != 16:
        raise ValueError("subscription keys have the wrong size")
    as_public = _point(as_private)
    shared = as_private.exchange(ec.ECDH(), ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ua_public))
    # RFC 8291 §3.4: IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" || 0x00 || ua_public || as_public, 32)
    prk = hmac.digest(auth_secret, shared, "sha256")
    ikm = hmac.digest(prk, b"WebPush: info\x00" + ua_public + as_public + b"\x01", "sha256")
    # RFC 8188 §2.2-2.3: CEK and nonce from the salt; every HKDF output here is one block long.
    prk = hmac.digest(salt, ikm, "sha256")
    cek = hmac.digest(prk, b"Content-Encoding: aes128gcm\x00\x01", "sha256")[:16]
    nonce = hmac.digest(prk, b"Content-Encoding: nonce\x00\x01", "sha256")[:12]
    record = AESGCM(cek).encrypt(nonce, payload + b"\x02", None)  # 0x02: the last (and only) record
    return salt + RECORD_SIZE.to_bytes(4, "big") + bytes([len(as_public)]) + as_public + record


class _Dispatcher:
    """This process's event loop for pushes, in a daemon thread, and its connections per push service.

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
        self.services = {}  # origin → _PushService, used only from the loop's thread
        threading.Thread(target=self.loop.run_forever, name="webpush", daemon=True).start()
        atexit.register(self.close)

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    async def send(self, by_service, answers):
        await asyncio.gather(
            *(self.service(origin).send(head, pushes, answers) for origin, (head, pushes) in by_service.items())
        )

    def service(self, origin):
        if origin not in self.services:
            self.services[origin] = _PushService(origin)
        return self.services[origin]

    def close(self):
        async def close_connections():
            for service in self.services.values():
                service.close()

        if self.loop.is_running() and self.pid == os.getpid():
            try:
                self.run(close_connections())
            finally:
                self.loop.call_soon_threadsafe(self.loop.stop)


class _PushService:
    """One push service (origin): its idle kept-alive connections and how to send a batch to it."""

    def __init__(self, origin):
        parts = urlsplit(origin)
        self.host, self.port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
        self.tls = ssl.create_default_context() if parts.scheme == "https" else None
        self.idle = []

    async def send(self, head, pushes, answers):
        """Post every push over at most PUSH_CONCURRENCY connections, each taking the next push when
        its last one is answered; fill in each push's answer at its index."""
        todo = iter(pushes)
        unreachable = None  # once no connection can be opened, the rest of the batch is answered so

        async def lane():
            nonlocal unreachable
            connection = None
            for index, target, info, payload in todo:
                if unreachable is not None:
                    answers[index] = unreachable
                    continue
                try:
                    body = encrypt(info["keys"]["p256dh"], info["keys"]["auth"], payload)
                except (ValueError, KeyError, TypeError) as error:
                    answers[index] = PushAnswer(status=400, error=f"encryption: {error}"[:200])
                    continue
                request = f"POST {target} HTTP/1.1\r\n{head}Content-Length: {len(body)}\r\n\r\n".encode() + body
                try:
                    async with asyncio.timeout(TIMEOUT):
                        connection = connection or await self.connect()
                        status, headers, text = await connection.request(request)
                except (OSError, TimeoutError, ValueError) as error:
                    answers[index] = _unreached(error)
                    if connection is None:  # no connection could be opened
                        unreachable = answers[index]
                    else:
                        connection.close()
                        connection = None
                    continue
                if not connection.reusable():
                    connection.close()
                    connection = None
                answers[index] = PushAnswer(
                    status=status,
                    retry_after=_retry_after(headers.get("retry-after")) if status == 429 else None,
                    error="" if status < 300 else f"HTTP {status} {text[:150].decode(errors='replace')}",
                )
            if connection is not None:
                self.idle.append(connection)

        lanes = min(getattr(settings, "PUSH_CONCURRENCY", 32), len(pushes))
        await asyncio.gather(*(lane() for _ in range(lanes)))

    async def connect(self):
        while self.idle:
            connection = self.idle.pop()
            if connection.reusable() and time.monotonic() - connection.used_at < KEEP_ALIVE:
                return connection
            connection.close()
        loop = asyncio.get_running_loop()
        tls_name = self.host if self.tls else None
        _transport, connection = await loop.create_connection(
            _Connection, self.host, self.port, ssl=self.tls, server_hostname=tls_name
        )
        return connection

    def close(self):
        for connection in self.idle:
            connection.close()
        self.idle = []


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection to a push service: one request, then its whole answer, at a time."""

    def __init__(self):
        self.transport = None
        self.buffer = bytearray()
        self.waiter = None
        self.open = True
        self.keep_alive = True
        self.used_at = time.monotonic()

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.buffer += data
        self._answer_when_complete(ended=False)

    def eof_received(self):
        self.open = False
        self._answer_when_complete(ended=True)

    def connection_lost(self, error):
        self.open = False
        self._answer_when_complete(ended=True)

    async def request(self, data):
        """Write one request; its (status, headers, body)."""
        if not self.open:
            raise ConnectionError("the push service closed the connection")
        self.buffer.clear()
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        try:
            status, headers, body, self.keep_alive = await self.waiter
        finally:
            self.waiter = None
            self.used_at = time.monotonic()
        return status, headers, body

    def reusable(self):
        return self.open and self.keep_alive and not self.buffer and not self.transport.is_closing()

    def close(self):
        self.open = False
        self.transport.close()

    def _answer_when_complete(self, *, ended):
        if self.waiter is None or self.waiter.done():
            return
        try:
            answer = read_answer(self.buffer, ended=ended)
        except ValueError as error:
            self.waiter.set_exception(error)
            return
        if answer is not None:
            self.buffer.clear()
            self.waiter.set_result(answer)
        elif ended:
            self.waiter.set_exception(ConnectionError("the push service closed the connection mid-answer"))


def read_answer(buffer, *, ended=False):
    """The HTTP/1.1 response at the start of `buffer` (RFC 9112) as (status, headers, body, keep_alive),
    or None while it is incomplete. `ended`: the server has closed its side, ending a body that has
    no length. Interim 1xx responses are skipped; a malformed response raises ValueError."""
    start = 0
    while True:
        end = buffer.find(b"\r\n\r\n", start)
        if end < 0:
            if len(buffer) - start > 64 * 1024:
                raise ValueError("response head too long")
            return None
        status_line, *lines = bytes(buffer[start:end]).decode("latin-1").split("\r\n")
        version, _space, rest = status_line.partition(" ")
        if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
            raise ValueError(f"not an HTTP/1.1 response: {status_line[:40]!r}")
        status = int(rest[:3])
        headers = {}
        for line in lines:
            name, colon, value = line.partition(":")
            if not colon:
                raise ValueError("malformed header line")
            headers[name.strip().lower()] = value.strip()
        start = end + 4
        if status >= 200:
            break
    keep_alive = version == "HTTP/1.1" and "close" not in headers.get("connection", "").lower()
    if status in (204, 304):
        return status, headers, b"", keep_alive
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = _dechunk(buffer, start)
        return None if body is None else (status, headers, body, keep_alive)
    if "content-length" in headers:
        length = int(headers["content-length"])
        if len(buffer) < start + length:
            return None
        return status, headers, bytes(buffer[start : start + length]), keep_alive
    return (status, headers, bytes(buffer[start:]), False) if ended else None


def _dechunk(buffer, at):
    """A chunked body (RFC 9112 §7.1) starting at `at`, or None while it is incomplete."""
    body = bytearray()
    while True:
        line_end = buffer.find(b"\r\n", at)
        if line_end < 0:
            return None
        size = int(bytes(buffer[at:line_end]).split(b";")[0].strip(), 16)
        at = line_end + 2
        if size == 0:  # then trailer fields, if any, and an empty line
            if buffer[at : at + 2] == b"\r\n" or buffer.find(b"\r\n\r\n", at) >= 0:
                return bytes(body)
            return None
        if len(buffer) < at + size + 2:
            return None
        body += buffer[at : at + size]
        at += size + 2


def _unreached(error):
    return PushAnswer(status=0, error=(str(error) or type(error).__name__)[:200])


def _vapid_header(origin):
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
        cached = cache[origin] = (expires, signed["Authorization"])
    return cached[1]


def forget_cached_keys():
    """Drop the per-thread VAPID headers (after the key row changes, as in tests)."""
    _local.vapid = {}


_PATH_SAFE = "/:@!$&'()*+,;=-._~%"  # RFC 3986 pchar and "/": an endpoint already percent-encoded stays as it is


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


def _point(private_key):
    return private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


def _b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(value):
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
