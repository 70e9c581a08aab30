"""A local stand-in for Toss Payments' core API, following its documentation:

- POST /v1/payments/confirm {paymentKey, orderId, amount} → the Payment object, status DONE
- GET  /v1/payments/{paymentKey} → the Payment object
- POST /v1/payments/{paymentKey}/cancel {cancelReason, cancelAmount?} → the Payment object with `cancels`
- HTTP Basic auth: base64("<secret key>:"); errors are {"code", "message"} with a 4xx/5xx status
- the Idempotency-Key header makes a repeated POST return the first response

`authorize(order_id, amount)` plays the customer paying in Toss's payment window:
it returns the paymentKey Toss would put on the successUrl.
"""

import base64
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET_KEY = "test_sk_dangolFakeSecretKey000"
NOW = "2026-11-26T10:00:00+09:00"


class FakeToss:
    def __init__(self, secret_key=SECRET_KEY):
        self.secret_key = secret_key
        self.sessions = {}  # paymentKey → {"orderId", "amount"} waiting for confirm
        self.payments = {}  # paymentKey → Payment object
        self.idempotent = {}  # Idempotency-Key → (status, body)
        self.requests = []  # (method, path, headers, body) as received
        self.decline_next = None  # (status, code, message) for the next confirm
        self.fail_next_with_500 = False
        self.drop_next_response = False  # do the work, then hang up without answering
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def authorize(self, order_id, amount):
        key = "tgen_" + secrets.token_urlsafe(24)
        with self.lock:
            self.sessions[key] = {"orderId": order_id, "amount": int(amount)}
        return key

    # --- the API -----------------------------------------------------------------------

    def _payment(self, key, session):
        return {
            "mId": "tosspayments",
            "version": "2022-11-16",
            "paymentKey": key,
            "orderId": session["orderId"],
            "orderName": "같이 모금함 기부",
            "currency": "KRW",
            "method": "카드",
            "status": "DONE",
            "requestedAt": NOW,
            "approvedAt": NOW,
            "totalAmount": session["amount"],
            "balanceAmount": session["amount"],
            "cancels": None,
            "card": {"number": "43301234****123*", "approveNo": "00000000"},
        }

    def handle(self, method, path, headers, body):
        expected = "Basic " + base64.b64encode(f"{self.secret_key}:".encode()).decode()
        if headers.get("Authorization") != expected:
            return 401, {"code": "UNAUTHORIZED_KEY", "message": "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다."}
        if method == "POST" and path == "/v1/payments/confirm":
            return self._confirm(body)
        parts = path.strip("/").split("/")
        if len(parts) == 3 and parts[:2] == ["v1", "payments"] and method == "GET":
            payment = self.payments.get(parts[2])
            return (
                (200, payment)
                if payment
                else (404, {"code": "NOT_FOUND_PAYMENT", "message": "존재하지 않는 결제 정보 입니다."})
            )
        if len(parts) == 4 and parts[:2] == ["v1", "payments"] and parts[3] == "cancel" and method == "POST":
            return self._cancel(parts[2], body)
        return 404, {"code": "NOT_FOUND", "message": "존재하지 않는 정보 입니다."}

    def _confirm(self, body):
        key, order_id, amount = body.get("paymentKey"), body.get("orderId"), body.get("amount")
        if key in self.payments:
            return 400, {"code": "ALREADY_PROCESSED_PAYMENT", "message": "이미 처리된 결제 입니다."}
        session = self.sessions.get(key)
        if session is None:
            return 404, {
                "code": "NOT_FOUND_PAYMENT_SESSION",
                "message": "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.",
            }
        if session["orderId"] != order_id or session["amount"] != amount:
            return 400, {"code": "INVALID_REQUEST", "message": "잘못된 요청입니다."}
        if self.decline_next:
            status, code, message = self.decline_next
            self.decline_next = None
            return status, {"code": code, "message": message}
        payment = self._payment(key, session)
        self.payments[key] = payment
        del self.sessions[key]
        return 200, payment

    def _cancel(self, key, body):
        payment = self.payments.get(key)
        if payment is None:
            return 404, {"code": "NOT_FOUND_PAYMENT", "message": "존재하지 않는 결제 정보 입니다."}
        if payment["status"] == "CANCELED":
            return 400, {"code": "ALREADY_CANCELED_PAYMENT", "message": "이미 취소된 결제 입니다."}
        amount = body.get("cancelAmount", payment["balanceAmount"])
        if not body.get("cancelReason"):
            return 400, {"code": "INVALID_REQUEST", "message": "취소 사유를 입력해주세요."}
        if amount > payment["balanceAmount"] or amount <= 0:
            return 403, {"code": "NOT_CANCELABLE_AMOUNT", "message": "취소 할 수 없는 금액 입니다."}
        payment["balanceAmount"] -= amount
        payment["status"] = "CANCELED" if payment["balanceAmount"] == 0 else "PARTIAL_CANCELED"
        payment["cancels"] = [
            *(payment["cancels"] or []),
            {
                "cancelAmount": amount,
                "cancelReason": body["cancelReason"],
                "canceledAt": NOW,
                "refundableAmount": payment["balanceAmount"],
                "transactionKey": secrets.token_hex(16),
            },
        ]
        return 200, payment

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _serve(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else {}
                headers = dict(self.headers.items())
                with fake.lock:
                    fake.requests.append((method, self.path, headers, body))
                    if fake.fail_next_with_500:
                        fake.fail_next_with_500 = False
                        status, answer = (
                            500,
                            {
                                "code": "FAILED_INTERNAL_SYSTEM_PROCESSING",
                                "message": "내부 시스템 처리 작업이 실패했습니다.",
                            },
                        )
                    else:
                        idem = headers.get("Idempotency-Key")
                        if method == "POST" and idem and idem in fake.idempotent:
                            status, answer = fake.idempotent[idem]
                        else:
                            status, answer = fake.handle(method, self.path, headers, body)
                            if method == "POST" and idem:
                                fake.idempotent[idem] = (status, answer)
                    drop = fake.drop_next_response
                    fake.drop_next_response = False
                if drop:
                    self.close_connection = True
                    return
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self._serve("GET")

            def do_POST(self):
                self._serve("POST")

        return Handler
