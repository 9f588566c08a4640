"""Event pages: each form shows (GET), records its event (POST), refuses on the form,
hides other communities' residents (404) and answers 403 to roles that may not edit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.registry.models import (
    Household,
    HouseholdMember,
    LifeEvent,
    MaritalStatus,
    Marriage,
    ParentLink,
    Person,
    ResidentStatus,
)
from jisheng.registry.services import events
from jisheng.registry.services.persons import PersonData

Kind = LifeEvent.Kind
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def worker(make_user):
    return make_user(Role.COMMUNITY_WORKER)


@pytest.fixture
def client(worker, client_for) -> Client:
    return client_for(worker)


@pytest.fixture
def actor(worker) -> Actor:
    return Actor(user=worker)


@pytest.fixture
def family(make_person, make_household, actor):
    """A married couple in community 1 sharing a household numbered H0001."""
    husband = make_person(name="李强", sex="M", birth_date=dt.date(1990, 1, 1))
    wife = make_person(name="王芳", sex="F", birth_date=dt.date(1993, 6, 1))
    household = make_household(husband)
    Household.objects.filter(pk=household.pk).update(number="H0001")
    HouseholdMember.objects.create(
        household=household, person=wife, relation="10", start_date=dt.date(2020, 1, 1)
    )
    events.marriage_record(actor=actor, husband=husband, wife=wife, date=dt.date(2019, 5, 1))
    return husband, wife, Household.objects.get(pk=household.pk)


def refresh(person: Person) -> Person:
    return Person.objects.get(pk=person.pk)


def url(name: str, *args: int) -> str:
    return reverse(f"registry:{name}", args=args)


def person_fields(person_data, **extra: Any) -> dict[str, Any]:
    data = person_data(name="赵敏", sex="F", birth_date=dt.date(1996, 4, 5))
    fields = {
        "name": data.name,
        "sex": data.sex,
        "birth_date": data.birth_date.isoformat(),
        "id_number": data.id_number,
        "phone": "13700002222",
        "ethnicity": "01",
        "hukou_type": "urban",
        "hukou_division": "",
        "address": "榴园社区3号楼301",
        "marital_status": "10",
    }
    fields.update(extra)
    return fields


def assert_redirects_to(response, person: Person) -> None:
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == url("person_detail", person.pk)


# ---------------------------------------------------------------- GET: every form shows


PERSON_FORMS = (
    "person_birth",
    "person_death",
    "person_move_out",
    "person_move_in",
    "person_household_change",
    "person_marriage",
    "person_correct",
)


@pytest.mark.parametrize("name", PERSON_FORMS)
def test_person_event_form_shows(client, family, name) -> None:
    _husband, wife, _household = family
    response = client.get(url(name, wife.pk))
    assert response.status_code == 200
    assert 'data-testid="event-form"' in response.content.decode()


@pytest.mark.parametrize("name", ["person_register", "person_move_in_new"])
def test_new_resident_forms_show(client, org, name) -> None:
    response = client.get(url(name))
    assert response.status_code == 200
    assert f'value="{org.c1.pk}"' in response.content.decode()


def test_divorce_and_reverse_forms_show(client, family) -> None:
    husband, wife, _household = family
    marriage = Marriage.objects.get(husband=husband)
    assert client.get(url("person_divorce", wife.pk, marriage.pk)).status_code == 200
    event = LifeEvent.objects.get(kind=Kind.MARRIAGE)
    response = client.get(url("event_reverse", wife.pk, event.pk))
    assert response.status_code == 200
    assert "2019-05-01" in response.content.decode()


def test_birth_form_offers_the_husband_as_father(client, family) -> None:
    husband, wife, _household = family
    form = client.get(url("person_birth", wife.pk)).context["form"]
    assert form.fields["father"].initial == husband.pk


def test_correction_form_starts_from_the_record(client, family) -> None:
    husband, _wife, _household = family
    form = client.get(url("person_correct", husband.pk)).context["form"]
    assert form.initial["id_number"] == husband.id_number
    assert form.initial["name"] == "李强"


# ---------------------------------------------------------------- POST: events are recorded


def test_registration_creates_the_resident(client, org, family, person_data) -> None:
    fields = person_fields(
        person_data, community=org.c1.pk, date="2026-03-01", household="H0001", relation="99"
    )
    response = client.post(url("person_register"), fields)
    person = Person.objects.get(name="赵敏")
    assert_redirects_to(response, person)
    assert person.events.get().kind == Kind.REGISTRATION
    assert HouseholdMember.objects.get(person=person, end_date__isnull=True).relation == "99"


def test_newcomer_moves_in(client, org, person_data) -> None:
    fields = person_fields(
        person_data,
        community=org.c1.pk,
        date="2026-03-01",
        origin="徐州",
        relation="02",
        is_floating="on",
    )
    response = client.post(url("person_move_in_new"), fields)
    person = Person.objects.get(name="赵敏")
    assert_redirects_to(response, person)
    event = person.events.get()
    assert (event.kind, event.data) == (Kind.MOVE_IN, {"origin": "徐州"})
    assert person.is_floating


def test_birth_on_the_mothers_page(client, family) -> None:
    husband, wife, household = family
    response = client.post(
        url("person_birth", wife.pk),
        {
            "name": "李小明",
            "sex": "M",
            "birth_date": "2026-02-01",
            "id_number": "",
            "ethnicity": "01",
            "hukou_type": "urban",
            "father": str(husband.pk),
        },
    )
    assert_redirects_to(response, wife)
    child = Person.objects.get(name="李小明")
    assert child.name_initials == "lxm"
    assert set(ParentLink.objects.filter(child=child).values_list("parent_id", flat=True)) == {
        husband.pk,
        wife.pk,
    }
    assert HouseholdMember.objects.get(person=child).household == household
    assert child.address == wife.address
    event = child.events.get()
    assert (event.kind, event.other_person) == (Kind.BIRTH, wife)


def test_a_birth_too_soon_after_a_sibling_comes_back_on_the_form(client, family) -> None:
    _husband, wife, _household = family
    fields = {
        "name": "李小明",
        "sex": "M",
        "birth_date": "2026-02-01",
        "id_number": "",
        "ethnicity": "01",
        "hukou_type": "urban",
    }
    assert client.post(url("person_birth", wife.pk), fields).status_code == 302
    fields.update(name="李小红", sex="F", birth_date="2026-03-01")
    response = client.post(url("person_birth", wife.pk), fields)
    assert response.status_code == 400
    [message] = response.context["form"].non_field_errors()
    assert "2026-02-01" in message
    assert "150" in message
    assert "双胞胎" in message  # in Chinese
    assert 'value="李小红"' in response.content.decode()
    assert not Person.objects.filter(name="李小红").exists()


def test_birth_with_a_father_given_by_id_number(client, family, make_person) -> None:
    _husband, wife, _household = family
    other = make_person(name="张伟", sex="M", birth_date=dt.date(1991, 3, 3))
    response = client.post(
        url("person_birth", wife.pk),
        {
            "name": "张小红",
            "sex": "F",
            "birth_date": "2026-02-01",
            "ethnicity": "01",
            "hukou_type": "rural",
            "father": "",
            "father_id_number": other.id_number,
        },
    )
    assert_redirects_to(response, wife)
    child = Person.objects.get(name="张小红")
    assert set(ParentLink.objects.filter(child=child).values_list("parent_id", flat=True)) == {
        other.pk,
        wife.pk,
    }


def test_death(client, family) -> None:
    husband, wife, _household = family
    response = client.post(url("person_death", husband.pk), {"date": "2026-03-01", "note": "病故"})
    assert_redirects_to(response, husband)
    assert refresh(husband).status == ResidentStatus.DECEASED
    assert refresh(wife).marital_status == MaritalStatus.WIDOWED
    assert husband.events.get(kind=Kind.DEATH).note == "病故"


def test_move_out(client, family) -> None:
    husband, _wife, _household = family
    response = client.post(
        url("person_move_out", husband.pk), {"date": "2026-03-01", "destination": "济南"}
    )
    assert_redirects_to(response, husband)
    assert refresh(husband).status == ResidentStatus.MOVED_OUT
    assert not HouseholdMember.objects.filter(person=husband, end_date__isnull=True).exists()
    assert husband.events.get(kind=Kind.MOVE_OUT).data == {"destination": "济南"}


def test_move_back_in(client, org, family, actor) -> None:
    husband, _wife, _household = family
    events.move_out_record(actor=actor, person=husband, date=DAY)
    response = client.post(
        url("person_move_in", husband.pk),
        {
            "community": org.c1.pk,
            "date": "2026-03-05",
            "origin": "济南",
            "household": "H0001",
            "relation": "02",
        },
    )
    assert_redirects_to(response, husband)
    assert refresh(husband).status == ResidentStatus.LIVING
    assert HouseholdMember.objects.filter(person=husband, end_date__isnull=True).exists()


def test_household_change_to_a_new_address(client, family) -> None:
    _husband, wife, household = family
    response = client.post(
        url("person_household_change", wife.pk),
        {"date": "2026-03-01", "household": "", "relation": "99", "address": "新址1号"},
    )
    assert_redirects_to(response, wife)
    member = HouseholdMember.objects.get(person=wife, end_date__isnull=True)
    assert member.household != household
    assert member.household.address == "新址1号"


def test_household_change_to_an_existing_household(client, family, make_person) -> None:
    _husband, _wife, household = family
    lodger = make_person(name="孙立", sex="M", birth_date=dt.date(1988, 8, 8))
    response = client.post(
        url("person_household_change", lodger.pk),
        {"date": "2026-03-01", "household": "H0001", "relation": "99"},
    )
    assert_redirects_to(response, lodger)
    assert HouseholdMember.objects.get(person=lodger).household == household


def test_marriage_with_the_spouses_id_number(client, make_person) -> None:
    woman = make_person(name="周敏", sex="F", birth_date=dt.date(1995, 1, 1))
    man = make_person(name="吴刚", sex="M", birth_date=dt.date(1994, 1, 1))
    response = client.post(
        url("person_marriage", woman.pk),
        {"spouse_id_number": man.id_number.lower(), "date": "2026-03-01"},
    )
    assert_redirects_to(response, woman)
    marriage = Marriage.objects.get()
    assert (marriage.husband, marriage.wife) == (man, woman)
    assert refresh(woman).marital_status == MaritalStatus.MARRIED


def test_divorce(client, family) -> None:
    husband, wife, _household = family
    marriage = Marriage.objects.get(husband=husband)
    response = client.post(url("person_divorce", wife.pk, marriage.pk), {"date": "2026-03-01"})
    assert_redirects_to(response, wife)
    marriage.refresh_from_db()
    assert (marriage.end_date, marriage.end_reason) == (dt.date(2026, 3, 1), "divorce")
    assert refresh(husband).marital_status == MaritalStatus.DIVORCED


def test_correction_passes_only_the_changed_facts(client, family) -> None:
    husband, _wife, _household = family
    fields = {
        "name": "李强强",
        "sex": "M",
        "birth_date": "1990-01-01",
        "id_number": husband.id_number,
        "phone": "13912345678",
        "ethnicity": "01",
        "hukou_type": "urban",
        "hukou_division": "370404",
        "address": husband.address,
        "reason": "录入错误",
        "date": "2026-03-01",
    }
    response = client.post(url("person_correct", husband.pk), fields)
    assert_redirects_to(response, husband)
    corrected = refresh(husband)
    assert (corrected.name, corrected.phone, corrected.name_initials) == (
        "李强强",
        "13912345678",
        "lqq",
    )
    event = husband.events.get(kind=Kind.CORRECTION)
    assert event.data == {"fields": ["name", "phone"]}
    assert event.note == "录入错误"


def test_reverse_the_latest_event(client, family, actor) -> None:
    husband, _wife, _household = family
    moved = events.move_out_record(actor=actor, person=husband, date=DAY)
    response = client.post(
        url("event_reverse", husband.pk, moved.pk), {"reason": "误操作", "date": "2026-03-03"}
    )
    assert_redirects_to(response, husband)
    assert refresh(husband).status == ResidentStatus.LIVING
    reversal = LifeEvent.objects.get(reverses=moved)
    assert (reversal.kind, reversal.note) == (Kind.CORRECTION, "误操作")
    page = client.get(url("person_detail", husband.pk)).content.decode()
    assert f'data-event="{moved.pk}" data-kind="move_out" data-reversed="true"' in page


def test_timeline_offers_reverse_only_on_the_latest_event(client, family, actor) -> None:
    husband, _wife, _household = family
    moved = events.move_out_record(actor=actor, person=husband, date=DAY)
    page = client.get(url("person_detail", husband.pk)).content.decode()
    assert page.count('data-testid="action-reverse"') == 1
    assert url("event_reverse", husband.pk, moved.pk) in page


# ---------------------------------------------------------------- refusals stay on the form


def test_unparseable_date_rerenders_with_errors(client, family) -> None:
    husband, _wife, _household = family
    response = client.post(url("person_death", husband.pk), {"date": "yesterday"})
    assert response.status_code == 400
    assert response.context["form"].errors["date"]
    assert refresh(husband).status == ResidentStatus.LIVING


def test_invalid_person_problems_are_shown(client, org, person_data) -> None:
    fields = person_fields(
        person_data,
        community=org.c1.pk,
        date="2026-03-01",
        relation="02",
        id_number="370404199604050000",
        phone="123",
    )
    response = client.post(url("person_register"), fields)
    assert response.status_code == 400
    problems = response.context["form"].non_field_errors()
    assert len(problems) == 2
    assert not Person.objects.filter(name="赵敏").exists()


def test_unknown_spouse_is_refused_on_the_form(client, family, person_data) -> None:
    husband, _wife, _household = family
    response = client.post(
        url("person_marriage", husband.pk),
        {"spouse_id_number": person_data().id_number, "date": "2026-03-01"},
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()


def test_service_conflict_is_shown_with_409(client, family, make_person) -> None:
    husband, _wife, _household = family
    other = make_person(name="钱芳", sex="F", birth_date=dt.date(1995, 1, 1))
    response = client.post(
        url("person_marriage", husband.pk),
        {"spouse_id_number": other.id_number, "date": "2026-03-01"},
    )
    assert response.status_code == 409
    assert response.context["form"].non_field_errors()
    assert Marriage.objects.count() == 1


def test_reversing_an_earlier_event_shows_the_services_message(client, family, actor) -> None:
    husband, _wife, _household = family
    marriage = LifeEvent.objects.get(kind=Kind.MARRIAGE)
    events.move_out_record(actor=actor, person=husband, date=DAY)
    response = client.post(
        url("event_reverse", husband.pk, marriage.pk), {"reason": "试试", "date": "2026-03-03"}
    )
    assert response.status_code == 409
    [message] = response.context["form"].non_field_errors()
    assert "reverse them first" in message or "撤销" in message
    assert not LifeEvent.objects.filter(reverses=marriage).exists()


def test_nothing_changed_is_refused(client, family) -> None:
    husband, _wife, _household = family
    form = client.get(url("person_correct", husband.pk)).context["form"]
    fields = {name: form.initial.get(name) for name in form.fields}
    fields["birth_date"] = husband.birth_date.isoformat()
    fields.update(reason="无", date="2026-03-01", is_floating="")
    response = client.post(url("person_correct", husband.pk), fields)
    assert response.status_code == 400
    assert not husband.events.filter(kind=Kind.CORRECTION).exists()


def test_unknown_household_number_is_a_form_error(client, family) -> None:
    _husband, wife, _household = family
    response = client.post(
        url("person_household_change", wife.pk),
        {"date": "2026-03-01", "household": "H9999", "relation": "99"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["household"]


# ---------------------------------------------------------------- scope and roles


@pytest.fixture
def foreign(org, make_person, make_user):
    """A married woman of community 2, with her marriage and its event."""
    other_actor = Actor(user=make_user(Role.COMMUNITY_WORKER, org.c2))
    man = make_person(org.c2, name="赵德胜", sex="M", birth_date=dt.date(1990, 1, 1))
    woman = make_person(org.c2, name="赵秋菊", sex="F", birth_date=dt.date(1992, 1, 1))
    event = events.marriage_record(
        actor=other_actor, husband=man, wife=woman, date=dt.date(2020, 1, 1)
    )
    return woman, Marriage.objects.get(wife=woman), event


def all_event_urls(person: Person, marriage: Marriage, event: LifeEvent) -> list[str]:
    return [
        *(url(name, person.pk) for name in PERSON_FORMS),
        url("person_divorce", person.pk, marriage.pk),
        url("event_reverse", person.pk, event.pk),
    ]


def test_foreign_residents_are_not_found(client, foreign) -> None:
    for address in all_event_urls(*foreign):
        assert client.get(address).status_code == 404, address
        assert client.post(address, {"date": "2026-03-01"}).status_code == 404, address
    woman, _marriage, _event = foreign
    assert refresh(woman).status == ResidentStatus.LIVING


def test_own_resident_with_a_foreign_marriage_or_event_is_not_found(
    client, family, foreign
) -> None:
    _husband, wife, _household = family
    _woman, marriage, event = foreign
    assert client.get(url("person_divorce", wife.pk, marriage.pk)).status_code == 404
    assert client.get(url("event_reverse", wife.pk, event.pk)).status_code == 404


@pytest.mark.parametrize(
    "role", [Role.LEADER, Role.DISTRICT_SUPERVISOR, Role.PARTNER_REPORTER, Role.SECURITY_AUDITOR]
)
def test_roles_without_edit_registry_are_forbidden(
    role, make_user, client_for, family, org
) -> None:
    husband, wife, _household = family
    marriage = Marriage.objects.get()
    event = LifeEvent.objects.get()
    viewer = client_for(make_user(role))
    addresses = [
        *all_event_urls(wife, marriage, event),
        url("person_register"),
        url("person_move_in_new"),
    ]
    for address in addresses:
        assert viewer.get(address).status_code == 403, address
        assert viewer.post(address, {"date": "2026-03-01"}).status_code == 403, address
    assert refresh(husband).marital_status == MaritalStatus.MARRIED


def test_person_page_shows_actions_only_to_editors(client, make_user, client_for, family) -> None:
    _husband, wife, _household = family
    page = client.get(url("person_detail", wife.pk)).content.decode()
    assert url("person_birth", wife.pk) in page
    assert url("person_move_out", wife.pk) in page
    leader_page = client_for(make_user(Role.LEADER)).get(url("person_detail", wife.pk))
    assert leader_page.status_code == 200
    content = leader_page.content.decode()
    assert url("person_birth", wife.pk) not in content
    assert 'data-testid="action-reverse"' not in content


def test_person_page_shows_family_and_history(client, family, actor) -> None:
    husband, wife, _household = family
    child = events.birth_record(
        actor=actor,
        mother=wife,
        father=husband,
        child=PersonData(name="李小明", sex="M", birth_date=dt.date(2025, 5, 5)),
    ).person
    page = client.get(url("person_detail", wife.pk)).content.decode()
    assert 'data-relation="spouse"' in page
    assert 'data-relation="child"' in page
    assert "李小明" in page
    assert 'data-kind="birth"' in page
    child_page = client.get(url("person_detail", child.pk)).content.decode()
    assert child_page.count('data-relation="parent"') == 2


def test_birth_without_a_father(client, family) -> None:
    _husband, wife, _household = family
    response = client.post(
        url("person_birth", wife.pk),
        {
            "name": "李小丽",
            "sex": "F",
            "birth_date": timezone.localdate().isoformat(),
            "ethnicity": "01",
            "hukou_type": "urban",
            "father": "",
        },
    )
    assert_redirects_to(response, wife)
    child = Person.objects.get(name="李小丽")
    assert list(ParentLink.objects.filter(child=child).values_list("parent_id", flat=True)) == [
        wife.pk
    ]
