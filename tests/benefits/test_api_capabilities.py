"""Every benefits API read checks the capability of its page, not only the scope.

The objects lie in the street the callers can see (community 2 of the district), so a read
that checked scope alone would hand their data to a role whose page would refuse it.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from jisheng.benefits.models import Program
from jisheng.core.models import TaskProgress
from jisheng.core.progress import progress_create
from jisheng.core.roles import Role
from scope_objects import ForeignContext, benefits, benefits_care

REFUSED = {403, 404}
PERSON_NAME = "赵六"


@pytest.fixture
def objects(org, make_user, make_person) -> dict[str, str]:
    person = make_person(org.c2, name=PERSON_NAME)
    worker = make_user(Role.COMMUNITY_WORKER, org.c2)
    ctx = ForeignContext(
        org=org,
        make_user=make_user,
        make_person=make_person,
        other_worker=worker,
        other_person=person,
        other_wife=make_person(org.c2, name="钱七", sex="F"),
    )
    values = {**benefits.make(ctx), **benefits_care.make(ctx)}
    progress: TaskProgress = progress_create(owner_id=worker.pk, kind="test")
    values.update(
        code="rural-reward-support",
        progress_id=str(progress.pk),
        # Required query parameters: real ones, so that only the capability can refuse.
        program_id=str(Program.objects.get(code="hardship-visits").pk),
        year="2026",
        number="JS-2026-SC0PE2C2",
    )
    return values


def benefits_reads(client: Client, values: dict[str, str]) -> list[str]:
    """Every GET path of the benefits API, its path and required query parameters filled."""
    schema = client.get("/api/openapi.json").json()
    urls = []
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/benefits/") or "get" not in operations:
            continue
        url = re.sub(r"\{([^}]+)\}", lambda m: values[m.group(1)], path)
        required = [
            p["name"]
            for p in operations["get"].get("parameters", [])
            if p["in"] == "query" and p.get("required")
        ]
        query = "&".join(f"{name}={values[name]}" for name in required)
        urls.append(f"{url}?{query}" if query else url)
    return urls


@pytest.mark.parametrize(
    ("role", "unit"),
    [(Role.PARTNER_REPORTER, "street"), (Role.SECURITY_AUDITOR, "district")],
)
def test_every_benefits_read_refuses_a_role_without_the_duty(
    org, make_user, client_for, objects, role, unit
) -> None:
    client = client_for(make_user(role, getattr(org, unit)))
    urls = benefits_reads(client, objects)
    assert len(urls) >= 17, urls  # the walk must find every read
    for url in urls:
        response = client.get(url)
        assert response.status_code in REFUSED, (role, url, response.status_code)
        assert response.json()["code"] in {"forbidden", "not_found"}, url
        assert PERSON_NAME not in response.content.decode(), url


def test_payment_reads_need_the_payment_duties_not_only_personal_data(
    make_user, client_for, objects
) -> None:
    """A district supervisor may read personal data, but not batches or eligibility lists."""
    client = client_for(make_user(Role.DISTRICT_SUPERVISOR))
    for url in (
        "/api/benefits/batches",
        f"/api/benefits/batches/{objects['batch_id']}",
        f"/api/benefits/batches/{objects['batch_id']}/payments",
        f"/api/benefits/batch-builds/{objects['progress_id']}",
        "/api/benefits/programs/rural-reward-support/eligible",
    ):
        response = client.get(url)
        assert response.status_code == 403, (url, response.status_code)
        assert PERSON_NAME not in response.content.decode()
    # What the supervisor's pages show, the API shows too.
    visits = client.get("/api/benefits/visits")
    assert visits.status_code == 200
    assert visits.json()["count"] == 1
