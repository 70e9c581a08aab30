"""Reading a page as a person who chose English: the text they see or hear, and the Korean left in it.

The site-wide sweep (core/tests/test_english.py) visits one page of each kind; the coupon and stamp tests
use this to visit the rest: every step, state and refusal of the screens these two apps draw."""

import re
from html.parser import HTMLParser

from django.conf import settings

KOREAN = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+(?:[\s\d.,·:!?()'\"%-]*[\uac00-\ud7a3\u3131-\u318e]+)*")
HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+")
SHOWN = {"alt", "title", "placeholder", "aria-label", "label"}
OWN_NAMES = {"한국어"}  # the language picker offers Korean under its own name


class VisibleText(HTMLParser):
    """Element text and the attributes read aloud, without scripts, styles and typed-in values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self.skipping += 1
        self.parts.extend(value for name, value in attrs if name in SHOWN and value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def in_english(client, user=None):
    """Sign `user` in (if any) and choose English, as /i18n/setlang/ does."""
    if user is not None:
        client.force_login(user, backend="dangol.accounts.backends.PhoneCodeBackend")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def korean_left(response, *, typed=()):
    """Runs of Korean on the page that are not words people typed (`typed`: their Hangul words)."""
    assert response.status_code < 500, response.status_code
    parser = VisibleText()
    parser.feed(response.content.decode())
    text = " ".join(" ".join(parser.parts).split())
    allowed = OWN_NAMES | {word for value in typed for word in HANGUL.findall(value)}
    return [run for run in KOREAN.findall(text) if not set(HANGUL.findall(run)) <= allowed]
