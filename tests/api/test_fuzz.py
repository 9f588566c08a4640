"""Every API operation fuzzed from the OpenAPI document (schemathesis), as a community worker,
street staff and a security auditor: no 5xx, and every answer matches the document (status
code listed, JSON body of the listed shape).

The demo street is seeded once for the module; each test runs in its own savepoint, so
writes made by the fuzzer vanish after each operation. Deterministic (``derandomize``), so
a failure replays the same way; ``JISHENG_FUZZ_EXAMPLES`` raises the examples per test.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.apps import apps
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from jisheng.accounts.models import User
from jisheng.accounts.services import token_create
from jisheng.core.api import api
from jisheng.demo.seed import seed_demo

EXAMPLES = int(os.environ.get("JISHENG_FUZZ_EXAMPLES", "6"))
ROLES = {"community_worker": "demo_c1", "street_staff": "demo_street", "auditor": "demo_auditor"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/"))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
# Answers by status class ("2xx", "4xx"…), reported at the end of the module.
ANSWERS: Counter[str] = Counter()


@dataclass(frozen=True)
class Seeded:
    tokens: dict[str, str]
    ids: list[int]
    codes: list[str]


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[Seeded]:
    """The demo street, tokens for three roles, and ids that exist (to hit real rows)."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_demo(persons=120)
        tokens = {
            role: token_create(user=User.objects.get(username=name), name="fuzz")[1]
            for role, name in ROLES.items()
        }
        ids: set[int] = set()
        for model in apps.get_models():
            if model._meta.pk is not None and model._meta.pk.get_internal_type() in {
                "AutoField",
                "BigAutoField",
            }:
                ids.update(model._default_manager.order_by("pk").values_list("pk", flat=True)[:3])
        from jisheng.benefits.models import Program

        codes = list(Program.objects.values_list("code", flat=True)[:5])
        yield Seeded(tokens=tokens, ids=sorted(ids), codes=codes or ["none"])
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def wsgi_app(request: pytest.FixtureRequest) -> Iterator[WSGIHandler]:
    """Django's WSGI app, minus closing the connection at each request's start and end: the
    connection holds the test's transaction (django.test.Client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        reporter = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if reporter is not None and capture is not None:
            with capture.global_and_fixture_disabled():
                by_class = ", ".join(f"{k}: {v}" for k, v in sorted(ANSWERS.items()))
                reporter.write_line(f"API fuzzing: {ANSWERS.total()} cases run ({by_class})")


def _strategy(operation: Any, seeded: Seeded) -> st.SearchStrategy[Any]:
    """Valid and invalid requests, and valid ones whose path names records that exist."""
    strategies = [
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    ]
    names = [parameter.name for parameter in operation.path_parameters]
    if names:
        real = st.fixed_dictionaries(
            {
                name: st.sampled_from(seeded.codes if name == "code" else seeded.ids)
                for name in names
            }
        )
        strategies.append(
            real.flatmap(
                lambda values: operation.as_strategy(
                    generation_mode=GenerationMode.POSITIVE, path_parameters=values
                )
            )
        )
    return st.one_of(strategies)


def _label(operation: Any) -> str:
    return f"{operation.method.upper()} {operation.path}"


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("operation", OPERATIONS, ids=_label)
def test_operation_answers_as_documented(
    operation: Any, role: str, seeded: Seeded, wsgi_app: WSGIHandler, db: None
) -> None:
    headers = {"Authorization": f"Bearer {seeded.tokens[role]}"}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation, seeded))
    def run(case: Any) -> None:
        # A savepoint per case: a refused write rolls back only itself.
        with transaction.atomic():
            response = case.call(app=wsgi_app, headers=headers)
            ANSWERS[f"{response.status_code // 100}xx"] += 1
            case.validate_response(response, checks=CHECKS, headers=headers)

    run()


def test_every_operation_is_fuzzed() -> None:
    """The list above is the whole document (a new endpoint is fuzzed without a change)."""
    paths = api.get_openapi_schema(path_prefix="/api/")["paths"]
    documented = {(m.upper(), p) for p, ops in paths.items() for m in ops}
    assert {(o.method.upper(), o.path) for o in OPERATIONS} == documented
    assert len(documented) > 50
