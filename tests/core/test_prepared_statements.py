"""On PostgreSQL a query a connection runs a few times is prepared on the server (parsed, and
where its generic plan pays, planned once; settings.py), while one run once never is."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from jisheng.core.models import OrgUnit

pytestmark = pytest.mark.django_db


def prepared_on_server() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_a_query_run_a_few_times_is_prepared_and_one_run_once_is_not() -> None:
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if connection.vendor != "postgresql":
        # SQLite's own statement cache serves it; the PostgreSQL options are not set.
        assert "server_side_binding" not in options
        assert "prepare_threshold" not in options
        return
    assert options["server_side_binding"] is True
    threshold = options["prepare_threshold"]
    assert isinstance(threshold, int)  # not turned off (JISHENG_DB_PREPARE_THRESHOLD)
    for _ in range(threshold + 1):
        list(OrgUnit.objects.filter(pk=1).values_list("name"))
    OrgUnit.objects.filter(code="once").exists()
    found = prepared_on_server()
    assert any('"core_orgunit"."name"' in sql and "$1" in sql for sql in found)
    assert not any('"core_orgunit"."code"' in sql for sql in found)
