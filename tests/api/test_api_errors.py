"""Every API error is ``{code, message}`` JSON, a 500 included; ids and page numbers beyond
64 bits are refused at the schema (422), never an OverflowError."""

from __future__ import annotations

import json

import pytest
from django.test import Client, RequestFactory

from jisheng.core import views
from jisheng.core.api import api
from jisheng.core.roles import Role

HUGE = "99999999999999999999"
PAGE = "9223372036854775807"


def _paginated_lists() -> list[str]:
    paths = api.get_openapi_schema(path_prefix="/api/")["paths"]
    return [
        path.replace("{code}", "x").replace("{batch_id}", "1")
        for path, operations in paths.items()
        if "get" in operations
        and any(p["name"] == "page" for p in operations["get"].get("parameters", []))
    ]


@pytest.fixture
def street(make_user, client_for) -> Client:
    return client_for(make_user(Role.STREET_STAFF))


def _assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert body["code"]
    assert body["message"]
    return body


def test_every_paginated_list_is_found() -> None:
    assert len(_paginated_lists()) >= 12


@pytest.mark.parametrize("path", _paginated_lists())
def test_a_page_beyond_64_bits_is_422(street, path) -> None:
    _assert_error(street.get(path, {"page": PAGE}), 422)
    _assert_error(street.get(path, {"page": "1", "page_size": PAGE}), 422)


@pytest.mark.parametrize(
    "path",
    [
        f"/api/persons/{HUGE}",
        f"/api/persons?community_id={HUGE}",
        f"/api/benefits/visits?program_id={HUGE}",
        f"/api/benefits/batches/{HUGE}",
        f"/api/prepregnancy/couples/{HUGE}",
        f"/api/contraceptives/moves?point_id={HUGE}",
        f"/api/prepregnancy/referrals?assignee_id={HUGE}",
    ],
)
def test_an_id_beyond_64_bits_in_path_or_query_is_422(street, path) -> None:
    _assert_error(street.get(path), 422)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/benefits/applications", {"program": "x", "person_id": int(HUGE)}),
        ("/api/benefits/visits", {"program_id": int(HUGE), "person_id": 1, "date": "2026-01-01"}),
        ("/api/events", {"kind": "death", "person_id": int(HUGE), "date": "2026-01-01"}),
    ],
)
def test_an_id_beyond_64_bits_in_a_body_is_422(street, path, body) -> None:
    _assert_error(street.post(path, body, content_type="application/json"), 422)


def test_an_unexpected_failure_is_500_json_and_logged(street, monkeypatch, caplog) -> None:
    def crash(request: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("jisheng.accounts.api.request_user", crash)
    body = _assert_error(street.get("/api/me"), 500)
    assert body["code"] == "server_error"
    assert "boom" not in body["message"]
    assert "RuntimeError" in caplog.text


def test_django_error_pages_under_api_are_json(db) -> None:
    request = RequestFactory().get("/api/anything")
    for response, status in [
        (views.server_error(request), 500),
        (views.page_not_found(request), 404),
        (views.bad_request(request), 400),
        (views.permission_denied(request), 403),
    ]:
        _assert_error(response, status)
    assert views.server_error(RequestFactory().get("/registry/"))["Content-Type"].startswith(
        "text/html"
    )


def test_an_unknown_api_path_is_404_json(street) -> None:
    _assert_error(street.get("/api/no-such-thing"), 404)


def test_a_body_that_is_not_json_is_400_in_chinese(street) -> None:
    body = _assert_error(street.post("/api/events", "{", content_type="application/json"), 400)
    assert body["code"] == "invalid_body"
    assert "JSON" in body["message"]
    assert "请求" in body["message"]
