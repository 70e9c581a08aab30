"""SMS adapters. A provider client implements `send(to, text)`.

The console adapter is for development: `make run` prints sign-in codes to the
terminal. The locmem adapter keeps an outbox, like Django's locmem email.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("dangol.sms")


class ConsoleSMS:
    def send(self, to, text):
        print(f"[SMS to {to}] {text}", flush=True)


outbox = []


class LocMemSMS:
    def send(self, to, text):
        outbox.append({"to": to, "text": text})


def send_sms(to, text):
    backend = import_string(settings.SMS_BACKEND)()
    backend.send(to, text)
