"""The migration that encrypts reproductive data keeps every existing value, and dates the
files that were already closed; going back restores the plain columns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from jisheng.prepregnancy.models import Pregnancy, TargetCouple
from jisheng.registry.services import events

APP = "prepregnancy"
BEFORE = [(APP, "0002_seed_risk_factors")]
DAY = dt.timedelta(days=1)


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)  # a fresh loader sees the state just reached


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes(APP)


@pytest.fixture
def at_plain_schema(transactional_db: None) -> Iterator[MigrationExecutor]:
    """The module's tables as they were before encryption; put back afterwards whatever
    happens, so the tests after this one find the current schema."""
    executor = migrate(BEFORE)
    try:
        yield executor
    finally:
        migrate(latest())


def column_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def raw_pregnancy(pk: int) -> tuple[object, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT outcome, last_period, outcome_date FROM prepregnancy_pregnancy WHERE id = %s",
            [pk],
        )
        return tuple(cursor.fetchone())


def test_existing_rows_survive_encryption_and_closed_files_get_their_date(
    at_plain_schema, marry, worker, street_actor, today
) -> None:
    old = at_plain_schema.loader.project_state(BEFORE).apps
    couple_model = old.get_model(APP, "TargetCouple")
    pregnancy_model = old.get_model(APP, "Pregnancy")
    user = worker
    ended_at = timezone.now() - 4 * DAY

    def file(spouses, state: str):
        return couple_model.objects.create(
            community_id=spouses.wife.community_id,
            husband_id=spouses.husband.pk,
            wife_id=spouses.wife.pk,
            marriage_id=spouses.marriage.pk,
            source="new_marriage",
            entered_on=spouses.marriage.date,
            state=state,
        )

    served, moved, ended = marry(), marry(), marry()
    served_file = file(served, "outcome")
    moved_file = file(moved, "moved_out")
    ended_file = file(ended, "ended")
    couple_model.objects.filter(pk=ended_file.pk).update(marriage=None, updated_at=ended_at)
    events.move_out_record(actor=street_actor, person=moved.husband, date=today - 6 * DAY)
    closed = pregnancy_model.objects.create(
        couple_id=served_file.pk,
        reported_on=today - 200 * DAY,
        last_period=today - 240 * DAY,
        reported_by_id=user.pk,
        outcome="miscarriage",
        outcome_date=today - 150 * DAY,
    )
    still_open = pregnancy_model.objects.create(
        couple_id=served_file.pk,
        reported_on=today - 10 * DAY,
        last_period=today - 50 * DAY,
        reported_by_id=user.pk,
    )

    migrate(latest())

    assert {"outcome_plain", "last_period_plain", "outcome_date_plain"}.isdisjoint(
        column_names("prepregnancy_pregnancy")
    )
    done = Pregnancy.objects.get(pk=closed.pk)
    assert (done.closed, done.outcome, done.last_period, done.outcome_date) == (
        True,
        "miscarriage",
        today - 240 * DAY,
        today - 150 * DAY,
    )
    current = Pregnancy.objects.get(pk=still_open.pk)
    assert (current.closed, current.outcome, current.last_period) == (
        False,
        None,
        today - 50 * DAY,
    )
    stored = b"".join(bytes(v) for v in raw_pregnancy(closed.pk))
    for plaintext in ("miscarriage", (today - 240 * DAY).isoformat()):
        assert plaintext.encode() not in stored
    closing = dict(TargetCouple.objects.values_list("pk", "closed_on"))
    assert closing == {
        served_file.pk: None,
        moved_file.pk: today - 6 * DAY,  # the husband's move-out
        ended_file.pk: timezone.localdate(ended_at),  # no event known: the last update
    }

    # And back: the plain columns hold the values again.
    migrate(BEFORE)
    assert tuple(str(value) for value in raw_pregnancy(closed.pk)) == (
        "miscarriage",
        (today - 240 * DAY).isoformat(),
        (today - 150 * DAY).isoformat(),
    )
