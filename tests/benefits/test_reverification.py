"""年审: campaigns copy last year's beneficiaries with registry flags; decisions confirm or stop."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jisheng.audit.models import AuditEvent
from jisheng.benefits.models import Entitlement, ReviewCampaign, ReviewItem
from jisheng.benefits.selectors import campaign_items, campaign_progress
from jisheng.benefits.services.payments import batch_build
from jisheng.benefits.services.reverification import (
    campaign_create,
    review_item_decide,
    review_items_confirm_unflagged,
)
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError, NotFound
from jisheng.registry.models import Marriage
from jisheng.registry.services import events

TODAY = dt.date(2026, 3, 1)
pytestmark = pytest.mark.django_db


def entitle(program, person, *, payee=None, start=dt.date(2025, 1, 1), **extra) -> Entitlement:
    return Entitlement.objects.create(
        program=program,
        person=person,
        payee=payee,
        community=person.community,
        start_date=start,
        **extra,
    )


def flags_of(campaign: ReviewCampaign, entitlement: Entitlement) -> dict[str, dict]:
    item = ReviewItem.objects.get(campaign=campaign, entitlement=entitlement)
    return {flag["kind"]: flag for flag in item.flags}


@pytest.fixture
def childcare(program, make_family, street):
    """Childcare-subsidy beneficiaries of 2025, each with one registry story."""
    subsidy = program("childcare-subsidy")
    actor = Actor(user=street)
    _h, mother, (ages_out, stays, dies, leaves, orphan) = make_family(
        wife_birth=dt.date(1990, 5, 1),
        children=(
            ("F", dt.date(2022, 6, 15)),  # turns 3 on 2025-06-15: no longer under 36 months
            ("M", dt.date(2025, 2, 1)),
            # Triplets: the registry takes no births of one mother days apart.
            ("F", dt.date(2024, 5, 1)),
            ("M", dt.date(2024, 5, 1)),
            ("F", dt.date(2024, 5, 1)),
        ),
    )
    _h2, other_mother, (other_child,) = make_family(
        wife_birth=dt.date(1991, 1, 1), children=(("M", dt.date(2024, 9, 9)),)
    )
    events.death_record(actor=actor, person=dies, date=dt.date(2025, 9, 10))
    events.move_out_record(
        actor=actor, person=leaves, date=dt.date(2025, 10, 1), destination="济南市"
    )
    events.death_record(actor=actor, person=other_mother, date=dt.date(2025, 11, 20))
    rows = {
        "ages_out": entitle(subsidy, ages_out, payee=mother),
        "stays": entitle(subsidy, stays, payee=mother, start=dt.date(2025, 2, 1)),
        "dies": entitle(subsidy, dies, payee=mother),
        "leaves": entitle(subsidy, leaves, payee=mother),
        "payee_died": entitle(subsidy, other_child, payee=other_mother),
        # Not copied: ended before 2025, stopped already, or enrolled only this year.
        "ended_2024": entitle(subsidy, orphan, payee=mother, end_date=dt.date(2024, 12, 31)),
    }
    return subsidy, rows


def test_campaign_flags_death_move_out_aging_out_and_the_payee_death(childcare, street) -> None:
    subsidy, rows = childcare
    campaign = campaign_create(actor=Actor(user=street), program=subsidy, year=2026, today=TODAY)

    copied = set(campaign.items.values_list("entitlement_id", flat=True))
    assert copied == {rows[k].pk for k in ("ages_out", "stays", "dies", "leaves", "payee_died")}
    assert flags_of(campaign, rows["stays"]) == {}
    died = flags_of(campaign, rows["dies"])
    assert set(died) == {"death"}  # the failed "lives here" test adds nothing to the death
    assert died["death"]["date"] == "2025-09-10"
    moved = flags_of(campaign, rows["leaves"])
    assert set(moved) == {"move_out"}
    assert moved["move_out"]["date"] == "2025-10-01"
    assert "济南市" in moved["move_out"]["text"]
    aged = flags_of(campaign, rows["ages_out"])
    assert set(aged) == {"rule"}
    assert "44" in aged["rule"]["text"]
    assert "36" in aged["rule"]["text"]
    payee = flags_of(campaign, rows["payee_died"])
    assert set(payee) == {"payee_death"}
    assert payee["payee_death"]["date"] == "2025-11-20"
    assert AuditEvent.objects.filter(
        action="create", object_type="benefits.reviewcampaign", object_id=str(campaign.pk)
    ).exists()


def test_stopped_and_new_entitlements_are_not_copied(program, make_person, street) -> None:
    subsidy = program("childcare-subsidy")
    baby = make_person(birth_date=dt.date(2025, 5, 5))
    entitle(subsidy, make_person(name="甲", birth_date=dt.date(2024, 1, 1)), status="stopped")
    entitle(subsidy, baby, start=dt.date(2026, 1, 10))
    with pytest.raises(Conflict):
        campaign_create(actor=Actor(user=street), program=subsidy, year=2026, today=TODAY)
    assert not ReviewCampaign.objects.exists()


def test_marriage_and_divorce_since_last_january_are_flagged(program, make_family, street) -> None:
    parents = program("only-child-parents")
    husband, _wife, _kids = make_family(
        married_on=dt.date(2010, 1, 1), children=(("M", dt.date(2015, 4, 4)),)
    )
    entitlement = entitle(parents, husband, start=dt.date(2016, 1, 1))
    marriage = Marriage.objects.get(husband=husband)
    events.divorce_record(actor=Actor(user=street), marriage=marriage, date=dt.date(2025, 6, 1))

    campaign = campaign_create(actor=Actor(user=street), program=parents, year=2026, today=TODAY)

    flags = flags_of(campaign, entitlement)
    assert set(flags) == {"divorce"}  # the 2010 marriage lies before the window
    assert flags["divorce"]["date"] == "2025-06-01"


def test_changes_before_the_previous_campaign_are_not_flagged_again(
    program, make_family, street
) -> None:
    parents = program("only-child-parents")
    husband, _wife, _kids = make_family(
        married_on=dt.date(2010, 1, 1), children=(("M", dt.date(2015, 4, 4)),)
    )
    entitlement = entitle(parents, husband, start=dt.date(2016, 1, 1))
    divorce = events.divorce_record(
        actor=Actor(user=street),
        marriage=Marriage.objects.get(husband=husband),
        date=dt.date(2025, 2, 1),
    )
    previous = ReviewCampaign.objects.create(
        program=parents, org_unit=street.org_unit, year=2025, created_by=street
    )
    ReviewCampaign.objects.filter(pk=previous.pk).update(
        created_at=dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)
    )
    assert divorce.date < dt.date(2025, 3, 1)

    campaign = campaign_create(actor=Actor(user=street), program=parents, year=2026, today=TODAY)

    assert flags_of(campaign, entitlement) == {}


def test_confirmed_item_stays_active(childcare, street) -> None:
    subsidy, rows = childcare
    campaign = campaign_create(actor=Actor(user=street), program=subsidy, year=2026, today=TODAY)
    item = ReviewItem.objects.get(campaign=campaign, entitlement=rows["stays"])

    review_item_decide(actor=Actor(user=street), item=item, decision="confirm", today=TODAY)

    item.refresh_from_db()
    rows["stays"].refresh_from_db()
    assert item.decision == "confirm"
    assert item.decided_by == street
    assert rows["stays"].status == "active"
    assert rows["stays"].end_date is None


def test_stopping_a_death_ends_the_entitlement_on_the_day_of_death(childcare, street) -> None:
    subsidy, rows = childcare
    campaign = campaign_create(actor=Actor(user=street), program=subsidy, year=2026, today=TODAY)
    item = ReviewItem.objects.get(campaign=campaign, entitlement=rows["dies"])

    review_item_decide(actor=Actor(user=street), item=item, decision="stop", today=TODAY)

    entitlement = Entitlement.objects.get(pk=rows["dies"].pk)
    assert entitlement.status == "stopped"
    assert entitlement.end_date == dt.date(2025, 9, 10)
    assert "2025-09-10" in entitlement.stop_reason


def test_stopping_without_a_leaving_flag_ends_on_the_decision_date_and_needs_a_reason(
    childcare, street
) -> None:
    subsidy, rows = childcare
    campaign = campaign_create(actor=Actor(user=street), program=subsidy, year=2026, today=TODAY)
    item = ReviewItem.objects.get(campaign=campaign, entitlement=rows["stays"])
    with pytest.raises(JishengError):
        review_item_decide(actor=Actor(user=street), item=item, decision="stop", today=TODAY)

    review_item_decide(
        actor=Actor(user=street), item=item, decision="stop", comment="家长申请停发", today=TODAY
    )

    entitlement = Entitlement.objects.get(pk=rows["stays"].pk)
    assert (entitlement.status, entitlement.end_date) == ("stopped", TODAY)
    assert "家长申请停发" in entitlement.stop_reason


def test_stopped_beneficiaries_drop_out_of_the_next_payment_batch(
    childcare, street, make_family
) -> None:
    subsidy, rows = childcare
    _h, mother, (kept_child,) = make_family(
        wife_birth=dt.date(1992, 2, 2), children=(("F", dt.date(2025, 3, 3)),)
    )
    kept = entitle(subsidy, kept_child, payee=mother, start=dt.date(2025, 3, 3))
    actor = Actor(user=street)
    campaign = campaign_create(actor=actor, program=subsidy, year=2026, today=TODAY)
    for key, decision, comment in (("stays", "stop", "已由外地发放"), ("dies", "stop", "")):
        item = ReviewItem.objects.get(campaign=campaign, entitlement=rows[key])
        review_item_decide(actor=actor, item=item, decision=decision, comment=comment, today=TODAY)
    item = ReviewItem.objects.get(campaign=campaign, entitlement=kept)
    review_item_decide(actor=actor, item=item, decision="confirm", today=TODAY)

    batch = batch_build(actor=actor, program=subsidy, period_key="2026", today=TODAY)

    lines = {line.entitlement_id: line for line in batch.lines.all()}
    assert rows["dies"].pk not in lines
    assert lines[rows["stays"].pk].months == 2  # January and February, stopped on 1 March
    assert lines[rows["stays"].pk].amount == Decimal("600.00")
    assert lines[kept.pk].months == 12


def test_a_decided_item_cannot_be_decided_again(childcare, street) -> None:
    subsidy, rows = childcare
    campaign = campaign_create(actor=Actor(user=street), program=subsidy, year=2026, today=TODAY)
    item = ReviewItem.objects.get(campaign=campaign, entitlement=rows["stays"])
    review_item_decide(actor=Actor(user=street), item=item, decision="confirm", today=TODAY)
    with pytest.raises(Conflict):
        review_item_decide(
            actor=Actor(user=street), item=item, decision="stop", comment="改主意", today=TODAY
        )
    other = ReviewItem.objects.get(campaign=campaign, entitlement=rows["ages_out"])
    with pytest.raises(JishengError):
        review_item_decide(actor=Actor(user=street), item=other, decision="maybe", today=TODAY)


def test_confirm_all_unflagged_leaves_flagged_and_decided_items_alone(childcare, street) -> None:
    subsidy, rows = childcare
    actor = Actor(user=street)
    campaign = campaign_create(actor=actor, program=subsidy, year=2026, today=TODAY)

    assert review_items_confirm_unflagged(actor=actor, campaign=campaign) == 1
    assert review_items_confirm_unflagged(actor=actor, campaign=campaign) == 0

    decisions = dict(campaign.items.values_list("entitlement_id", "decision"))
    assert decisions[rows["stays"].pk] == "confirm"
    assert sorted(decisions.values()).count("pending") == 4
    progress = campaign_progress(street, campaign)
    assert (progress.total, progress.decided, progress.flagged, progress.percent) == (5, 1, 4, 20)


def test_items_list_flagged_first_and_filters_by_kind(childcare, street) -> None:
    subsidy, rows = childcare
    campaign = campaign_create(actor=Actor(user=street), program=subsidy, year=2026, today=TODAY)

    ordered = list(campaign_items(street, campaign).values_list("entitlement_id", flat=True))
    assert ordered[-1] == rows["stays"].pk
    deaths = campaign_items(street, campaign, flag="death")
    assert list(deaths.values_list("entitlement_id", flat=True)) == [rows["dies"].pk]
    assert campaign_items(street, campaign, flag="unflagged").count() == 1
    assert campaign_items(street, campaign, flag="flagged").count() == 4


def test_community_worker_and_leader_cannot_open_or_decide(
    childcare, street, worker, leader
) -> None:
    subsidy, rows = childcare
    for user in (worker, leader):
        with pytest.raises(Forbidden):
            campaign_create(actor=Actor(user=user), program=subsidy, year=2026, today=TODAY)
    campaign = campaign_create(actor=Actor(user=street), program=subsidy, year=2026, today=TODAY)
    item = ReviewItem.objects.get(campaign=campaign, entitlement=rows["stays"])
    for user in (worker, leader):
        with pytest.raises(Forbidden):
            review_item_decide(actor=Actor(user=user), item=item, decision="confirm")
        with pytest.raises(Forbidden):
            review_items_confirm_unflagged(actor=Actor(user=user), campaign=campaign)


def test_one_campaign_per_program_street_and_year(childcare, street, make_user) -> None:
    from jisheng.core.roles import Role

    subsidy, _rows = childcare
    campaign_create(actor=Actor(user=street), program=subsidy, year=2026, today=TODAY)
    colleague = make_user(Role.STREET_STAFF)
    with pytest.raises(Conflict):
        campaign_create(actor=Actor(user=colleague), program=subsidy, year=2026, today=TODAY)
    assert ReviewCampaign.objects.count() == 1


def test_items_outside_the_street_are_not_found(childcare, street, make_user, org) -> None:
    from jisheng.accounts.org_units import org_unit_create
    from jisheng.core.roles import Role

    subsidy, rows = childcare
    campaign = campaign_create(actor=Actor(user=street), program=subsidy, year=2026, today=TODAY)
    other_street = org_unit_create(
        actor=None,
        name="另一街道",
        kind="street",
        code=org.district.code + "999",
        parent=org.district,
    )
    stranger = make_user(Role.STREET_STAFF, other_street)
    item = ReviewItem.objects.get(campaign=campaign, entitlement=rows["stays"])
    with pytest.raises(NotFound):
        review_item_decide(actor=Actor(user=stranger), item=item, decision="confirm")
    with pytest.raises(NotFound):
        review_items_confirm_unflagged(actor=Actor(user=stranger), campaign=campaign)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_openings_make_one_campaign(program, make_person, make_user) -> None:
    import threading

    from django.db import connection

    from jisheng.core.roles import Role

    subsidy = program("childcare-subsidy")
    entitle(subsidy, make_person(birth_date=dt.date(2025, 1, 5)))
    users = [make_user(Role.STREET_STAFF) for _ in range(4)]
    outcomes: list[str] = []

    def open_campaign(user) -> None:
        try:
            campaign_create(actor=Actor(user=user), program=subsidy, year=2026, today=TODAY)
            outcomes.append("created")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    if connection.vendor == "postgresql":
        threads = [threading.Thread(target=open_campaign, args=(user,)) for user in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:  # SQLite serialises writers: the same refusal, one after the other
        for user in users:
            open_campaign(user)

    assert sorted(outcomes) == ["conflict"] * 3 + ["created"]
    assert ReviewCampaign.objects.count() == 1
    assert ReviewItem.objects.count() == 1
