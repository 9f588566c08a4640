"""Dates that cannot be: every life event refuses a date in the future, before 1900, before
the resident's birth or after their death — the same rule (core.dates.possible_date) for
the service, the page (form again, input kept, Chinese message) and the API (4xx JSON)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from jisheng.core.actors import Actor
from jisheng.core.dates import EARLIEST_DATE, Lifetime, possible_date
from jisheng.core.errors import JishengError
from jisheng.core.roles import Role
from jisheng.registry.models import HouseholdMember, LifeEvent, Marriage, Person, ResidentStatus
from jisheng.registry.selectors import lifetime
from jisheng.registry.services import events
from jisheng.registry.services.persons import InvalidPerson, person_data_check
from support.import_files import id_number

BORN = dt.date(1990, 5, 17)


@pytest.fixture
def worker(make_user):
    return make_user(Role.COMMUNITY_WORKER)


@pytest.fixture
def actor(worker) -> Actor:
    return Actor(user=worker)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


# --- the shared rule --------------------------------------------------------------------------


def test_possible_date_takes_a_date_within_every_life_up_to_today() -> None:
    life = Lifetime(name="王芳", born=BORN, died=dt.date(2020, 1, 1))
    assert possible_date(BORN, life) == BORN
    assert possible_date(dt.date(2020, 1, 1), life) == dt.date(2020, 1, 1)
    assert possible_date(EARLIEST_DATE) == EARLIEST_DATE
    assert possible_date(tomorrow(), future=True) == tomorrow()


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (dt.date(1899, 12, 31), "date_before_1900"),
        (BORN - dt.timedelta(days=1), "date_before_birth"),
        (dt.date(2020, 1, 2), "date_after_death"),
    ],
)
def test_possible_date_refuses_with_a_code_naming_why(english, day, code) -> None:
    life = Lifetime(name="王芳", born=BORN, died=dt.date(2020, 1, 1))
    with pytest.raises(JishengError) as refused:
        possible_date(day, life)
    assert (refused.value.code, refused.value.status) == (code, 400)


def test_possible_date_refuses_the_future_with_the_callers_code() -> None:
    with pytest.raises(JishengError) as refused:
        possible_date(tomorrow(), future_code="date_future")
    assert refused.value.code == "date_future"


def test_the_refusal_names_the_person_and_the_dates_in_chinese() -> None:
    life = Lifetime(name="王芳", born=BORN)
    with translation.override("zh-hans"), pytest.raises(JishengError) as refused:
        possible_date(dt.date(1980, 1, 1), life)
    assert str(refused.value.message) == "日期 1980-01-01 早于王芳的出生日期（1990-05-17）。"


def test_lifetime_ends_at_the_death_event_and_a_reversed_death_does_not_count(
    make_person, actor
) -> None:
    person = make_person(name="李强", birth_date=BORN)
    assert lifetime(person) == Lifetime(name="李强", born=BORN, died=None)
    death = events.death_record(actor=actor, person=person, date=dt.date(2024, 3, 1))
    person.refresh_from_db()
    assert lifetime(person).died == dt.date(2024, 3, 1)
    events.event_reverse(actor=actor, event=death, reason="登记错误", date=timezone.localdate())
    person.refresh_from_db()
    assert lifetime(person).died is None


# --- every event ------------------------------------------------------------------------------


@pytest.fixture
def couple(make_person, actor) -> tuple[Person, Person]:
    husband = make_person(name="李强", sex="M", birth_date=BORN)
    wife = make_person(name="王芳", sex="F", birth_date=dt.date(1993, 6, 1))
    return husband, wife


EventCall = Callable[[Actor, Person, Person, dt.date], object]


def _death(actor: Actor, husband: Person, _wife: Person, day: dt.date) -> object:
    return events.death_record(actor=actor, person=husband, date=day)


def _move_out(actor: Actor, husband: Person, _wife: Person, day: dt.date) -> object:
    return events.move_out_record(actor=actor, person=husband, date=day)


def _marriage(actor: Actor, husband: Person, wife: Person, day: dt.date) -> object:
    return events.marriage_record(actor=actor, husband=husband, wife=wife, date=day)


def _household_change(actor: Actor, husband: Person, _wife: Person, day: dt.date) -> object:
    return events.household_change_record(actor=actor, person=husband, date=day, address="新址")


def _correction(actor: Actor, husband: Person, _wife: Person, day: dt.date) -> object:
    return events.person_correct(
        actor=actor, person=husband, changes={"address": "新址"}, reason="笔误", date=day
    )


EVENTS = {
    "death": _death,
    "move_out": _move_out,
    "marriage": _marriage,
    "household_change": _household_change,
    "correction": _correction,
}


@pytest.mark.parametrize("call", EVENTS.values(), ids=EVENTS.keys())
@pytest.mark.parametrize(
    ("day", "code"),
    [
        (None, "future_date"),
        (dt.date(1899, 12, 31), "date_before_1900"),
    ],
    ids=["future", "before-1900"],
)
def test_every_event_refuses_a_future_date_and_one_before_1900(
    actor, couple, call, day, code
) -> None:
    husband, wife = couple
    with pytest.raises(JishengError) as refused:
        call(actor, husband, wife, day or tomorrow())
    assert refused.value.code == code
    assert not LifeEvent.objects.exists()


LIFE_EVENTS = {name: call for name, call in EVENTS.items() if name != "correction"}


@pytest.mark.parametrize("call", LIFE_EVENTS.values(), ids=LIFE_EVENTS.keys())
def test_every_event_of_a_life_refuses_a_date_before_the_birth(actor, couple, call) -> None:
    husband, wife = couple
    with pytest.raises(JishengError) as refused:
        call(actor, husband, wife, BORN - dt.timedelta(days=1))
    assert refused.value.code == "date_before_birth"
    assert not LifeEvent.objects.exists()
    assert Person.objects.get(pk=husband.pk).status == ResidentStatus.LIVING


def test_a_divorce_dated_in_the_future_is_refused(actor, couple) -> None:
    husband, wife = couple
    event = events.marriage_record(
        actor=actor, husband=husband, wife=wife, date=dt.date(2018, 1, 1)
    )
    marriage = Marriage.objects.get(pk=event.data["marriage_id"])
    with pytest.raises(JishengError) as refused:
        events.divorce_record(actor=actor, marriage=marriage, date=tomorrow())
    assert refused.value.code == "future_date"
    assert Marriage.objects.get(pk=marriage.pk).end_date is None


def test_registration_and_move_in_refuse_a_date_before_the_birth(actor, org, person_data) -> None:
    for record in (events.registration_record, events.move_in_record):
        data = person_data(birth_date=dt.date(2000, 1, 1))
        with pytest.raises(JishengError) as refused:
            record(actor=actor, community=org.c1, data=data, date=dt.date(1999, 12, 31))
        assert refused.value.code == "date_before_birth"
    assert not Person.objects.exists()


def test_a_returning_resident_moves_in_after_their_birth_only(actor, org, make_person) -> None:
    person = make_person(birth_date=BORN)
    Person.objects.filter(pk=person.pk).update(status=ResidentStatus.MOVED_OUT)
    with pytest.raises(JishengError) as refused:
        events.move_in_record(
            actor=actor, community=org.c1, person=person, date=dt.date(1989, 1, 1)
        )
    assert refused.value.code == "date_before_birth"
    assert Person.objects.get(pk=person.pk).status == ResidentStatus.MOVED_OUT


def test_a_child_is_not_born_before_its_father(actor, couple, person_data) -> None:
    husband, wife = couple
    Person.objects.filter(pk=husband.pk).update(birth_date=dt.date(2001, 1, 1))
    husband.refresh_from_db()
    child = person_data(name="李小", sex="M", birth_date=dt.date(2000, 6, 1))
    with pytest.raises(JishengError) as refused:
        events.birth_record(actor=actor, mother=wife, father=husband, child=child)
    assert refused.value.code == "date_before_birth"


def test_a_household_change_before_joining_the_current_household_is_refused(
    english, actor, couple, make_household
) -> None:
    husband, _wife = couple
    make_household(husband)  # joined on 2020-01-01
    with pytest.raises(JishengError) as refused:
        events.household_change_record(
            actor=actor, person=husband, date=dt.date(2019, 12, 31), address="新址"
        )
    assert refused.value.code == "date_before_membership"
    assert "2020-01-01" in str(refused.value.message)
    assert HouseholdMember.objects.get(person=husband).end_date is None


def test_a_corrected_birth_date_may_not_follow_the_residents_events(actor, couple) -> None:
    husband, wife = couple
    events.marriage_record(actor=actor, husband=husband, wife=wife, date=dt.date(2018, 1, 1))
    with pytest.raises(JishengError) as refused:
        events.person_correct(
            actor=actor,
            person=husband,
            changes={
                "birth_date": dt.date(2018, 2, 1),
                "id_number": id_number(dt.date(2018, 2, 1), 7, male=True),
            },
            reason="出生日期录错",
            date=timezone.localdate(),
        )
    assert refused.value.code == "date_before_birth"
    assert Person.objects.get(pk=husband.pk).birth_date == BORN


def test_a_birth_date_before_1900_is_a_problem_of_the_shared_check(english, person_data) -> None:
    data = person_data(birth_date=dt.date(1899, 12, 31))
    data.id_number = ""
    assert person_data_check(data, require_id_number=False) == ["Birth date lies before 1900."]


def test_a_newborn_before_1900_is_refused(actor, couple, person_data) -> None:
    _husband, wife = couple
    child = person_data(name="李小", sex="M", birth_date=dt.date(1899, 1, 1))
    child.id_number = ""
    with pytest.raises(InvalidPerson):
        events.birth_record(actor=actor, mother=wife, child=child)


# --- pages and API ----------------------------------------------------------------------------


def test_the_death_page_shows_a_date_before_birth_on_the_form_with_the_input(
    worker, client_for, make_person
) -> None:
    person = make_person(name="李强", birth_date=BORN)
    client: Client = client_for(worker)
    response = client.post(
        reverse("registry:person_death", args=[person.pk]),
        {"date": "1980-02-03", "note": "病故"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "日期 1980-02-03 早于李强的出生日期（1990-05-17）。" in page
    assert 'value="1980-02-03"' in page
    assert "病故" in page
    assert Person.objects.get(pk=person.pk).status == ResidentStatus.LIVING


@pytest.mark.parametrize(
    ("day", "code"),
    [
        ("1980-02-03", "date_before_birth"),
        ("1899-02-03", "date_before_1900"),
        (None, "future_date"),
    ],
)
def test_the_api_refuses_an_impossible_event_date_with_a_json_code(
    worker, client_for, make_person, day, code
) -> None:
    person = make_person(name="李强", birth_date=BORN)
    response = client_for(worker).post(
        "/api/events",
        {"kind": "death", "person_id": person.pk, "date": day or tomorrow().isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert Person.objects.get(pk=person.pk).status == ResidentStatus.LIVING


def test_the_api_refuses_a_registration_dated_before_the_birth(
    worker, client_for, org, person_data
) -> None:
    data = person_data(birth_date=dt.date(2000, 1, 1))
    response = client_for(worker).post(
        "/api/persons",
        {
            "name": data.name,
            "sex": data.sex,
            "birth_date": "2000-01-01",
            "id_number": data.id_number,
            "community_id": org.c1.pk,
            "date": "1999-01-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "date_before_birth"
    assert not Person.objects.exists()
