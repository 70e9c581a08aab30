"""Payment provider adapters.

A provider takes the customer through its checkout, then sends them back to our
success URL with `paymentKey`, `orderId` and `amount`; we confirm the payment
server-to-server. Two adapters:

- `test`: a checkout page inside Dangol for development and tests. It signs the
  order id and amount into the payment key, so a confirm with anything else fails.
- `toss`: Toss Payments' core API (https://docs.tosspayments.com/reference):
  `POST /v1/payments/confirm`, `GET /v1/payments/{paymentKey}`,
  `POST /v1/payments/{paymentKey}/cancel`, HTTP Basic auth with the secret key
  and an empty password, errors as `{"code", "message"}`.

Settings: PAYMENTS_PROVIDER ("test" or "toss"), TOSS_CLIENT_KEY, TOSS_SECRET_KEY,
TOSS_API_BASE (default https://api.tosspayments.com), TOSS_TIMEOUT_SECONDS.
"""

import base64
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

TEST_KEY_SALT = "dangol.payments.test-provider"


class ProviderError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


class ProviderDeclined(ProviderError):
    """The provider answered and said no; trying again with the same request won't help."""


class ProviderUnavailable(ProviderError):
    """No answer, or a server error: the outcome is unknown and the request may be retried."""


@dataclass
class ProviderPayment:
    payment_key: str
    order_id: str
    status: str  # the provider's word: DONE, CANCELED, PARTIAL_CANCELED, ...
    total_amount: int
    balance_amount: int
    raw: dict = field(default_factory=dict)


class TestProvider:
    name = "test"
    label = _("시험 결제")

    def checkout_url(self, payment):
        return reverse("payments:test_checkout", args=[payment.order_id])

    def issue_key(self, *, order_id, amount):
        """What the test checkout hands back when the customer presses 결제하기."""
        # Like a real provider's key, the same order always gets the same key back.
        return "test_" + signing.Signer(salt=TEST_KEY_SALT).sign_object({"o": order_id, "a": int(amount)})

    def _read_key(self, payment_key):
        if not payment_key.startswith("test_"):
            raise ProviderDeclined("NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.")
        try:
            return signing.Signer(salt=TEST_KEY_SALT).unsign_object(payment_key.removeprefix("test_"))
        except signing.BadSignature:
            raise ProviderDeclined("NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.") from None

    def confirm(self, *, payment_key, order_id, amount):
        data = self._read_key(payment_key)
        if data["o"] != order_id or data["a"] != int(amount):
            raise ProviderDeclined("INVALID_REQUEST", "결제 정보가 주문과 일치하지 않습니다.")
        raw = {"paymentKey": payment_key, "orderId": order_id, "status": "DONE", "totalAmount": int(amount)}
        return ProviderPayment(payment_key, order_id, "DONE", int(amount), int(amount), raw)

    def retrieve(self, *, payment_key):
        data = self._read_key(payment_key)
        return ProviderPayment(payment_key, data["o"], "DONE", data["a"], data["a"], {})

    def cancel(self, *, payment_key, amount, reason, idempotency_key):
        data = self._read_key(payment_key)
        raw = {"paymentKey": payment_key, "cancels": [{"cancelAmount": int(amount), "cancelReason": reason}]}
        return ProviderPayment(payment_key, data["o"], "PARTIAL_CANCELED", data["a"], 0, raw)


class TossProvider:
    name = "toss"
    label = _("토스페이먼츠")

    def __init__(self, *, secret_key, client_key="", base_url="https://api.tosspayments.com", timeout=30):
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("https", "http") or not parsed.netloc:
            raise ValueError(f"TOSS_API_BASE must be an http(s) URL, not {base_url!r}")
        self.secret_key = secret_key
        self.client_key = client_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    @classmethod
    def from_settings(cls):
        return cls(
            secret_key=getattr(settings, "TOSS_SECRET_KEY", ""),
            client_key=getattr(settings, "TOSS_CLIENT_KEY", ""),
            base_url=getattr(settings, "TOSS_API_BASE", "https://api.tosspayments.com"),
            timeout=getattr(settings, "TOSS_TIMEOUT_SECONDS", 30),
        )

    def checkout_url(self, payment):
        return reverse("payments:toss_checkout", args=[payment.order_id])

    def _request(self, method, path, body=None, idempotency_key=None):
        token = base64.b64encode(f"{self.secret_key}:".encode()).decode()
        headers = {"Authorization": f"Basic {token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)  # noqa: S310 -- scheme checked in __init__
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                problem = json.loads(error.read() or b"{}")
            except ValueError:
                problem = {}
            code = problem.get("code") or f"HTTP_{error.code}"
            message = problem.get("message") or "결제사 오류"
            if error.code >= 500:
                raise ProviderUnavailable(code, message) from None
            raise ProviderDeclined(code, message) from None
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError, ValueError) as error:
            raise ProviderUnavailable("NETWORK", f"결제사에 연결하지 못했습니다: {error.__class__.__name__}") from None

    @staticmethod
    def _payment(raw):
        return ProviderPayment(
            payment_key=raw.get("paymentKey", ""),
            order_id=raw.get("orderId", ""),
            status=raw.get("status", ""),
            total_amount=int(raw.get("totalAmount") or 0),
            balance_amount=int(raw.get("balanceAmount") or 0),
            raw=raw,
        )

    def confirm(self, *, payment_key, order_id, amount):
        body = {"paymentKey": payment_key, "orderId": order_id, "amount": int(amount)}
        return self._payment(self._request("POST", "/v1/payments/confirm", body))

    def retrieve(self, *, payment_key):
        return self._payment(self._request("GET", f"/v1/payments/{urllib.parse.quote(payment_key, safe='')}"))

    def cancel(self, *, payment_key, amount, reason, idempotency_key):
        path = f"/v1/payments/{urllib.parse.quote(payment_key, safe='')}/cancel"
        body = {"cancelReason": reason, "cancelAmount": int(amount)}
        return self._payment(self._request("POST", path, body, idempotency_key=idempotency_key))


PROVIDERS = {"test": TestProvider, "toss": TossProvider.from_settings}


def get_provider(name):
    try:
        return PROVIDERS[name]()
    except KeyError:
        raise ValueError(f"unknown payment provider {name!r}") from None


def default_provider_name():
    return getattr(settings, "PAYMENTS_PROVIDER", "test")
