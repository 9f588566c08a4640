"""两非 case files: who may read them, the clue reporter kept hidden, every read audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.accounts.org_units import org_unit_create
from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden, NotFound
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Role
from jisheng.governance.models import Case, ClueSource
from jisheng.governance.selectors import cases as selectors
from jisheng.governance.services import cases as services

INFORMANT = "举报人赵六 13900001111"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def officer(make_user) -> User:
    return make_user(Role.CASE_OFFICER, username="officer_a")


@pytest.fixture
def case(officer) -> Case:
    officer.full_name = "承办人甲"
    officer.save(update_fields=["full_name"])
    return services.case_open(
        actor=Actor(user=officer),
        source=ClueSource.HOTLINE,
        summary="某诊所疑似非医学需要鉴定胎儿性别",
        received_on=timezone.localdate(),
        informant=INFORMANT,
    )


@pytest.fixture
def other_street(org) -> OrgUnit:
    return org_unit_create(
        actor=None,
        name="榴园街道",
        kind="street",
        code=org.street.code[:-1] + "9",
        parent=org.district,
    )


@pytest.mark.parametrize(
    "role", [Role.COMMUNITY_WORKER, Role.STREET_STAFF, Role.DISTRICT_SUPERVISOR]
)
def test_no_role_but_case_officers_and_leaders_sees_cases(
    role, case, make_user, client_for
) -> None:
    user = make_user(role)
    assert not Case.objects.visible_to(user).exists()
    client = client_for(user)
    assert client.get(reverse("governance:case_list")).status_code == 403
    assert client.get(reverse("governance:case_detail", args=[case.pk])).status_code == 403
    assert client.get("/api/governance/cases").status_code == 403
    assert client.get(f"/api/governance/cases/{case.pk}").status_code == 403


def test_a_community_worker_cannot_open_a_case_through_the_service(case, make_user) -> None:
    worker = Actor(user=make_user(Role.COMMUNITY_WORKER))
    with pytest.raises(Forbidden):
        services.case_investigate(actor=worker, case_id=case.pk, started_on=timezone.localdate())
    with pytest.raises(NotFound):
        selectors.case_read(worker, case.pk)


def test_a_case_officer_of_another_street_cannot_see_the_case(
    case, make_user, other_street, client_for
) -> None:
    stranger = make_user(Role.CASE_OFFICER, other_street)
    assert not Case.objects.visible_to(stranger).exists()
    client = client_for(stranger)
    assert client.get(reverse("governance:case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("governance:case_investigate", args=[case.pk])).status_code == 404
    assert client.get(f"/api/governance/cases/{case.pk}").status_code == 404
    assert client.get("/api/governance/cases").json()["items"] == []
    with pytest.raises(NotFound):
        services.case_investigate(
            actor=Actor(user=stranger), case_id=case.pk, started_on=timezone.localdate()
        )


def test_the_street_leader_and_the_district_leader_see_the_case(
    case, make_user, org, client_for
) -> None:
    for leader in (make_user(Role.LEADER), make_user(Role.LEADER, org.district)):
        response = client_for(leader).get(reverse("governance:case_detail", args=[case.pk]))
        assert response.status_code == 200
        assert case.number in response.content.decode()


def test_the_clue_reporter_is_shown_to_nobody_else(case, officer, make_user, client_for) -> None:
    colleague = make_user(Role.CASE_OFFICER, username="officer_b")
    leader = make_user(Role.LEADER)
    url = reverse("governance:case_detail", args=[case.pk])
    own = client_for(officer).get(url).content.decode()
    assert "承办人甲" in own
    assert "仅您本人可见" in own
    for other in (colleague, leader):
        client = client_for(other)
        page = client.get(url).content.decode()
        listing = client.get(reverse("governance:case_list")).content.decode()
        api = client.get(f"/api/governance/cases/{case.pk}").content.decode()
        api_list = client.get("/api/governance/cases").content.decode()
        for shown in (page, listing, api, api_list):
            assert "承办人甲" not in shown
            assert "officer_a" not in shown
        assert "保密" in page
        assert client.get(f"/api/governance/cases/{case.pk}").json()["reported_by_me"] is False
    assert client_for(officer).get(f"/api/governance/cases/{case.pk}").json()["reported_by_me"]


def test_the_informant_is_shown_to_nobody_not_even_the_reporter(
    case, officer, make_user, client_for
) -> None:
    assert Case.objects.get(pk=case.pk).informant == INFORMANT  # kept, encrypted at rest
    for user in (officer, make_user(Role.LEADER)):
        client = client_for(user)
        for url in (
            reverse("governance:case_detail", args=[case.pk]),
            reverse("governance:case_list"),
            f"/api/governance/cases/{case.pk}",
            "/api/governance/cases",
        ):
            assert "赵六" not in client.get(url).content.decode()
    assert not AuditEvent.objects.filter(detail__icontains="赵六").exists()


def test_every_read_of_a_case_is_audited(case, make_user, client_for) -> None:
    leader = make_user(Role.LEADER)
    client = client_for(leader)
    reads = AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, object_type="governance.case", object_id=str(case.pk)
    )
    assert not reads.exists()
    client.get(reverse("governance:case_detail", args=[case.pk]))
    client.get(f"/api/governance/cases/{case.pk}")
    assert list(reads.values_list("user_id", flat=True)) == [leader.pk, leader.pk]


def test_the_case_officer_role_is_labelled_in_chinese() -> None:
    from django.utils import translation

    with translation.override("zh-hans"):
        assert str(Role.CASE_OFFICER.label) == "案件承办人"


def test_a_clue_cannot_be_opened_for_a_day_in_the_future(officer) -> None:
    from jisheng.core.errors import JishengError

    with pytest.raises(JishengError):
        services.case_open(
            actor=Actor(user=officer),
            source=ClueSource.HOTLINE,
            summary="线索",
            received_on=timezone.localdate() + dt.timedelta(days=1),
        )


def test_showing_the_list_of_cases_is_audited_with_their_ids(case, make_user, client_for) -> None:
    leader = make_user(Role.LEADER)
    client_for(leader).get(reverse("governance:case_list"))
    listed = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH, user_id=leader.pk)
    assert listed.detail == {"ids": [case.pk]}
