"""English, when chosen, is complete: every screen of the sweep, read as text, holds no Korean of
Dangol's own. Korean that people wrote (store names, message bodies, proposals) stays as written, so
the words found in the database are allowed; every other run of Korean on a page is an untranslated
string, named with its page."""

import pytest

from dangol.lib.english import in_english, korean_left, words_people_wrote

from .conftest import screens


@pytest.mark.slow
def test_every_screen_is_english_when_english_is_chosen(client, world, store, market, merchant, customer, market_admin):
    pages = screens(world, store, market, merchant, customer, market_admin)
    allowed = words_people_wrote()
    found = []
    for user, path in pages:
        client.logout()
        response = in_english(client, user).get(path)
        assert response.status_code == 200, (path, response.status_code)
        if 'lang="en"' not in response.content.decode():
            found.append(f'{path} ({user or "anonymous"}): the page is not marked lang="en"')
        found += [f"{path} ({user or 'anonymous'}): {run}" for run in korean_left(response, allowed=allowed)]
    assert not found, f"{len(found)} Korean fragments on English pages:\n" + "\n".join(dict.fromkeys(found))
