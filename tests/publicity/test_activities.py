"""Activities: recorded in scope with photos; the cost reaches the funds hook exactly once,
and a correction reaches it as a reversal plus the new amount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction

from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden, JishengError, NotFound
from jisheng.core.roles import Role
from jisheng.core.spending import SpendingCategory
from jisheng.publicity.models import Activity, ActivityKind, CostEntry, Photo
from jisheng.publicity.services import PhotoUpload, activity_cost_correct, activity_record
from support.images import has_gps, jpeg_bytes

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 8)


def record(user, unit, **extra) -> Activity:
    values = {
        "date": DAY,
        "kind": ActivityKind.CARE_FOR_GIRLS,
        "title": "关爱女孩行动",
        "organiser": "社区计生办",
        "partners": ["社区妇联", "派出所"],
        "audience": 120,
        "materials": 300,
        "cost": "800.00",
    } | extra
    return activity_record(actor=Actor(user=user), org_unit=unit, **values)


def photo(name: str = "现场.jpg", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or jpeg_bytes(gps=True), content_type="image/jpeg")


def test_worker_records_an_activity_and_its_cost_is_handed_once(worker, org, ledger) -> None:
    activity = record(worker, org.c1, photos=[PhotoUpload(photo(), "文艺演出现场")])

    entry = CostEntry.objects.get()
    assert (entry.activity, entry.amount, entry.day, entry.reverses) == (
        activity,
        Decimal("800.00"),
        DAY,
        None,
    )
    assert len(ledger) == 1
    spent = ledger[0]
    assert (spent.source, spent.source_id, spent.amount, spent.day) == (
        "publicity.activity",
        entry.pk,
        Decimal("800.00"),
        DAY,
    )
    assert (spent.category, spent.level, spent.org_unit_id, spent.reverses) == (
        SpendingCategory.PUBLICITY,
        "community",
        org.c1.pk,
        False,
    )
    assert activity.partner_list == ["社区妇联", "派出所"]
    stored = Photo.objects.get()
    assert stored.caption == "文艺演出现场"
    with stored.file.open("rb") as handle:
        assert not has_gps(handle.read())
    assert AuditEvent.objects.filter(object_type="publicity.activity").exists()


def test_an_activity_without_cost_hands_nothing(worker, org, ledger) -> None:
    record(worker, org.c1, cost="0")
    assert not CostEntry.objects.exists()
    assert ledger == []


def test_a_street_wide_activity_is_paid_at_street_level(street, org, ledger) -> None:
    record(street, org.street, kind=ActivityKind.SQUARE_PERFORMANCE, cost="18000")
    assert [(s.level, s.org_unit_id) for s in ledger] == [("street", org.street.pk)]


def test_a_worker_cannot_record_for_another_community_or_the_street(worker, org) -> None:
    with pytest.raises(NotFound):
        record(worker, org.c2)
    with pytest.raises(NotFound):  # the street lies above the worker's scope
        record(worker, org.street)
    assert not Activity.objects.exists()


def test_leader_records_no_activity(leader, org) -> None:
    with pytest.raises(Forbidden):
        record(leader, org.c1)


@pytest.mark.parametrize(
    "extra",
    [
        {"date": dt.date(1899, 12, 31)},
        {"date": dt.date(2999, 1, 1)},
        {"cost": "-1"},
        {"cost": "abc"},
        {"title": "  "},
    ],
)
def test_impossible_input_is_refused(worker, org, extra) -> None:
    with pytest.raises(JishengError):
        record(worker, org.c1, **extra)
    assert not Activity.objects.exists()


def test_a_bad_photo_refuses_the_whole_activity(worker, org, ledger) -> None:
    renamed_program = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0MZ" + b"\x00" * 300)
    with pytest.raises(JishengError):
        record(worker, org.c1, photos=[PhotoUpload(photo()), PhotoUpload(renamed_program)])
    assert not Activity.objects.exists()
    assert not CostEntry.objects.exists()
    assert not Photo.objects.exists()


def test_correcting_the_cost_hands_a_reversal_and_the_new_amount(worker, org, ledger) -> None:
    activity = record(worker, org.c1)
    first = CostEntry.objects.get()

    entries = activity_cost_correct(actor=Actor(user=worker), activity=activity, cost="650.50")

    reversal, new = entries
    assert (reversal.amount, reversal.reverses) == (Decimal("-800.00"), first)
    assert (new.amount, new.reverses) == (Decimal("650.50"), None)
    activity.refresh_from_db()
    assert activity.cost == Decimal("650.50")
    assert sum(e.amount for e in CostEntry.objects.filter(activity=activity)) == activity.cost
    assert [(s.amount, s.reverses, s.source_id) for s in ledger] == [
        (Decimal("800.00"), False, first.pk),
        (Decimal("-800.00"), True, reversal.pk),
        (Decimal("650.50"), False, new.pk),
    ]
    assert len({s.source_id for s in ledger}) == 3  # each entry is its own source row


def test_the_same_cost_again_hands_nothing_and_zero_only_reverses(worker, org, ledger) -> None:
    activity = record(worker, org.c1)
    actor = Actor(user=worker)
    assert activity_cost_correct(actor=actor, activity=activity, cost="800") == []
    assert len(ledger) == 1
    (reversal,) = activity_cost_correct(actor=actor, activity=activity, cost="0")
    assert reversal.amount == Decimal("-800.00")
    assert sum(s.amount for s in ledger) == 0


def test_a_worker_cannot_correct_another_communitys_cost(worker, make_user, org) -> None:
    other = record(make_user(Role.COMMUNITY_WORKER, org.c2), org.c2)
    with pytest.raises(NotFound):
        activity_cost_correct(actor=Actor(user=worker), activity=other, cost="1")


def test_cost_entries_are_append_only(worker, org) -> None:
    record(worker, org.c1)
    with pytest.raises(PermissionError):
        CostEntry.objects.update(amount=1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE publicity_costentry SET amount = 1")
