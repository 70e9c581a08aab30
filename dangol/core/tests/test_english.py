"""English, when chosen, is complete: every screen of the sweep, read as text, holds no Korean of
Dangol's own. Korean that people wrote (store names, message bodies, proposals) stays as written, so
the words found in the database are allowed; every other Hangul word on a page is an untranslated
string, named with its page and the text around it."""

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from .conftest import screens

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]+")
# A run of Korean words with what sits between them, reported as one fragment.
KOREAN_RUN = re.compile(
    r"[\uac00-\ud7a3\u3131-\u318e](?:[\uac00-\ud7a3\u3131-\u318e\s\d.,·:!?()'\"-]*[\uac00-\ud7a3\u3131-\u318e])?"
)
# A language is offered under its own name, so an English page still says 한국어 in the picker.
OWN_NAMES = {"한국어"}
SHOWN_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "value", "content", "label"}
HIDDEN_INPUTS = {"hidden", "text", "tel", "number", "email", "search", "url", "date", "time", "datetime-local"}


class _VisibleText(HTMLParser):
    """Text a person sees or hears: element text and the attributes read aloud or shown, without
    scripts, styles or the values of hidden and typed-in fields (those are data)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"):
            self._skipping += 1
            return
        attributes = dict(attrs)
        for name, value in attributes.items():
            if name not in SHOWN_ATTRIBUTES or not value:
                continue
            if name == "value" and (tag == "textarea" or attributes.get("type", "text") in HIDDEN_INPUTS):
                continue
            if name == "value" and tag == "option":
                continue
            if name == "content" and tag == "meta" and attributes.get("name") not in ("description",):
                continue
            self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def _visible_text(html):
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _words_people_wrote():
    """Every Hangul word stored in any text column: what users and the demo world typed."""
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


@pytest.mark.slow
def test_every_screen_is_english_when_english_is_chosen(client, world, store, market, merchant, customer, market_admin):
    pages = screens(world, store, market, merchant, customer, market_admin)
    allowed = _words_people_wrote() | OWN_NAMES
    found = []
    for user, path in pages:
        client.logout()
        if user is not None:
            client.force_login(user, backend="dangol.accounts.backends.PhoneCodeBackend")
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        html = response.content.decode()
        if 'lang="en"' not in html:
            found.append(f'{path} ({user or "anonymous"}): the page is not marked lang="en"')
        text = _visible_text(html)
        for run in KOREAN_RUN.findall(text):
            if not set(HANGUL.findall(run)) <= allowed:
                found.append(f"{path} ({user or 'anonymous'}): {run}")
    assert not found, f"{len(found)} Korean fragments on English pages:\n" + "\n".join(dict.fromkeys(found))
