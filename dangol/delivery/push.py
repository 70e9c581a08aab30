"""Web Push (RFC 8030) with encrypted payloads (RFC 8291, aes128gcm) and VAPID (RFC 8292).

pywebpush encrypts and posts; we keep one HTTP session per push service (connection reuse) and
one signed VAPID header per push service for half a day, so a push costs one ECDH, one AES-GCM
and one request.
"""

import base64
import dataclasses
import threading
import time
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from py_vapid import Vapid02
from pywebpush import WebPusher

from .models import VapidKey

TTL = 24 * 60 * 60  # a push the phone cannot take now waits at the push service up to a day
VAPID_LIFETIME = 12 * 60 * 60

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
    endpoint = subscription_info["endpoint"]
    origin = _origin(endpoint)
    headers = {**_vapid_headers(origin), "Urgency": urgency}
    pusher = WebPusher(subscription_info, requests_session=_session(origin))
    try:
        response = pusher.send(data=payload, headers=headers, ttl=ttl, timeout=10, content_encoding="aes128gcm")
    except requests.RequestException as error:
        return PushAnswer(status=0, error=str(error)[:200])
    retry_after = _retry_after(response.headers.get("Retry-After")) if response.status_code == 429 else None
    error = "" if response.status_code < 300 else f"HTTP {response.status_code} {response.text[:150]}"
    return PushAnswer(status=response.status_code, retry_after=retry_after, error=error)


def _session(origin):
    sessions = getattr(_local, "sessions", None)
    if sessions is None:
        sessions = _local.sessions = {}
    if origin not in sessions:
        session = requests.Session()
        session.mount(origin, requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=4))
        sessions[origin] = session
    return sessions[origin]


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
