"""Keeping the worklist in step with the registry without anyone pressing "update": the task
worker refreshes every street whose last derivation is a day old (never the page while its
user waits), and a nightly command can refresh every street."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jisheng.audit.models import AuditEvent
from jisheng.core.models import OrgUnit
from jisheng.core.workers import maintain
from jisheng.prepregnancy.management.commands.prepregnancy_refresh import Command
from jisheng.prepregnancy.models import TargetCouple, WorklistRefresh
from jisheng.prepregnancy.services import couples
from jisheng.prepregnancy.tasks import street_couples_refresh_task

REFRESHES = {"object_type": "prepregnancy.targetcouple", "action": "update"}


def age_marks(days: float) -> None:
    WorklistRefresh.objects.update(refreshed_at=timezone.now() - dt.timedelta(days=days))


def test_the_worker_brings_in_new_couples_by_itself(worker, client_for, marry) -> None:
    spouses = marry()
    client = client_for(worker)
    page = client.get(reverse("prepregnancy:couple_list")).content.decode()
    assert spouses.wife.name not in page  # the page never derives while its user waits
    assert "尚有单位未按户籍婚姻登记生成目标人群" in page

    maintain()  # the task worker's periodic jobs

    page = client.get(reverse("prepregnancy:couple_list")).content.decode()
    couple = TargetCouple.objects.get(wife=spouses.wife)
    assert f'data-couple="{couple.pk}"' in page
    assert "按户籍婚姻登记生成" in page
    assert "系统每日自动更新" in page
    assert set(worker.scope_unit_ids()) <= set(
        WorklistRefresh.objects.values_list("unit_id", flat=True)
    )
    assert AuditEvent.objects.filter(**REFRESHES, username="worker").count() == 1


def test_within_a_day_the_worker_does_not_derive_again(org, marry) -> None:
    assert len(couples.due_streets_refresh()) == 1
    later = marry()
    age_marks(0.9)
    assert couples.due_streets_refresh() == []
    assert not TargetCouple.objects.filter(wife=later.wife).exists()
    age_marks(1.1)
    [result] = couples.due_streets_refresh()
    assert result.created == 1
    assert AuditEvent.objects.filter(**REFRESHES).count() == 2


def test_a_street_never_derived_is_due_even_when_one_community_is_fresh(actor, org, marry) -> None:
    couples.target_couples_refresh(actor=actor)  # the worker's community only
    marry(community=org.c2)
    [result] = couples.due_streets_refresh()
    assert result.created == 1


def test_the_api_list_does_not_derive(worker, client_for, marry) -> None:
    marry()
    client = client_for(worker)
    assert client.get("/api/prepregnancy/couples").json()["items"] == []
    maintain()
    assert len(client.get("/api/prepregnancy/couples").json()["items"]) == 1


def test_the_nightly_command_refreshes_every_street(org, marry, make_user) -> None:
    mine, theirs = marry(community=org.c1), marry(community=org.c2)
    out = io.StringIO()
    call_command("prepregnancy_refresh", stdout=out)
    assert f"{org.street.code} {org.street.name}: created=2 updated=0" in out.getvalue()
    made = TargetCouple.objects.filter(wife__in=[mine.wife, theirs.wife])
    assert made.count() == 2
    assert set(made.values_list("created_by", flat=True)) == {None}
    event = AuditEvent.objects.get(**REFRESHES)
    assert (event.username, event.user_id, event.detail["created"]) == ("cli", None, 2)
    street_units = OrgUnit.objects.filter(path__startswith=org.street.path)
    assert WorklistRefresh.objects.filter(unit__in=street_units).count() == street_units.count()
    out = io.StringIO()
    call_command("prepregnancy_refresh", stdout=out)  # idempotent
    assert "created=0 updated=0" in out.getvalue()


def test_the_command_can_queue_one_task_per_street(org, marry) -> None:
    spouses = marry()
    call_command("prepregnancy_refresh", "--enqueue", stdout=io.StringIO())
    streets = OrgUnit.objects.filter(kind=OrgUnit.Kind.STREET)
    queued = DBTaskResult.objects.filter(task_path__endswith="street_couples_refresh_task")
    assert sorted(row.args_kwargs["kwargs"]["street_id"] for row in queued) == sorted(
        street.pk for street in streets
    )
    assert not TargetCouple.objects.exists()  # nothing ran yet
    assert street_couples_refresh_task.call(street_id=org.street.pk) == "created=1 updated=0"
    assert TargetCouple.objects.filter(wife=spouses.wife).exists()


def test_the_command_help_says_it_is_for_a_nightly_cron() -> None:
    assert "nightly cron" in Command.help


def test_an_unknown_street_is_an_error(org) -> None:
    with pytest.raises(CommandError):
        call_command("prepregnancy_refresh", "--street", "000000000", stdout=io.StringIO())
