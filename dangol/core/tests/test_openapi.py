"""The OpenAPI document tells the truth: unique names, the errors each operation answers, 401 without credentials."""

import pytest
from django.test import Client

from dangol.api import DangolSchema, DuplicateSchemaName


@pytest.fixture
def document(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_a_message_kind_is_documented_as_a_message_kind(document):
    schemas = document["components"]["schemas"]
    assert schemas["MessageKind"]["enum"] == ["info", "ad", "notice"] or set(schemas["MessageKind"]["enum"]) >= {
        "info",
        "ad",
    }
    assert "amount" not in schemas["MessageKind"]["enum"]
    assert "amount" in schemas["CouponKind"]["enum"]


def test_two_different_schemas_with_one_name_refuse_to_make_a_document():
    schema = DangolSchema.__new__(DangolSchema)
    schema.schemas = {"Kind": {"enum": ["info", "ad"]}}
    with pytest.raises(DuplicateSchemaName):
        schema.add_schema_definitions({"Kind": {"enum": ["amount", "percent"]}})
    schema.add_schema_definitions({"Kind": {"enum": ["info", "ad"]}})  # the same schema twice is fine


def test_each_operation_lists_the_errors_it_can_answer(document):
    follow = document["paths"]["/api/v1/stores/{public_id}/follow"]["post"]["responses"]
    assert {"201", "400", "401", "403", "404", "409", "413", "422"} <= set(follow)
    assert follow["401"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorOut"}
    public = document["paths"]["/api/v1/together/proposals"]["get"]["responses"]
    assert "401" not in public and "404" not in public


def test_a_call_without_credentials_gets_401_not_a_csrf_error(client, db, store):
    response = client.post(
        f"/api/v1/stores/{store.public_id}/follow", {"collection": True}, content_type="application/json"
    )
    assert response.status_code == 401
    assert client.get("/api/v1/inbox").status_code == 401


def test_a_signed_in_write_without_the_csrf_token_gets_403_in_korean(customer, store):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer, backend="dangol.accounts.backends.PhoneCodeBackend")
    response = browser.post(
        f"/api/v1/stores/{store.public_id}/follow", {"collection": True}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "CSRF 토큰" in response.json()["detail"]
    assert browser.get("/api/v1/inbox").status_code == 200  # reading needs no token
