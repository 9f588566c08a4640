"""API errors are JSON with a stable code and a Chinese message; bad input is never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from jisheng.core.roles import Role


@pytest.fixture
def api_client(make_user, client_for) -> Client:
    return client_for(make_user(Role.COMMUNITY_WORKER))


def test_openapi_schema_lists_the_paths(api_client) -> None:
    schema = api_client.get("/api/openapi.json").json()
    assert {"/api/persons", "/api/persons/{person_id}", "/api/me"} <= set(schema["paths"])


def test_docs_page_is_served(api_client) -> None:
    response = api_client.get("/api/docs")
    assert response.status_code == 200
    assert b"/static/ninja/swagger-ui" in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/api/persons?community_id=abc",
        "/api/persons/not-a-number",
        "/api/persons?page=-1",
        "/api/audit/events?date_from=yesterday",
    ],
)
def test_bad_input_is_a_clear_4xx(api_client, url) -> None:
    response = api_client.get(url)
    assert 400 <= response.status_code < 500
    body = response.json()
    assert body["code"]
    assert body["message"]


def test_unknown_record_is_404_json(api_client) -> None:
    response = api_client.get("/api/persons/987654321")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_no_credentials_is_401_json(db) -> None:
    response = Client().get("/api/persons")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_messages_are_chinese_by_default(db) -> None:
    response = Client().get("/api/persons")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["message"])


def test_list_masks_id_numbers(org, make_person, api_client) -> None:
    person = make_person(org.c1)
    items = api_client.get("/api/persons").json()["items"]
    assert items[0]["id_number_masked"] == person.id_number_masked
    assert person.id_number not in str(items)
