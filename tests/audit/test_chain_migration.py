"""The migration that makes the trail a hash chain chains the entries already there, in the
order they were written, and leaves the database refusing deletes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from jisheng.audit import services as audit
from jisheng.audit.chain import chain_verify
from jisheng.audit.models import AuditEvent

BEFORE = [("audit", "0002_append_only_trigger")]


def migrate(targets: list[tuple[str, str]]) -> None:
    MigrationExecutor(connection).migrate(targets)


@pytest.fixture
def unchained(transactional_db: None) -> Iterator[None]:
    """The trail as it was before the chain; the current schema is put back afterwards."""
    migrate(BEFORE)
    try:
        yield
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("audit"))


def test_existing_entries_are_chained_in_the_order_they_were_written(unchained) -> None:
    with connection.cursor() as cursor:
        for i in range(3):
            cursor.execute(
                "INSERT INTO audit_auditevent (at, user_id, username, roles, ip, action, "
                "object_type, object_id, result, detail) VALUES "
                "(%s, NULL, %s, '', '192.0.2.7', 'login', '', '', 'success', %s)",
                [f"2026-01-0{i + 1} 08:00:00.000001+00:00", f"old{i}", '{"n": 1.0}'],
            )

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes("audit"))

    old = list(AuditEvent.objects.order_by("seq").values_list("seq", "username"))
    assert old == [(1, "old0"), (2, "old1"), (3, "old2")]
    assert audit.record(action="logout", username="new").seq == 4
    assert chain_verify().broken is None
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = 1")
