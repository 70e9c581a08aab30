"""SMS adapters: one interface whatever the provider.

A backend has `send(to, text)` for one text and `send_many([(to, text), ...])` for many, each
answering `SMSResult`s, and `report(message_ids)` for delivery reports. Numbers are E.164
(+8210...). `DANGOL_SMS_BACKEND` picks one:

- `ConsoleSMS` prints (development: `make run` shows sign-in codes in the terminal);
- `LocMemSMS` keeps an `outbox`, like Django's locmem email (tests);
- `SolapiSMS` sends through SOLAPI's REST API v4 (HMAC-SHA256 auth). Raw HTTP rather than the
  `solapi` SDK: three calls, one session, and no extra dependency between us and the documentation.
"""

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets

import requests
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("dangol.sms")


@dataclasses.dataclass
class SMSResult:
    to: str
    ok: bool
    message_id: str = ""
    error: str = ""
    # True when trying again later may help (provider down, throttled); False for a refused number or text.
    retry: bool = False


class ConsoleSMS:
    def send(self, to, text):
        return self.send_many([(to, text)])[0]

    def send_many(self, texts):
        for to, text in texts:
            print(f"[SMS to {to}] {text}", flush=True)
        return [SMSResult(to=to, ok=True, message_id=f"console-{secrets.token_hex(6)}") for to, _ in texts]

    def report(self, message_ids):
        return {message_id: "delivered" for message_id in message_ids}


outbox = []


class LocMemSMS(ConsoleSMS):
    def send_many(self, texts):
        results = []
        for to, text in texts:
            message_id = f"locmem-{len(outbox) + 1}"
            outbox.append({"to": to, "text": text, "id": message_id})
            results.append(SMSResult(to=to, ok=True, message_id=message_id))
        return results


class SolapiSMS:
    """SOLAPI (https://docs.solapi.com) messages v4.

    Auth: `Authorization: HMAC-SHA256 apiKey=..., date=<ISO 8601>, salt=<random>, signature=<hex>`,
    the signature being HMAC-SHA256 of date+salt keyed by the API secret; a salt is never reused.
    """

    # SOLAPI statuses for a handset delivery; 2000/3000 are accepted/in progress, 4000 received.
    DELIVERED = "4000"

    def __init__(self, *, api_key=None, api_secret=None, sender=None, base_url=None, timeout=10):
        self.api_key = api_key or getattr(settings, "SOLAPI_API_KEY", "")
        self.api_secret = api_secret or getattr(settings, "SOLAPI_API_SECRET", "")
        self.sender = _local_number(sender or getattr(settings, "SMS_SENDER", ""))
        self.base_url = (base_url or getattr(settings, "SOLAPI_BASE_URL", "https://api.solapi.com")).rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def authorization(self, *, now=None, salt=None):
        date = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        salt = salt or secrets.token_hex(16)
        signature = hmac.new(self.api_secret.encode(), (date + salt).encode(), hashlib.sha256).hexdigest()
        return f"HMAC-SHA256 apiKey={self.api_key}, date={date}, salt={salt}, signature={signature}"

    def _call(self, method, path, **kwargs):
        headers = {"Authorization": self.authorization(), "Content-Type": "application/json"}
        return self.session.request(method, f"{self.base_url}{path}", headers=headers, timeout=self.timeout, **kwargs)

    def send(self, to, text):
        message = {"to": _local_number(to), "from": self.sender, "text": text}
        try:
            response = self._call("POST", "/messages/v4/send", data=json.dumps({"message": message}))
        except requests.RequestException as error:
            return SMSResult(to=to, ok=False, error=str(error)[:200], retry=True)
        if response.status_code != 200:
            return SMSResult(to=to, ok=False, error=_error_text(response), retry=_worth_retrying(response))
        body = response.json()
        ok = str(body.get("statusCode", "")).startswith(("2", "3", "4"))
        return SMSResult(
            to=to, ok=ok, message_id=body.get("messageId", ""), error="" if ok else body.get("statusMessage", "")
        )

    def send_many(self, texts):
        """One group send (`send-many/detail`); a 200 may still list failed messages, each matched by number."""
        messages = [{"to": _local_number(to), "from": self.sender, "text": text} for to, text in texts]
        try:
            response = self._call("POST", "/messages/v4/send-many/detail", data=json.dumps({"messages": messages}))
        except requests.RequestException as error:
            return [SMSResult(to=to, ok=False, error=str(error)[:200], retry=True) for to, _ in texts]
        if response.status_code != 200:
            error, retry = _error_text(response), _worth_retrying(response)
            return [SMSResult(to=to, ok=False, error=error, retry=retry) for to, _ in texts]
        body = response.json()
        failed = {}
        for item in body.get("failedMessageList") or []:
            failed.setdefault(item.get("to"), []).append(item.get("statusMessage") or item.get("statusCode") or "")
        accepted = {}
        for item in body.get("messageList") or []:
            accepted.setdefault(item.get("to"), []).append(item.get("messageId", ""))
        results = []
        for to, _text in texts:
            local = _local_number(to)
            if accepted.get(local):
                results.append(SMSResult(to=to, ok=True, message_id=accepted[local].pop(0)))
            else:
                reasons = failed.get(local) or ["응답에 없음"]
                results.append(SMSResult(to=to, ok=False, error=reasons.pop(0) if len(reasons) > 1 else reasons[0]))
        return results

    def report(self, message_ids):
        """Each message's SOLAPI status code (4000: received by the handset)."""
        statuses = {}
        for message_id in message_ids:
            params = {"criteria": "messageId", "cond": "eq", "value": message_id}
            response = self._call("GET", "/messages/v4/list", params=params)
            response.raise_for_status()
            for key, item in (response.json().get("messageList") or {}).items():
                statuses[item.get("messageId", key)] = item.get("statusCode", "")
        return statuses


def _local_number(phone):
    """+821012345678 → 01012345678, as Korean carriers and SOLAPI write it."""
    phone = (phone or "").replace("-", "").replace(" ", "")
    return "0" + phone[3:] if phone.startswith("+82") else phone


def _error_text(response):
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    return f"{body.get('errorCode', response.status_code)}: {body.get('errorMessage', '')}"[:200]


def _worth_retrying(response):
    return response.status_code == 429 or response.status_code >= 500


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(to, text):
    return sms_backend().send(to, text)
