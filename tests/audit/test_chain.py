"""The trail is a hash chain: deletes are refused by the database, and whatever an attacker
with database access does behind the app's back, `jisheng audit verify` finds it."""

from __future__ import annotations

import itertools
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from jisheng.audit import services as audit
from jisheng.audit.chain import HASHED_FIELDS, chain_verify, entry_hash
from jisheng.audit.models import AuditChain, AuditEvent

TABLE = connection.ops.quote_name(AuditEvent._meta.db_table)


@pytest.fixture
def trail(db: None) -> list[AuditEvent]:
    return [
        audit.record(action="login", username=f"user{i}", ip="192.0.2.1", detail={"n": i})
        for i in range(1, 6)
    ]


def _as_attacker(sql: str, params: list[object]) -> None:
    """Run SQL with the append-only triggers out of the way, as someone who owns the database
    would; the test's transaction brings them back."""
    with connection.cursor() as cursor:
        for trigger in ("audit_auditevent_no_update", "audit_auditevent_no_delete"):
            on = " ON audit_auditevent" if connection.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER {trigger}{on}")
        cursor.execute(sql, params)


def _verify_fails() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    return str(failure.value)


def test_an_untouched_trail_verifies(trail: list[AuditEvent], capsys) -> None:
    call_command("audit", "verify")

    assert "intact: 5 entries, seq 1..5" in capsys.readouterr().out


def test_each_entry_links_to_the_one_before(trail: list[AuditEvent]) -> None:
    assert [e.seq for e in trail] == [1, 2, 3, 4, 5]
    assert trail[0].prev_hash == ""
    assert all(e.prev_hash == p.chain_hash for p, e in itertools.pairwise(trail))
    assert AuditChain.objects.get().chain_hash == trail[-1].chain_hash


def test_the_database_refuses_a_raw_delete(trail: list[AuditEvent]) -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [trail[2].pk])  # noqa: S608

    assert AuditEvent.objects.count() == 5


def test_the_database_refuses_to_empty_the_trail(trail: list[AuditEvent]) -> None:
    verb = "TRUNCATE" if connection.vendor == "postgresql" else "DELETE FROM"
    statement = f"{verb} {TABLE}"

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)

    assert AuditEvent.objects.count() == 5


def test_verify_reports_a_deleted_entry(trail: list[AuditEvent]) -> None:
    _as_attacker(f"DELETE FROM {TABLE} WHERE id = %s", [trail[2].pk])  # noqa: S608

    message = _verify_fails()

    assert f"entry id={trail[3].pk} (seq 4)" in message
    assert "entries 3..3 before this one are missing" in message


def test_verify_reports_deleted_entries_at_the_end(trail: list[AuditEvent]) -> None:
    _as_attacker(f"DELETE FROM {TABLE} WHERE seq >= 4", [])  # noqa: S608

    assert "entries 4..5 are missing: the end of the trail was deleted" in _verify_fails()


def test_verify_reports_an_edited_entry(trail: list[AuditEvent]) -> None:
    _as_attacker(f"UPDATE {TABLE} SET username = %s WHERE id = %s", ["nobody", trail[1].pk])  # noqa: S608

    message = _verify_fails()

    assert f"entry id={trail[1].pk} (seq 2)" in message
    assert "content does not match its hash" in message


def test_verify_reports_an_entry_rewritten_with_a_fresh_hash(trail: list[AuditEvent]) -> None:
    values = {name: getattr(trail[1], name) for name in HASHED_FIELDS}
    values["action"] = "logout"
    _as_attacker(
        f"UPDATE {TABLE} SET action = %s, chain_hash = %s WHERE id = %s",  # noqa: S608
        ["logout", entry_hash(values), trail[1].pk],
    )

    message = _verify_fails()

    assert f"entry id={trail[2].pk} (seq 3)" in message
    assert "does not link to the entry before it" in message


def test_verify_reports_a_forged_entry_appended_behind_the_apps_back(
    trail: list[AuditEvent],
) -> None:
    # Even a correctly chained forgery is caught: the head row did not move.
    values = {name: getattr(trail[-1], name) for name in HASHED_FIELDS}
    values.update(seq=6, prev_hash=trail[-1].chain_hash, username="ghost")
    forged = AuditEvent(**values, chain_hash=entry_hash(values))
    AuditEvent.objects.bulk_create([forged])

    message = _verify_fails()

    assert "(seq 6)" in message
    assert "beyond the chain head (5): not appended by app" in message


def test_verify_reports_a_forged_entry_with_a_made_up_hash(trail: list[AuditEvent]) -> None:
    _as_attacker(f"DELETE FROM {TABLE} WHERE seq = 5", [])  # noqa: S608
    values = {name: getattr(trail[-1], name) for name in HASHED_FIELDS}
    values["username"] = "ghost"
    AuditEvent.objects.bulk_create([AuditEvent(**values, chain_hash="0" * 64)])

    message = _verify_fails()

    assert "(seq 5)" in message
    assert "content does not match its hash" in message


def test_verify_streams_the_trail_in_chunks(trail: list[AuditEvent]) -> None:
    report = chain_verify(chunk_size=2)

    assert (report.checked, report.head_seq, report.broken) == (5, 5, None)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain() -> None:
    # In parallel threads on PostgreSQL (the head row's lock serialises them); the test
    # database of SQLite is in memory and takes one writer at a time, so there in turn.
    def write(worker: int) -> None:
        try:
            for i in range(15):
                audit.record(action="view", username=f"w{worker}", detail={"i": i})
        finally:
            if connection.vendor == "postgresql":
                connection.close()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    else:
        for n in range(6):
            write(n)

    assert sorted(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, 91))
    assert chain_verify().broken is None


def test_record_detail_is_hashed_as_the_database_returns_it(db: None) -> None:
    audit.record(action="export", username="x", ip="0:0:0:0:0:0:0:1", detail={"f": 2.0, "t": (1,)})

    assert chain_verify().broken is None
    assert AuditEvent.objects.get().ip == "::1"
