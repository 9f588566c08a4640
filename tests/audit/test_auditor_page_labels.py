"""The auditor's page speaks like the rest: Beijing time and days, role names, objects named
and linked only as far as the auditor may see them, and what a permission change changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client

from jisheng.accounts.models import User
from jisheng.accounts.services import role_grant, role_revoke
from jisheng.audit import services as audit
from jisheng.audit.selectors import audit_rows, audit_search, objects_shown
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden
from jisheng.core.roles import Role
from jisheng.registry.models import Person


@pytest.fixture
def auditor(make_user: Callable[..., User]) -> User:
    return make_user(Role.SECURITY_AUDITOR, username="the_auditor")


def test_an_event_late_in_the_utc_evening_is_listed_on_the_next_beijing_day(
    auditor: User,
) -> None:
    # 2026-03-02 17:30 UTC is 2026-03-03 01:30 in Beijing.
    with time_machine.travel(dt.datetime(2026, 3, 2, 17, 30, tzinfo=dt.UTC), tick=False):
        audit.record(action="view", username="night_owl")

    on_the_3rd = audit_search(
        actor=auditor, filters={"date_from": dt.date(2026, 3, 3), "date_to": dt.date(2026, 3, 3)}
    )
    on_the_2nd = audit_search(
        actor=auditor, filters={"date_from": dt.date(2026, 3, 2), "date_to": dt.date(2026, 3, 2)}
    )

    assert [e.username for e in on_the_3rd] == ["night_owl"]
    assert not on_the_2nd.filter(username="night_owl").exists()


def test_roles_are_named_and_role_changes_say_which_role(
    org, auditor: User, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    security_admin = make_user(Role.SECURITY_ADMIN, username="sec_admin")
    target = make_user(Role.LEADER, username="the_leader")
    role_revoke(actor=Actor(user=security_admin), user=target, role=Role.LEADER)
    target = User.objects.get(pk=target.pk)
    role_grant(actor=Actor(user=security_admin), user=target, role=Role.STREET_STAFF)

    body = client_for(auditor).get("/audit/", {"action": "permission_change"}).content.decode()

    assert "security_admin" not in body.replace('data-roles="security_admin"', "")
    assert "安全管理员" in body
    assert "撤销角色：分管领导" in body
    assert "授予角色：街道计生办" in body
    assert "the_leader" in body  # the account changed, by its user name


def test_a_resident_is_shown_by_kind_and_number_never_by_name_to_the_auditor(
    org, auditor: User, make_person: Callable[..., Person], client_for: Callable[[User], Client]
) -> None:
    person = make_person(name="欧阳秀英")
    audit.record(action="view", username="wang_li", obj=person)

    body = client_for(auditor).get("/audit/", {"username": "wang_li"}).content.decode()

    assert f"居民 #{person.pk}" in body
    assert "欧阳秀英" not in body
    assert f"/registry/persons/{person.pk}/" not in body
    assert "registry.person" not in body.replace(f'data-object="registry.person:{person.pk}"', "")


def test_a_record_the_viewer_may_open_is_named_and_linked(
    org, make_user: Callable[..., User], make_person: Callable[..., Person]
) -> None:
    # The rule is the viewer's own scope: one who may read the resident gets name and link.
    person = make_person(name="欧阳秀英")
    event = audit.record(action="view", username="wang_li", obj=person)

    shown = objects_shown(make_user(Role.STREET_STAFF), [event])[event.object_type, event.object_id]

    assert (shown.kind, shown.name) == ("居民", "欧阳秀英")
    assert shown.url == f"/registry/persons/{person.pk}/"


def test_audit_rows_are_for_the_auditor_only(org, make_user: Callable[..., User]) -> None:
    with pytest.raises(Forbidden):
        audit_rows(viewer=make_user(Role.STREET_STAFF), events=[])
