"""Scope on every route of this module: community 2's points, moves, counts and roster entries
are refused (403/404) to a community-1 worker, on the pages and in the API, for GET and POST.
(The project-wide walk in tests/core does the same for all modules at once.)"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import URLPattern, get_resolver

from jisheng.core.roles import Role
from scope_objects import ForeignContext
from scope_objects.contraceptives import make

REFUSED = {403, 404}


@pytest.fixture
def foreign(org, make_user, make_person) -> dict[str, str]:
    other_worker = make_user(Role.COMMUNITY_WORKER, org.c2)
    husband = make_person(org.c2, name="李四")
    wife = make_person(org.c2, name="王芳", sex="F", birth_date=dt.date(1992, 2, 2))
    return make(
        ForeignContext(
            org=org,
            make_user=make_user,
            make_person=make_person,
            other_worker=other_worker,
            other_person=husband,
            other_wife=wife,
        )
    )


def module_routes() -> list[str]:
    resolver = next(
        r for r in get_resolver().url_patterns if getattr(r, "namespace", "") == "contraceptives"
    )
    return [
        "/contraceptives/" + str(p.pattern)
        for p in resolver.url_patterns
        if isinstance(p, URLPattern) and "<" in str(p.pattern)
    ]


def fill(route: str, values: dict[str, str]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)


def test_every_page_route_refuses_foreign_objects(foreign, worker, client_for) -> None:
    client = client_for(worker)
    routes = module_routes()
    assert len(routes) >= 20
    for route in routes:
        url = fill(route, foreign)
        codes = {method: getattr(client, method)(url).status_code for method in ("get", "post")}
        assert all(code in REFUSED | {405} for code in codes.values()), (url, codes)
        assert any(code in REFUSED for code in codes.values()), (url, codes)


def test_every_api_path_refuses_foreign_objects(foreign, worker, client_for) -> None:
    client = client_for(worker)
    schema = client.get("/api/openapi.json").json()
    paths = [p for p in schema["paths"] if p.startswith("/api/contraceptives/") and "{" in p]
    assert len(paths) >= 4
    for path in paths:
        url = re.sub(r"\{(\w+)\}", lambda m: foreign[m.group(1)], path)
        for method in schema["paths"][path]:
            response = getattr(client, method)(url)
            assert response.status_code in REFUSED, (path, method, response.status_code)
            assert response.json()["code"] in {"not_found", "forbidden"}


def test_foreign_objects_cannot_be_named_in_a_move_post(
    foreign, worker, client_for, point, receive
) -> None:
    client = client_for(worker)
    lot = receive(point, 5).lot
    for body in (
        {"kind": "loss", "point_id": int(foreign["point_id"]), "lot_id": lot.pk, "quantity": 1},
        {"kind": "reversal", "reverses_id": int(foreign["stock_move_id"])},
        {
            "kind": "transfer",
            "point_id": point.pk,
            "to_point_id": int(foreign["point_id"]),
            "lot_id": lot.pk,
            "quantity": 1,
        },
    ):
        response = client.post("/api/contraceptives/moves", body, content_type="application/json")
        assert response.status_code == 404, (body, response.content)
