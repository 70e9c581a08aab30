"""Local stand-ins for the outside services: a Web Push service (RFC 8030) and SOLAPI, on 127.0.0.1."""

import base64
import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from dangol.channels.models import Follow
from dangol.delivery import push
from dangol.delivery.models import PushSubscription


class _Server:
    def __init__(self, handler_class):
        self.requests = []
        self.answers = {}  # path → list of (status, headers) to answer in turn; default 201
        self.lock = threading.Lock()
        handler_class.server_state = self
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def next_answer(self, path, default):
        with self.lock:
            queue = self.answers.get(path)
            return queue.pop(0) if queue else default

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _PushHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        state = self.server_state
        with state.lock:
            state.requests.append(
                {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
            )
            state.in_flight += 1
            state.most_in_flight = max(state.most_in_flight, state.in_flight)
        time.sleep(state.delay)
        with state.lock:
            state.in_flight -= 1
        status, headers = state.next_answer(self.path, (201, {}))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def push_service():
    """A push service that takes every push (201) unless told otherwise per path."""
    server = _Server(type("PushHandler", (_PushHandler,), {}))
    server.delay, server.in_flight, server.most_in_flight = 0, 0, 0  # seconds before each answer
    push.forget_cached_keys()
    yield server
    server.stop()


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class Browser:
    """A browser's own key pair and auth secret, as PushManager.subscribe() would make them."""

    def __init__(self, server, name):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = b"0123456789abcdef"
        self.endpoint = f"{server.url}/push/{name}"
        self.path = f"/push/{name}"

    @property
    def p256dh(self):
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64(public)

    def subscribe(self, customer):
        return PushSubscription.objects.create(
            customer=customer, endpoint=self.endpoint, p256dh=self.p256dh, auth=b64(self.auth_secret)
        )


@pytest.fixture
def browser(push_service):
    return lambda name: Browser(push_service, name)


@pytest.fixture
def follow():
    def start(customer, store, *, ads=True, night=False):
        return Follow.start(customer=customer, store=store, ads=ads, night=night, via="web")[0]

    return start


class _SolapiHandler(BaseHTTPRequestHandler):
    """SOLAPI's v4 API as documented: HMAC-SHA256 over date+salt keyed by the secret, 403 otherwise."""

    protocol_version = "HTTP/1.1"
    api_key, api_secret = "NCSTESTKEY", "test-secret"

    def _authorized(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("HMAC-SHA256 "):
            return False
        fields = dict(part.split("=", 1) for part in header[len("HMAC-SHA256 ") :].split(", "))
        expected = hmac.new(
            self.api_secret.encode(), (fields.get("date", "") + fields.get("salt", "")).encode(), hashlib.sha256
        ).hexdigest()
        salt = fields.get("salt", "")
        state = self.server_state
        with state.lock:
            reused = salt in state.salts
            state.salts.add(salt)
        return (
            fields.get("apiKey") == self.api_key
            and hmac.compare_digest(expected, fields.get("signature", ""))
            and not reused
            and 12 <= len(salt) <= 64
        )

    def _answer(self, status, body):
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        state = self.server_state
        if not self._authorized():
            return self._answer(403, {"errorCode": "SignatureDoesNotMatch", "errorMessage": "signature"})
        status, _headers = state.next_answer(self.path, (200, {}))
        if status != 200:
            return self._answer(status, {"errorCode": "ServerError", "errorMessage": "잠시 뒤"})
        with state.lock:
            state.requests.append({"path": self.path, "body": body})
        if self.path == "/messages/v4/send":
            message = body["message"]
            state.sent.append(message)
            return self._answer(
                200,
                {
                    "messageId": f"M{len(state.sent)}",
                    "statusCode": "2000",
                    "to": message["to"],
                    "statusMessage": "정상 접수",
                },
            )
        accepted, failed = [], []
        for message in body["messages"]:
            if message["to"].startswith("0109999"):
                failed.append({"to": message["to"], "statusCode": "1062", "statusMessage": "잘못된 수신번호"})
            else:
                state.sent.append(message)
                accepted.append({"to": message["to"], "messageId": f"M{len(state.sent)}", "statusCode": "2000"})
        return self._answer(200, {"groupInfo": {"groupId": "G1"}, "messageList": accepted, "failedMessageList": failed})

    def do_GET(self):
        if not self._authorized():
            return self._answer(403, {"errorCode": "SignatureDoesNotMatch", "errorMessage": "signature"})
        message_id = self.path.split("value=")[-1].split("&")[0]
        state = self.server_state
        with state.lock:
            state.requests.append({"path": self.path, "method": "GET"})
            status = state.statuses.get(message_id, "4000")
        return self._answer(200, {"messageList": {message_id: {"messageId": message_id, "statusCode": status}}})

    def log_message(self, *args):
        pass


@pytest.fixture
def solapi(settings):
    server = _Server(type("SolapiHandler", (_SolapiHandler,), {}))
    server.salts, server.sent = set(), []
    server.statuses = {}  # messageId → the statusCode its delivery report gives; "4000" (received) unless set
    settings.SMS_BACKEND = "dangol.accounts.sms.SolapiSMS"
    settings.SOLAPI_API_KEY, settings.SOLAPI_API_SECRET = _SolapiHandler.api_key, _SolapiHandler.api_secret
    settings.SOLAPI_BASE_URL = server.url
    settings.SMS_SENDER = "+8221234567"
    yield server
    server.stop()
