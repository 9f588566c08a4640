"""Every life event changes derived state in one transaction, is audited, and can be reversed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError, NotFound
from jisheng.core.idnumber import id_number_check_digit
from jisheng.core.roles import Role
from jisheng.registry.models import (
    Household,
    HouseholdMember,
    LifeEvent,
    Marriage,
    ParentLink,
    Person,
    Relation,
    ResidentStatus,
)
from jisheng.registry.services import events
from jisheng.registry.services.persons import InvalidPerson

TODAY = dt.date(2026, 11, 1)


@pytest.fixture
def couple(org, worker_actor, person_data):
    husband = events.registration_record(
        actor=worker_actor,
        community=org.c1,
        date=TODAY,
        data=person_data(name="李强", sex="M", birth_date=dt.date(1992, 1, 1)),
    ).person
    household = Household.objects.get(
        pk=events.household_change_record(
            actor=worker_actor,
            person=husband,
            date=TODAY,
            address="榴园社区2号楼202",
        ).data["household_id"]
    )
    wife = events.registration_record(
        actor=worker_actor,
        community=org.c1,
        date=TODAY,
        household=household,
        relation="10",
        data=person_data(name="王芳", sex="F", birth_date=dt.date(1994, 6, 1)),
    ).person
    events.marriage_record(actor=worker_actor, husband=husband, wife=wife, date=dt.date(2020, 5, 1))
    return husband, wife, household


def refresh(person: Person) -> Person:
    return Person.objects.get(pk=person.pk)


def test_registration_creates_person_event_and_audit(org, worker_actor, person_data) -> None:
    event = events.registration_record(
        actor=worker_actor, community=org.c1, date=TODAY, data=person_data()
    )
    assert event.kind == LifeEvent.Kind.REGISTRATION
    assert event.person.name_initials == "wf"
    assert AuditEvent.objects.filter(
        object_type="registry.lifeevent", object_id=str(event.pk)
    ).exists()


def test_known_id_number_is_refused(org, worker_actor, person_data) -> None:
    data = person_data()
    events.registration_record(actor=worker_actor, community=org.c1, date=TODAY, data=data)
    again = person_data()
    again.id_number = data.id_number.lower()
    with pytest.raises(Conflict) as refused:
        events.registration_record(actor=worker_actor, community=org.c1, date=TODAY, data=again)
    assert refused.value.code == "duplicate_id_number"
    assert Person.objects.count() == 1


def test_invalid_data_lists_every_problem(org, worker_actor, person_data) -> None:
    data = person_data(name="")
    data.id_number = "370404199503080000"
    data.phone = "123"
    with pytest.raises(InvalidPerson) as refused:
        events.registration_record(actor=worker_actor, community=org.c1, date=TODAY, data=data)
    assert len(refused.value.problems) == 3
    assert not Person.objects.exists()


def test_registration_outside_scope_is_forbidden(org, worker_actor, person_data) -> None:
    with pytest.raises(Forbidden):
        events.registration_record(
            actor=worker_actor, community=org.c2, date=TODAY, data=person_data()
        )


def test_birth_creates_child_links_parents_and_joins_household(
    couple, worker_actor, person_data
) -> None:
    husband, wife, household = couple
    child_data = person_data(name="李小明", sex="M", birth_date=dt.date(2025, 2, 3))
    child_data.id_number = ""
    event = events.birth_record(actor=worker_actor, mother=wife, father=husband, child=child_data)
    child = event.person
    assert event.other_person == wife
    assert event.data["birth_order"] == 1
    assert set(ParentLink.objects.filter(child=child).values_list("parent", flat=True)) == {
        husband.pk,
        wife.pk,
    }
    member = HouseholdMember.objects.get(person=child, end_date__isnull=True)
    assert member.household == household
    assert member.relation == "20"
    second = person_data(name="李小红", sex="F", birth_date=dt.date(2026, 8, 3))
    second.id_number = ""
    assert (
        events.birth_record(actor=worker_actor, mother=wife, child=second).data["birth_order"] == 2
    )


def test_birth_before_the_mother_is_refused(couple, worker_actor, person_data) -> None:
    _husband, wife, _household = couple
    with pytest.raises(InvalidPerson):
        events.birth_record(
            actor=worker_actor,
            mother=wife,
            child=person_data(name="错", sex="M", birth_date=dt.date(1990, 1, 1)),
        )


def _birth(actor, mother, person_data, born: dt.date, name: str = "李小明") -> LifeEvent:
    data = person_data(name=name, sex="M", birth_date=born)
    data.id_number = ""
    return events.birth_record(actor=actor, mother=mother, child=data)


def test_twins_and_triplets_are_born_the_same_day(couple, worker_actor, person_data) -> None:
    _husband, wife, _household = couple
    born = dt.date(2025, 2, 3)
    orders = [
        _birth(worker_actor, wife, person_data, born, name).data["birth_order"]
        for name in ("李大宝", "李二宝", "李三宝")
    ]
    assert orders == [1, 2, 3]


@pytest.mark.parametrize("days", [1, 149, -1, -149])
def test_a_birth_days_from_another_of_the_mother_is_refused(
    couple, worker_actor, person_data, days
) -> None:
    _husband, wife, _household = couple
    first = dt.date(2025, 2, 3)
    _birth(worker_actor, wife, person_data, first)
    with pytest.raises(JishengError) as refused:
        _birth(worker_actor, wife, person_data, first + dt.timedelta(days=days), "李小红")
    assert refused.value.code == "birth_too_close"
    assert "2025-02-03" in refused.value.message
    assert ParentLink.objects.filter(parent=wife).count() == 1


def test_births_150_days_apart_and_a_voided_sibling_are_accepted(
    couple, worker_actor, person_data
) -> None:
    _husband, wife, _household = couple
    first = dt.date(2025, 2, 3)
    _birth(worker_actor, wife, person_data, first)
    later = first + dt.timedelta(days=150)
    assert _birth(worker_actor, wife, person_data, later, "李小红").data["birth_order"] == 2
    # A birth recorded by mistake and reversed is no birth: it does not block the real one.
    wrong = _birth(worker_actor, wife, person_data, later + dt.timedelta(days=200), "李误")
    events.event_reverse(actor=worker_actor, event=wrong, reason="录入错误", date=TODAY)
    right = later + dt.timedelta(days=210)
    assert _birth(worker_actor, wife, person_data, right, "李小刚").data["birth_order"] == 3


def test_death_ends_membership_and_marriage_and_widows_the_spouse(couple, worker_actor) -> None:
    husband, wife, _household = couple
    events.death_record(actor=worker_actor, person=husband, date=TODAY)
    assert refresh(husband).status == ResidentStatus.DECEASED
    assert refresh(wife).marital_status == "30"
    marriage = Marriage.objects.get(husband=husband)
    assert marriage.end_date == TODAY
    assert marriage.end_reason == "death"
    assert not HouseholdMember.objects.filter(person=husband, end_date__isnull=True).exists()


def test_move_out_then_move_back_in(couple, worker_actor, org) -> None:
    husband, _wife, _household = couple
    events.move_out_record(actor=worker_actor, person=husband, date=TODAY, destination="济南")
    assert refresh(husband).status == ResidentStatus.MOVED_OUT
    with pytest.raises(Conflict):
        events.move_out_record(actor=worker_actor, person=husband, date=TODAY)
    events.move_in_record(actor=worker_actor, community=org.c1, person=husband, date=TODAY)
    assert refresh(husband).status == ResidentStatus.LIVING


def test_move_in_of_a_newcomer_creates_the_person(org, worker_actor, person_data) -> None:
    event = events.move_in_record(
        actor=worker_actor,
        community=org.c1,
        date=TODAY,
        data=person_data(is_floating=True),
        origin="徐州",
    )
    assert event.person.is_floating
    assert event.kind == LifeEvent.Kind.MOVE_IN


def test_marriage_rules(couple, worker_actor, org, person_data) -> None:
    husband, wife, _household = couple
    other = events.registration_record(
        actor=worker_actor,
        community=org.c1,
        date=TODAY,
        data=person_data(name="赵敏", sex="F", birth_date=dt.date(1996, 1, 1)),
    ).person
    with pytest.raises(Conflict):
        events.marriage_record(actor=worker_actor, husband=husband, wife=other, date=TODAY)
    young = events.registration_record(
        actor=worker_actor,
        community=org.c1,
        date=TODAY,
        data=person_data(name="钱少", sex="M", birth_date=dt.date(2006, 1, 1)),
    ).person
    with pytest.raises(JishengError) as refused:
        events.marriage_record(actor=worker_actor, husband=young, wife=other, date=TODAY)
    assert refused.value.code == "under_age"
    assert refresh(wife).marital_status == "20"


def test_divorce_ends_the_marriage(couple, worker_actor) -> None:
    husband, wife, _household = couple
    marriage = Marriage.objects.get(husband=husband)
    events.divorce_record(actor=worker_actor, marriage=marriage, date=TODAY)
    assert Marriage.objects.get(pk=marriage.pk).end_reason == "divorce"
    assert refresh(husband).marital_status == "40"
    assert refresh(wife).marital_status == "40"
    with pytest.raises(Conflict):
        events.divorce_record(actor=worker_actor, marriage=marriage, date=TODAY)


def test_household_change_moves_membership(couple, worker_actor) -> None:
    _husband, wife, household = couple
    event = events.household_change_record(
        actor=worker_actor, person=wife, date=TODAY, address="榴园社区9号楼909"
    )
    current = HouseholdMember.objects.get(person=wife, end_date__isnull=True)
    assert current.household_id == event.data["household_id"] != household.pk
    assert HouseholdMember.objects.get(person=wife, household=household).end_date == TODAY


def test_joining_another_communitys_household_is_a_move_not_a_household_change(
    org, make_user, make_person, make_household, client_for
) -> None:
    """The walk moved 于丽 (榴园社区) into a 坛山社区 household: it said "户变更已登记" and she
    stayed 榴园's resident, listed and counted there, living in 坛山's household."""
    staff = make_user(Role.STREET_STAFF, org.street)
    resident = make_person(org.c1, name="于丽", sex="F")
    own = make_household(resident)
    there = make_household(make_person(org.c2, name="李四"))
    there.number = "H0000000"
    there.save(update_fields=["number"])
    with pytest.raises(JishengError) as refused:
        events.household_change_record(
            actor=Actor(user=staff, ip="127.0.0.1"), person=resident, date=TODAY, household=there
        )
    assert refused.value.code == "household_in_another_community"
    assert "迁出" in str(refused.value.message)
    page = client_for(staff).post(
        reverse("registry:person_household_change", args=[resident.pk]),
        {"date": TODAY.isoformat(), "household": "H0000000", "relation": Relation.OTHER},
    )
    assert page.status_code == 400
    text = page.content.decode()
    assert "迁出" in text  # the message
    assert "H0000000" in text  # and the input kept
    current = HouseholdMember.objects.get(person=resident, end_date__isnull=True)
    assert current.household_id == own.pk
    assert refresh(resident).community_id == org.c1.pk


@pytest.mark.parametrize("path", ["registration", "birth", "move_in"])
def test_no_path_puts_a_resident_in_another_communitys_household(
    path, org, make_user, make_person, make_household, person_data
) -> None:
    """Registration, a birth and a move-in join a household too: each is refused one of
    another community, and nothing of the attempt is kept."""
    staff = Actor(user=make_user(Role.STREET_STAFF, org.street), ip="127.0.0.1")
    there = make_household(make_person(org.c2, name="李四"))
    mother = make_person(org.c1, name="于丽", sex="F")
    attempts = {
        "registration": lambda: events.registration_record(
            actor=staff, community=org.c1, data=person_data(), date=TODAY, household=there
        ),
        "birth": lambda: events.birth_record(
            actor=staff,
            mother=mother,
            child=person_data(name="于小丽", birth_date=TODAY),
            household=there,
        ),
        "move_in": lambda: events.move_in_record(
            actor=staff, community=org.c1, date=TODAY, data=person_data(), household=there
        ),
    }
    before = Person.objects.count()
    with pytest.raises(JishengError) as refused:
        attempts[path]()
    assert refused.value.code == "household_in_another_community"
    assert Person.objects.count() == before
    assert HouseholdMember.objects.filter(household=there).count() == 1


def test_correction_changes_facts_and_keeps_old_id_number_encrypted(couple, worker_actor) -> None:
    husband, _wife, _household = couple
    old_id = husband.id_number
    body = old_id[:14] + "993"  # same birth date, still a man
    new_id = body + id_number_check_digit(body)
    event = events.person_correct(
        actor=worker_actor,
        person=husband,
        changes={"name": "李刚", "id_number": new_id},
        reason="登记错误",
        date=TODAY,
    )
    fixed = refresh(husband)
    assert fixed.name == "李刚"
    assert fixed.name_initials == "lg"
    assert fixed.id_number == new_id
    assert old_id not in str(event.before)
    events.event_reverse(actor=worker_actor, event=event, reason="改错了", date=TODAY)
    restored = refresh(husband)
    assert restored.name == "李强"
    assert restored.id_number == old_id
    assert restored.id_number_masked.endswith(old_id[-4:])


@pytest.mark.parametrize("kind", ["death", "move_out", "divorce", "household_change", "marriage"])
def test_reversal_restores_the_state_before_the_event(couple, worker_actor, kind) -> None:
    husband, wife, _household = couple
    marriage = Marriage.objects.get(husband=husband)

    def state() -> tuple[object, ...]:
        return (
            tuple(
                Person.objects.order_by("pk").values_list("status", "marital_status", "community")
            ),
            tuple(
                HouseholdMember.objects.filter(end_date__isnull=True)
                .order_by("pk")
                .values_list("person", "household")
            ),
            tuple(Marriage.objects.order_by("pk").values_list("husband", "end_date")),
        )

    if kind == "marriage":
        events.divorce_record(actor=worker_actor, marriage=marriage, date=TODAY)
    before = state()
    event = {
        "death": lambda: events.death_record(actor=worker_actor, person=husband, date=TODAY),
        "move_out": lambda: events.move_out_record(actor=worker_actor, person=wife, date=TODAY),
        "divorce": lambda: events.divorce_record(actor=worker_actor, marriage=marriage, date=TODAY),
        "household_change": lambda: events.household_change_record(
            actor=worker_actor, person=wife, date=TODAY, address="新址"
        ),
        "marriage": lambda: events.marriage_record(
            actor=worker_actor, husband=husband, wife=wife, date=TODAY
        ),
    }[kind]()
    assert state() != before
    correction = events.event_reverse(
        actor=worker_actor, event=event, reason="录入错误", date=TODAY
    )
    assert state() == before
    assert correction.reverses == event
    assert LifeEvent.objects.filter(pk=event.pk).exists(), "history is kept"


def test_reversed_birth_voids_the_child(couple, worker_actor, person_data) -> None:
    _husband, wife, _household = couple
    data = person_data(name="李误", sex="M", birth_date=dt.date(2025, 1, 1))
    event = events.birth_record(actor=worker_actor, mother=wife, child=data)
    events.event_reverse(actor=worker_actor, event=event, reason="重复登记", date=TODAY)
    child = refresh(event.person)
    assert child.status == ResidentStatus.VOIDED
    assert not ParentLink.objects.filter(child=child).exists()
    assert not HouseholdMember.objects.filter(person=child).exists()


def test_only_the_latest_event_can_be_reversed_and_only_once(couple, worker_actor) -> None:
    husband, wife, _household = couple
    move = events.household_change_record(actor=worker_actor, person=wife, date=TODAY, address="甲")
    events.move_out_record(actor=worker_actor, person=wife, date=TODAY)
    with pytest.raises(Conflict) as refused:
        events.event_reverse(actor=worker_actor, event=move, reason="x", date=TODAY)
    assert refused.value.code == "not_latest"
    latest = LifeEvent.objects.filter(person=wife).latest("pk")
    correction = events.event_reverse(actor=worker_actor, event=latest, reason="x", date=TODAY)
    with pytest.raises(Conflict):
        events.event_reverse(actor=worker_actor, event=latest, reason="x", date=TODAY)
    with pytest.raises(Conflict):
        events.event_reverse(actor=worker_actor, event=correction, reason="x", date=TODAY)
    assert husband.pk


def test_reversal_needs_a_reason(couple, worker_actor) -> None:
    husband, _wife, _household = couple
    event = events.move_out_record(actor=worker_actor, person=husband, date=TODAY)
    with pytest.raises(JishengError):
        events.event_reverse(actor=worker_actor, event=event, reason=" ", date=TODAY)


def test_events_on_foreign_persons_are_not_found(org, make_person, worker_actor) -> None:
    stranger = make_person(org.c2, name="外人")
    with pytest.raises(NotFound):
        events.move_out_record(actor=worker_actor, person=stranger, date=TODAY)


def test_a_failed_audit_write_undoes_the_event(couple, worker_actor, monkeypatch) -> None:
    husband, _wife, _household = couple

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(AuditEvent.objects, "create", broken)
    with pytest.raises(RuntimeError):
        events.move_out_record(actor=worker_actor, person=husband, date=TODAY)
    assert refresh(husband).status == ResidentStatus.LIVING
    assert not LifeEvent.objects.filter(kind="move_out").exists()


def test_move_in_of_a_foreign_moved_out_resident_is_not_found(org, make_user, person_data) -> None:
    from jisheng.core.actors import Actor
    from jisheng.core.roles import Role

    other = Actor(user=make_user(Role.COMMUNITY_WORKER, org.c2))
    stranger = events.registration_record(
        actor=other, community=org.c2, date=TODAY, data=person_data()
    ).person
    events.move_out_record(actor=other, person=stranger, date=TODAY)
    mine = Actor(user=make_user(Role.COMMUNITY_WORKER))
    with pytest.raises(NotFound):
        events.move_in_record(actor=mine, community=org.c1, person=stranger, date=TODAY)


@pytest.mark.parametrize("event", ["marriage", "birth", "household_change"])
def test_only_living_residents_take_part(couple, worker_actor, person_data, event) -> None:
    husband, wife, _household = couple
    events.divorce_record(
        actor=worker_actor, marriage=Marriage.objects.get(husband=husband), date=TODAY
    )
    events.move_out_record(actor=worker_actor, person=wife, date=TODAY)
    actions = {
        "marriage": lambda: events.marriage_record(
            actor=worker_actor, husband=husband, wife=wife, date=TODAY
        ),
        "birth": lambda: events.birth_record(
            actor=worker_actor,
            mother=wife,
            child=person_data(name="李新", sex="M", birth_date=dt.date(2026, 1, 1)),
        ),
        "household_change": lambda: events.household_change_record(
            actor=worker_actor, person=wife, date=TODAY, address="新址"
        ),
    }
    with pytest.raises(Conflict) as refused:
        actions[event]()
    assert refused.value.code == "not_living"


def test_a_new_household_gets_a_number(couple, worker_actor) -> None:
    _husband, wife, _household = couple
    event = events.household_change_record(
        actor=worker_actor, person=wife, date=TODAY, address="新址"
    )
    number = Household.objects.get(pk=event.data["household_id"]).number
    assert number
    assert Household.objects.filter(number=number).count() == 1
