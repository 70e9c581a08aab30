"""Korean unless the person chooses English: a browser's language is not a choice."""

from django.conf import settings


def test_a_phone_set_to_english_still_gets_korean_pages(client, db):
    response = client.post("/accounts/sign-in/", {"phone": ""}, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="ko"' in response.content.decode()
    assert response["Content-Language"] == "ko"


def test_choosing_english_is_remembered(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/accounts/sign-in/")
    assert 'lang="en"' in response.content.decode()
    assert response["Content-Language"] == "en"


def test_an_unknown_language_choice_falls_back_to_korean(client, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert client.get("/accounts/sign-in/")["Content-Language"] == "ko"


def test_the_answer_varies_with_the_cookie_that_chose_its_language_not_with_the_browser(client, db):
    for path in ("/accounts/sign-in/", "/api/v1/auth/me"):
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        vary = {header.strip().lower() for header in response["Vary"].split(",")}
        assert "cookie" in vary and "accept-language" not in vary, path
        assert response["Content-Language"] == "ko", path
