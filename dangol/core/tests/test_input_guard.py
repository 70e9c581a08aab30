"""Input no rule downstream could store is refused at the edge, with a clear answer and nothing written."""

import json
from urllib.parse import urlencode

import pytest

from dangol.channels.models import Follow
from dangol.messaging.models import Message


@pytest.fixture
def api_client(client, customer):
    client.force_login(customer, backend="dangol.accounts.backends.PhoneCodeBackend")
    return client


def _post_json(client, path, body, **extra):
    return client.post(
        path, body if isinstance(body, str | bytes) else json.dumps(body), content_type="application/json", **extra
    )


def test_a_nul_byte_in_a_path_id_is_a_clear_400_on_the_api_and_on_pages(client, db):
    api = client.get("/api/v1/stores/abc%00def")
    assert api.status_code == 400
    assert api.json()["detail"] == "주소에 쓸 수 없는 문자가 들어 있습니다."
    page = client.get("/s/abc%00def/")
    assert page.status_code == 400
    assert "주소에 쓸 수 없는 문자" in page.content.decode()


def test_a_nul_byte_in_a_query_is_refused(client, db):
    response = client.get("/api/v1/ledger/entries?book=%00")
    assert response.status_code == 400
    assert response.json()["errors"] == {"book": ["보이지 않는 제어 문자(NUL)는 쓸 수 없습니다."]}


def test_a_nul_byte_in_a_json_text_field_is_a_field_error_and_nothing_is_written(api_client, store):
    response = _post_json(
        api_client, f"/api/v1/stores/{store.public_id}/follow", '{"collection": true, "nickname": "a\\u0000b"}'
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"nickname": ["보이지 않는 제어 문자(NUL)는 쓸 수 없습니다."]}
    assert not Follow.objects.exists()


def test_a_lone_surrogate_in_a_json_text_field_is_a_field_error(merchant, client, store):
    client.force_login(merchant, backend="dangol.accounts.backends.PhoneCodeBackend")
    response = _post_json(
        client, f"/api/v1/stores/{store.public_id}/messages", '{"kind": "info", "body": "오늘 \\ud800 딸기"}'
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"body": ["깨진 문자가 들어 있습니다. 다시 입력해 주세요."]}
    assert response.json()["detail"][0]["loc"] == ["body", "body"]
    assert not Message.objects.exists()


def test_a_nested_bad_text_names_its_path(merchant, client, store):
    client.force_login(merchant, backend="dangol.accounts.backends.PhoneCodeBackend")
    body = '{"kind": "info", "body": "딸기", "buttons": [{"label": "\\udfff", "url": "https://a.example"}]}'
    response = _post_json(client, f"/api/v1/stores/{store.public_id}/messages", body)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["buttons.0.label"]
    assert not Message.objects.exists()


def test_a_body_over_the_limit_gets_413_and_nothing_is_written(api_client, store, settings):
    settings.MAX_BODY_BYTES = 1000
    response = _post_json(
        api_client, f"/api/v1/stores/{store.public_id}/follow", {"collection": True, "x": "가" * 2000}
    )
    assert response.status_code == 413
    assert "요청이 너무 큽니다" in response.json()["detail"]
    assert not Follow.objects.exists()


def test_a_form_post_over_the_limit_gets_413_as_a_page(api_client, store, settings):
    settings.MAX_BODY_BYTES = 1000
    body = urlencode({"collection": "on", "x": "가" * 2000})
    response = api_client.post(f"/s/{store.public_id}/follow/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "요청이 너무 큽니다" in response.content.decode()
    assert not Follow.objects.exists()


def test_an_unparseable_content_length_is_a_400(client, db):
    response = client.generic("POST", "/api/v1/auth/code", b"{}", content_type="application/json", CONTENT_LENGTH="x")
    assert response.status_code == 400
