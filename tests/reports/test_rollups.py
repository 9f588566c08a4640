"""Rollups equal direct counts: after a full rebuild, and after the worker's incremental refresh
following a random stream of registry events (a seeded property test)."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from tests.registry.conftest import new_id_number

from jisheng.core.actors import Actor
from jisheng.core.errors import JishengError
from jisheng.core.roles import Role
from jisheng.registry.models import LifeEvent, Person, ResidentStatus
from jisheng.registry.services import events
from jisheng.registry.services.persons import PersonData
from jisheng.reports.rollups import services
from jisheng.reports.rollups.models import RollupCell, RollupState

REGISTRY_MEASURES = ("persons", "households", "births", "deaths", "moves", "flows")
START = dt.date(2025, 3, 1)
NAMES = ("李强", "王芳", "张伟", "刘洋", "陈静", "杨敏")


def person_data(rng: random.Random, sex: str, born: dt.date) -> PersonData:
    return PersonData(
        name=rng.choice(NAMES),
        sex=sex,
        birth_date=born,
        id_number=new_id_number(born, sex),
        phone="13700001111",
        address="榴园社区1号楼101",
        is_floating=rng.random() < 0.3,
    )


def random_step(rng: random.Random, actor: Actor, org, day: dt.date) -> None:
    """One random registry event (refused ones, like any refusal, change nothing)."""
    communities = (org.c1, org.c2)
    living = list(Person.objects.filter(status=ResidentStatus.LIVING).order_by("pk"))
    moved = list(Person.objects.filter(status=ResidentStatus.MOVED_OUT).order_by("pk"))
    women = [p for p in living if p.sex == "F" and p.birth_date.year < 2000]
    kind = rng.choice(
        [
            "register",
            "register",
            "birth",
            "birth",
            "death",
            "move_out",
            "move_in",
            "household",
            "reverse",
            "new_arrival",
        ]
    )
    if kind == "register" or not living:
        sex = rng.choice("MF")
        born = dt.date(rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28))
        events.registration_record(
            actor=actor,
            community=rng.choice(communities),
            date=day,
            data=person_data(rng, sex, born),
        )
    elif kind == "birth" and women:
        child = person_data(rng, rng.choice("MF"), day)
        child.id_number = ""
        events.birth_record(actor=actor, mother=rng.choice(women), child=child)
    elif kind == "death":
        events.death_record(actor=actor, person=rng.choice(living), date=day)
    elif kind == "move_out":
        events.move_out_record(actor=actor, person=rng.choice(living), date=day)
    elif kind == "move_in" and moved:
        events.move_in_record(
            actor=actor, community=rng.choice(communities), person=rng.choice(moved), date=day
        )
    elif kind == "new_arrival":
        born = dt.date(rng.randint(1950, 2000), 6, 1)
        events.move_in_record(
            actor=actor,
            community=rng.choice(communities),
            date=day,
            data=person_data(rng, rng.choice("MF"), born),
        )
    elif kind == "household":
        events.household_change_record(
            actor=actor, person=rng.choice(living), date=day, address="榴园社区3号楼"
        )
    elif kind == "reverse":
        latest = LifeEvent.objects.filter(reverses__isnull=True).order_by("-pk").first()
        if latest is not None and latest.kind != LifeEvent.Kind.CORRECTION:
            events.event_reverse(actor=actor, event=latest, reason="录入错误", date=day)


def test_rollups_equal_direct_counts_after_a_random_stream_of_events(
    org, make_user, monkeypatch
) -> None:
    # Without the look-back, each refresh reads only the events after its cursor: what it
    # recounts is exactly what those events touched.
    monkeypatch.setattr(services, "ID_LOOKBACK", 0)
    actor = Actor(user=make_user(Role.STREET_STAFF), ip="127.0.0.1")
    rng = random.Random(20261205)
    services.rollups_refresh()  # the first run builds everything
    refreshed = 0
    for step in range(240):
        day = START + dt.timedelta(days=step * 2)
        with contextlib.suppress(JishengError):
            random_step(rng, actor, org, day)
        if rng.random() < 0.25:
            touched = services.rollups_refresh()
            refreshed += bool(touched)
            assert services.rollups_check(REGISTRY_MEASURES) == [], f"after step {step}"
    services.rollups_refresh()
    assert services.rollups_check(REGISTRY_MEASURES) == []
    # The stream exercised every kind of change, and the refreshes were incremental.
    kinds = set(LifeEvent.objects.values_list("kind", flat=True))
    assert {"registration", "birth", "death", "move_out", "move_in", "correction"} <= kinds
    assert refreshed > 10
    assert RollupCell.objects.filter(measure="births").exists()


def test_refresh_recounts_only_the_touched_units(org, make_person, monkeypatch) -> None:
    # Without the look-back that re-reads recent ids (rows committed out of id order).
    monkeypatch.setattr(services, "ID_LOOKBACK", 0)
    make_person(org.c1)
    services.rollups_refresh()
    make_person(org.c2, name="李四")
    assert services.rollups_refresh() == {"persons": {org.c2.pk}}
    assert services.rollups_check(["persons"]) == []


def test_check_reports_a_figure_edited_by_hand(org, make_person) -> None:
    make_person(org.c1)
    services.rollups_rebuild()
    RollupCell.objects.filter(measure="persons").update(count=7)
    differences = services.rollups_check(["persons"])
    assert [(d.stored[0], d.counted[0]) for d in differences] == [(7, 1)]


def test_rollups_command_rebuilds_and_checks(org, make_person) -> None:
    make_person(org.c1)
    out = StringIO()
    call_command("rollups", "rebuild", stdout=out)
    assert "rebuilt" in out.getvalue()
    assert RollupState.objects.get().as_of is not None
    call_command("rollups", "check", stdout=out)
    assert "rollups and kept figures equal the records" in out.getvalue()
    RollupCell.objects.filter(measure="persons").delete()
    with pytest.raises(CommandError, match="differ"):
        call_command("rollups", "check", stdout=StringIO())


def test_worker_maintenance_keeps_rollups_current(org, make_person) -> None:
    from jisheng.core.workers import maintain

    maintain()
    make_person(org.c1)
    maintain()
    assert services.rollups_check() == []
    assert RollupCell.objects.filter(measure="persons").count() == 1


def test_a_day_old_rebuild_is_done_again_by_the_refresh(org, make_person) -> None:
    services.rollups_rebuild()
    RollupState.objects.update(rebuilt_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    make_person(org.c1)
    assert services.rollups_refresh() == {}
    assert RollupState.objects.get().rebuilt_at.year > 2020
    assert services.rollups_check() == []


def test_rebuild_as_a_task_shows_its_progress(org, make_person, make_user) -> None:
    from jisheng.core.models import TaskProgress
    from jisheng.core.progress import progress_create
    from jisheng.reports.rollups.tasks import REBUILD_KIND, rollups_rebuild_task

    make_person(org.c1)
    owner = make_user(Role.STREET_STAFF)
    progress = progress_create(owner_id=owner.pk, kind=REBUILD_KIND)
    message = rollups_rebuild_task.call(progress_id=progress.pk)
    progress.refresh_from_db()
    assert progress.state == TaskProgress.State.DONE
    assert progress.total > 0
    assert progress.done == progress.total
    assert message.startswith("cells=")
    assert services.rollups_check() == []


def test_enqueue_needs_an_owner(org) -> None:
    with pytest.raises(CommandError, match="--owner"):
        call_command("rollups", "rebuild", "--enqueue", stdout=StringIO())
