"""Each preloaded program's rule and amount on its edge cases."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jisheng.benefits.eligibility import explain, persons_meeting
from jisheng.benefits.models import DisabilityRecord, Entitlement, Program
from jisheng.benefits.preload import PROGRAMS
from jisheng.benefits.services.applications import application_create
from jisheng.benefits.services.payments import batch_build
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict
from jisheng.registry.models import Person
from jisheng.registry.services import events


def qualifies(program: Program, person: Person, as_of: dt.date) -> bool:
    in_sql = persons_meeting(program.rule, as_of, Person.objects.filter(pk=person.pk)).exists()
    assert explain(program.rule, person, as_of).eligible == in_sql
    return in_sql


def pay(street, program: Program, person: Person, period: str) -> tuple[int, Decimal]:
    """Enrol directly and build the period's batch; (months, amount) of the person's line."""
    Entitlement.objects.get_or_create(
        program=program,
        person=person,
        defaults={
            "community": person.community,
            "start_date": program.valid_from or dt.date(2000, 1, 1),
        },
    )
    batch = batch_build(actor=Actor(user=street), program=program, period_key=period)
    line = batch.lines.get(person=person)
    return line.months, line.amount


def test_every_preloaded_program_is_there_marked_for_local_checking(db) -> None:
    codes = {entry["code"] for entry in PROGRAMS}
    assert set(Program.objects.values_list("code", flat=True)) >= codes
    assert not Program.objects.filter(code__in=codes, verify_locally=False).exists()
    ended = set(Program.objects.filter(status="ended").values_list("code", flat=True))
    assert ended == {
        "late-marriage-reward",
        "two-daughters-reward",
        "one-girl-family-reward",
        "second-child-waiver-award",
    }


def test_ended_programs_take_no_applications(worker, make_person, program) -> None:
    with pytest.raises(Conflict):
        application_create(
            actor=Actor(user=worker), program=program("late-marriage-reward"), person=make_person()
        )


def test_only_child_parents_stop_on_the_childs_eighteenth_birthday(make_family, program) -> None:
    only_child = program("only-child-parents")
    husband, _wife, _kids = make_family(children=(("F", dt.date(2008, 7, 1)),))
    assert qualifies(only_child, husband, dt.date(2026, 6, 30))
    assert not qualifies(only_child, husband, dt.date(2026, 7, 1))


class TestRuralRewardSupport:
    def test_sixty_on_the_cut_off_day_with_one_child(self, make_family, program) -> None:
        rural = program("rural-reward-support")
        husband, wife, _kids = make_family(
            hukou="rural",
            husband_birth=dt.date(1966, 6, 30),
            wife_birth=dt.date(1968, 1, 1),
            children=(("M", dt.date(1992, 1, 1)),),
        )
        assert qualifies(rural, husband, dt.date(2026, 6, 30))
        assert not qualifies(rural, husband, dt.date(2026, 6, 29))
        assert not qualifies(rural, wife, dt.date(2026, 6, 30))

    def test_two_daughters_qualify_a_son_and_a_daughter_do_not(self, make_family, program) -> None:
        rural = program("rural-reward-support")
        girls, _w, _k = make_family(
            hukou="rural", children=(("F", dt.date(1988, 1, 1)), ("F", dt.date(1990, 1, 1)))
        )
        mixed, _w2, _k2 = make_family(
            hukou="rural", children=(("M", dt.date(1988, 1, 1)), ("F", dt.date(1990, 1, 1)))
        )
        as_of = dt.date(2026, 1, 1)
        assert qualifies(rural, girls, as_of)
        assert not qualifies(rural, mixed, as_of)

    def test_urban_hukou_does_not_qualify(self, make_family, program) -> None:
        urban, _w, _k = make_family(hukou="urban", children=(("M", dt.date(1988, 1, 1)),))
        assert not qualifies(program("rural-reward-support"), urban, dt.date(2026, 1, 1))

    def test_a_parent_whose_only_child_died_qualifies(self, make_family, program, street) -> None:
        husband, _w, (son,) = make_family(hukou="rural", children=(("M", dt.date(1988, 1, 1)),))
        events.death_record(actor=Actor(user=street), person=son, date=dt.date(2010, 1, 1))
        assert qualifies(program("rural-reward-support"), husband, dt.date(2026, 1, 1))

    def test_yearly_amount_is_960_for_a_whole_year(self, make_family, program, street) -> None:
        husband, _w, _k = make_family(hukou="rural", children=(("M", dt.date(1988, 1, 1)),))
        assert pay(street, program("rural-reward-support"), husband, "2026") == (
            12,
            Decimal("960.00"),
        )


class TestSpecialSupport:
    def test_mother_49_on_the_cut_off_day_after_the_only_child_died(
        self, make_family, program, street
    ) -> None:
        special = program("special-support")
        husband, wife, (son,) = make_family(
            wife_birth=dt.date(1977, 3, 1), children=(("M", dt.date(2000, 1, 1)),)
        )
        events.death_record(actor=Actor(user=street), person=son, date=dt.date(2020, 5, 1))
        assert qualifies(special, wife, dt.date(2026, 3, 1))
        assert qualifies(special, husband, dt.date(2026, 3, 1))
        assert not qualifies(special, husband, dt.date(2026, 2, 28))

    def test_disability_grade_three_qualifies_grade_four_does_not(
        self, make_family, program
    ) -> None:
        special = program("special-support")
        grade3, _w, (child3,) = make_family(children=(("F", dt.date(1995, 1, 1)),))
        grade4, _w4, (child4,) = make_family(children=(("F", dt.date(1995, 1, 1)),))
        DisabilityRecord.objects.create(person=child3, grade=3, recorded_on=dt.date(2015, 1, 1))
        DisabilityRecord.objects.create(person=child4, grade=4, recorded_on=dt.date(2015, 1, 1))
        assert qualifies(special, grade3, dt.date(2026, 1, 1))
        assert not qualifies(special, grade4, dt.date(2026, 1, 1))

    @pytest.mark.parametrize(
        ("hukou", "died", "monthly"),
        [
            ("urban", True, "340"),
            ("urban", False, "270"),
            ("rural", True, "170"),
            ("rural", False, "150"),
        ],
    )
    def test_tiers_pay_by_hukou_and_by_death_or_disability(
        self, make_family, program, street, hukou, died, monthly
    ) -> None:
        _h, wife, (child,) = make_family(hukou=hukou, children=(("M", dt.date(1995, 1, 1)),))
        if died:
            events.death_record(actor=Actor(user=street), person=child, date=dt.date(2015, 1, 1))
        else:
            DisabilityRecord.objects.create(person=child, grade=1, recorded_on=dt.date(2015, 1, 1))
        assert pay(street, program("special-support"), wife, "2025") == (12, Decimal(monthly) * 12)

    def test_months_before_the_mother_turns_49_are_not_paid(
        self, make_family, program, street
    ) -> None:
        _h, wife, (child,) = make_family(
            wife_birth=dt.date(1976, 4, 10), children=(("M", dt.date(1998, 1, 1)),)
        )
        events.death_record(actor=Actor(user=street), person=child, date=dt.date(2020, 1, 1))
        # She turns 49 on 2025-04-10: April to December, 9 months at 340.
        assert pay(street, program("special-support"), wife, "2025") == (9, Decimal("3060.00"))


class TestChildcareSubsidy:
    def child(self, make_family, birth: dt.date) -> Person:
        _h, _w, (child,) = make_family(
            husband_birth=dt.date(1990, 1, 1),
            wife_birth=dt.date(1992, 1, 1),
            children=(("F", birth),),
        )
        return child

    def test_born_before_2025_is_paid_from_january_2025(self, make_family, program, street) -> None:
        child = self.child(make_family, dt.date(2023, 8, 20))
        # Turns 3 on 2026-08-20: 2025 whole year, then January to July 2026.
        assert pay(street, program("childcare-subsidy"), child, "2025") == (12, Decimal("3600.00"))
        assert pay(street, program("childcare-subsidy"), child, "2026") == (7, Decimal("2100.00"))

    def test_born_in_2025_is_paid_from_the_birth_month(self, make_family, program, street) -> None:
        child = self.child(make_family, dt.date(2025, 3, 31))
        assert pay(street, program("childcare-subsidy"), child, "2025") == (10, Decimal("3000.00"))

    def test_born_before_2022_gets_nothing(self, make_family, program, street) -> None:
        child = self.child(make_family, dt.date(2021, 12, 31))
        with pytest.raises(Conflict):
            pay(street, program("childcare-subsidy"), child, "2025")

    def test_a_child_who_died_is_paid_until_the_month_before_death(
        self, make_family, program, street
    ) -> None:
        child = self.child(make_family, dt.date(2025, 1, 15))
        events.death_record(actor=Actor(user=street), person=child, date=dt.date(2026, 6, 15))
        assert pay(street, program("childcare-subsidy"), child, "2026") == (5, Decimal("1500.00"))

    def test_a_move_out_mid_year_stops_the_months_after_it(
        self, make_family, program, street
    ) -> None:
        child = self.child(make_family, dt.date(2025, 1, 15))
        events.move_out_record(actor=Actor(user=street), person=child, date=dt.date(2026, 9, 10))
        assert pay(street, program("childcare-subsidy"), child, "2026") == (8, Decimal("2400.00"))

    def test_the_payee_is_the_mother(self, make_family, program, worker) -> None:
        child = self.child(make_family, dt.date(2025, 6, 1))
        application = application_create(
            actor=Actor(user=worker), program=program("childcare-subsidy"), person=child
        )
        assert application.payee is not None
        assert application.payee.sex == "F"

    def test_a_mother_who_is_not_a_resident_here_is_not_the_default_payee(
        self, make_family, program, worker
    ) -> None:
        child = self.child(make_family, dt.date(2025, 6, 1))
        # A family member on record who does not live here (registry's NON_RESIDENT).
        Person.objects.filter(child_links__child=child, sex="F").update(status="non_resident")
        application = application_create(
            actor=Actor(user=worker), program=program("childcare-subsidy"), person=child
        )
        assert application.payee is not None
        assert application.payee.sex == "M"
