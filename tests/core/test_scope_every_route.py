"""Every URL pattern and API path, called with IDs from another community, answers 403/404.

New routes are covered automatically: a route whose parameter this test does not know
fails the test until an object for that parameter is added to ``foreign_objects``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from importlib import import_module

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from jisheng.accounts.models import User
from jisheng.accounts.services import token_create
from jisheng.core.actors import Actor
from jisheng.core.models import CalendarDay, TaskProgress
from jisheng.core.progress import progress_create
from jisheng.core.roles import Role
from jisheng.registry.models import Person, PersonImport
from jisheng.registry.services import events
from jisheng.registry.services.persons import flag_likely_duplicates
from scope_objects import ForeignContext

REFUSED = {403, 404}

# Each module's tests/scope_objects/<module>.py: ``make(ctx) -> {route parameter: foreign id}``.
MODULES_WITH_OBJECTS = (
    "benefits",
    "benefits_care",
    "prepregnancy",
    "contraceptives",
    "publicity",
    "funds",
    "targets",
    "reports",
    "migrants_exchange",
    "governance_supervision",
    "governance",
    "migrants",
)


def walk(
    patterns: list[URLPattern | URLResolver], prefix: str = ""
) -> Iterator[tuple[str, dict[str, type]]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("api/"):
                continue  # the API is walked through its OpenAPI schema below
            yield from walk(entry.url_patterns, route)
        else:
            yield route, dict(entry.pattern.converters)  # type: ignore[attr-defined]


@pytest.fixture
def foreign_objects(org, make_user, make_person, make_household) -> dict[str, str]:
    """One object per route parameter, all outside community 1 or owned by someone else."""
    other_person = make_person(org.c2, name="李四")
    household = make_household(other_person)
    other_worker = make_user(Role.COMMUNITY_WORKER, org.c2)
    progress: TaskProgress = progress_create(owner_id=other_worker.pk, kind="test")
    actor = Actor(user=other_worker)
    wife = make_person(org.c2, name="王芳", sex="F", birth_date=dt.date(1992, 2, 2))
    marriage_event = events.marriage_record(
        actor=actor, husband=other_person, wife=wife, date=dt.date(2020, 1, 1)
    )
    make_person(org.c2, name="李四", phone="13800000000")
    flag = flag_likely_duplicates(Person.objects.filter(name="李四").latest("pk"))[0]
    person_import = PersonImport.objects.create(
        owner=other_worker, community=org.c2, file_name="x.csv", stored_file="imports/x.csv"
    )
    values = {
        "person_id": str(other_person.pk),
        "other_id": str(wife.pk),  # the other end of a family link
        "household_id": str(household.pk),
        "user_id": str(other_worker.pk),
        "progress_id": str(progress.pk),
        "role": Role.COMMUNITY_WORKER.value,
        "event_id": str(marriage_event.pk),
        "marriage_id": str(marriage_event.data["marriage_id"]),
        "flag_id": str(flag.pk),
        "import_id": str(person_import.pk),
        "token_id": str(token_create(user=other_worker, name="foreign")[0].pk),
        # The calendar is national: community 1's worker may not keep it (403).
        "day_id": str(
            CalendarDay.objects.create(day=dt.date(2030, 1, 1), kind="holiday", name="元旦").pk
        ),
        # A standard form's name is no record: an unknown one is refused (404); what the
        # known forms show is scoped row by row (tests/reports/test_forms_pages.py).
        "form": "no-such-form",
    }
    ctx = ForeignContext(
        org=org,
        make_user=make_user,
        make_person=make_person,
        other_worker=other_worker,
        other_person=other_person,
        other_wife=wife,
    )
    for module in MODULES_WITH_OBJECTS:
        values.update(import_module(f"scope_objects.{module}").make(ctx))
    return values


def fill(route: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[-1]
        assert name in values, f"route {route!r} has parameter {name!r}: add an object for it"
        return values[name]

    return "/" + re.sub(r"<([^>]+)>", replace, route)


@pytest.fixture
def c1_client(make_user, client_for) -> Client:
    return client_for(make_user(Role.COMMUNITY_WORKER))


def assert_refused(client: Client, url: str) -> None:
    statuses = {method: getattr(client, method)(url).status_code for method in ("get", "post")}
    assert all(code in REFUSED | {405} for code in statuses.values()), (url, statuses)
    assert any(code in REFUSED for code in statuses.values()), (url, statuses)


def test_every_page_route_with_foreign_ids_is_refused(c1_client, foreign_objects) -> None:
    routes = [(route, conv) for route, conv in walk(get_resolver().url_patterns) if conv]
    assert len(routes) >= 7, routes  # the walk itself must find the ID routes
    for route, _converters in routes:
        assert_refused(c1_client, fill(route, foreign_objects))


def example_value(schema: dict, root: dict) -> object:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return example_value(root["components"]["schemas"][name], root)
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        return example_value(schema["anyOf"][0], root)
    kind = schema.get("type")
    if kind == "object":
        return {
            key: example_value(value, root)
            for key, value in schema.get("properties", {}).items()
            if key in schema.get("required", [])
        }
    if kind == "array":
        return [example_value(schema.get("items", {}), root)]
    if kind == "string":
        return {"date": "2026-01-02", "date-time": "2026-01-02T00:00:00+08:00"}.get(
            schema.get("format", ""), "x"
        )
    return {"integer": 1, "number": 1, "boolean": True}.get(kind or "")


def example_body(operation: dict, root: dict) -> object:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    return None if content is None else example_value(content["schema"], root)


def test_every_api_path_with_foreign_ids_is_refused(c1_client, foreign_objects) -> None:
    schema = c1_client.get("/api/openapi.json").json()
    paths = [path for path in schema["paths"] if "{" in path]
    assert paths, "the API walk found no path with parameters"
    for path in paths:
        url = re.sub(r"\{([^}]+)\}", lambda m: "<" + m.group(1) + ">", path)
        for method, operation in schema["paths"][path].items():
            # A well-formed body, so that the refusal comes from the scope, not from validation.
            body = example_body(operation, schema)
            response = getattr(c1_client, method)(
                fill(url.lstrip("/"), foreign_objects),
                data=json.dumps(body) if body is not None else None,
                content_type="application/json",
            )
            assert response.status_code in REFUSED, (path, method, response.status_code)
            assert response.json()["code"] in {"not_found", "forbidden"}


def test_community_worker_sees_own_community_only(org, make_user, make_person) -> None:
    own = make_person(org.c1)
    make_person(org.c2, name="李四")
    worker = make_user(Role.COMMUNITY_WORKER)
    from jisheng.registry.models import Person

    assert list(Person.objects.visible_to(worker)) == [own]


def test_street_staff_sees_every_community_of_the_street(org, make_user, make_person) -> None:
    from jisheng.registry.models import Person

    make_person(org.c1)
    make_person(org.c2, name="李四")
    assert Person.objects.visible_to(make_user(Role.STREET_STAFF)).count() == 2


def test_partner_reporter_sees_only_what_it_reported(org, make_user, make_person) -> None:
    from jisheng.registry.models import Person

    reporter = make_user(Role.PARTNER_REPORTER)
    reported = make_person(org.c1, reported_by=reporter)
    make_person(org.c1, name="王五")
    assert list(Person.objects.visible_to(reporter)) == [reported]


def test_inactive_and_anonymous_users_see_nothing(org, make_user, make_person) -> None:
    from django.contrib.auth.models import AnonymousUser

    from jisheng.registry.models import Person

    make_person(org.c1)
    worker: User = make_user(Role.COMMUNITY_WORKER)
    worker.is_active = False
    assert Person.objects.visible_to(worker).count() == 0
    assert Person.objects.visible_to(AnonymousUser()).count() == 0


def test_api_detail_of_own_person_works_and_foreign_is_404(
    org, make_user, make_person, client_for
) -> None:
    own = make_person(org.c1)
    foreign = make_person(org.c2, name="李四")
    client: Client = client_for(make_user(Role.COMMUNITY_WORKER))
    assert client.get(f"/api/persons/{own.pk}").status_code == 200
    response = client.get(f"/api/persons/{foreign.pk}")
    assert response.status_code == 404
    assert "李四" not in response.content.decode()
