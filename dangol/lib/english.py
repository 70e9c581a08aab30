"""For tests: reading a page as a person who chose English, and the Korean of Dangol's own left on it.

Korean that people wrote (store names, messages, proposals) stays as written, so the Hangul words found
in the database (or passed as `typed`) are allowed; any other run of Korean on an English page is a
string that was never translated. Used by the site-wide sweep (core/tests/test_english.py) and by each
app's tests of the screens that sweep does not visit.
"""

import re
from html.parser import HTMLParser

from django.apps import apps
from django.conf import settings
from django.db import models

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+")
# A run of Korean words with what sits between them, reported as one fragment.
KOREAN_RUN = re.compile(
    r"[\uac00-\ud7a3\u3131-\u318e](?:[\uac00-\ud7a3\u3131-\u318e\s\d.,·:!?()'\"%-]*[\uac00-\ud7a3\u3131-\u318e])?"
)
# A language is offered under its own name, so an English page still says 한국어 in the picker.
OWN_NAMES = frozenset({"한국어"})
SHOWN_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "value", "content", "label"}
TYPED_INPUTS = {"hidden", "text", "tel", "number", "email", "search", "url", "date", "time", "datetime-local"}
UNSEEN = ("script", "style", "template")


class _VisibleText(HTMLParser):
    """Element text, the attributes read aloud or shown, and the words pages hand to their scripts
    (data-*), without scripts, styles or the values of typed-in and hidden fields (those are data)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in UNSEEN:
            self._skipping += 1
        attributes = dict(attrs)
        for name, value in attributes.items():
            if not value or not (name in SHOWN_ATTRIBUTES or name.startswith("data-")):
                continue
            if name == "value" and (tag == "option" or attributes.get("type", "text") in TYPED_INPUTS):
                continue
            if name == "content" and not (tag == "meta" and attributes.get("name") == "description"):
                continue
            self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in UNSEEN and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def in_english(client, user=None):
    """Sign `user` in (if any) and choose English, as the footer's language button does."""
    if user is not None:
        client.force_login(user, backend="dangol.accounts.backends.PhoneCodeBackend")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def visible_text(page):
    """What a person sees or hears on `page` (a response or its HTML), as one line."""
    html = page if isinstance(page, str) else page.content.decode()
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def words_people_wrote():
    """Every Hangul word stored in any text column: what users and the test's world typed."""
    words = set()
    for model in apps.get_models():
        columns = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
        ]
        for row in model._default_manager.values_list(*columns) if columns else ():
            for value in row:
                words.update(HANGUL.findall(str(value)))
    return words


def korean_left(page, *, typed=(), allowed=None):
    """The runs of Korean on `page` not made only of words people wrote: the Hangul words of `typed`
    (texts), of `allowed` (words; by default every word stored in the database) and 한국어."""
    words = set(OWN_NAMES) | (words_people_wrote() if allowed is None else set(allowed))
    for text in typed:
        words.update(HANGUL.findall(str(text)))
    return [run for run in KOREAN_RUN.findall(visible_text(page)) if not set(HANGUL.findall(run)) <= words]
