"""Assessments: scores from live data, scoring rules by hand, adjustments with evidence,
veto items zeroing the total, freezing on approval, ranking with ties, bonus bands."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jisheng.core.errors import Conflict, Forbidden, JishengError
from jisheng.core.indicators import Direction, Period
from jisheng.targets import scoring, selectors, services
from jisheng.targets.models import AssessmentState, Meeting, MeetingKind, PartyKind

PDF = b"%PDF-1.4\n%test\n"


def evidence(name: str = "scan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def meeting(org, user, day: dt.date) -> None:
    Meeting.objects.create(
        org_unit=org.street, kind=MeetingKind.JOINT, date=day, title="联席会", created_by=user
    )


def terms(target: str, floor: str, rule: str = "linear", direction=Direction.HIGHER):
    return scoring.Terms(Decimal(target), Decimal(floor), rule, Decimal(20), direction)


def test_linear_and_step_scoring_by_hand() -> None:
    higher = terms("80", "40")
    assert scoring.points(higher, Decimal(90)) == Decimal(20)
    assert scoring.points(higher, Decimal(80)) == Decimal(20)
    assert scoring.points(higher, Decimal(60)) == Decimal("10.00")
    assert scoring.points(higher, Decimal(40)) == Decimal(0)
    assert scoring.points(higher, Decimal(10)) == Decimal(0)
    assert scoring.points(higher, None) is None
    lower = terms("1", "5", direction=Direction.LOWER)
    assert scoring.points(lower, Decimal(0)) == Decimal(20)
    assert scoring.points(lower, Decimal(2)) == Decimal("15.00")
    assert scoring.points(lower, Decimal(6)) == Decimal(0)
    step = terms("100", "100", "step")
    assert scoring.points(step, Decimal("99.9")) == Decimal(0)
    assert scoring.points(step, Decimal(100)) == Decimal(20)


def test_a_line_with_nothing_to_measure_is_left_out_and_the_rest_scaled() -> None:
    assert scoring.line_total([(Decimal(60), Decimal(30)), (Decimal(40), None)]) == Decimal(50)
    assert scoring.line_total([(Decimal(60), None)]) == Decimal(0)


def test_ranks_share_on_ties_and_skip_after() -> None:
    assert scoring.ranks([Decimal(90), Decimal(80), Decimal(90), Decimal(70)]) == [1, 3, 1, 4]
    assert scoring.ranks([]) == []


def test_bonus_coefficient_of_the_highest_band_reached() -> None:
    bands = [(Decimal(90), Decimal("1.2")), (Decimal(60), Decimal("1.0"))]
    assert scoring.coefficient(Decimal(95), bands) == Decimal("1.2")
    assert scoring.coefficient(Decimal(60), bands) == Decimal("1.0")
    assert scoring.coefficient(Decimal("59.99"), bands) is None


def test_the_assessment_scores_live_data(org, staff, make_book, bands, last_year) -> None:
    book = make_book(org.c1)
    # Joint meetings in two of the quarter's three months → 66.7 % of a 0–100 line: 40.02
    # of 60 points; the roster line has nothing to measure and is left out.
    meeting(org, staff.user, dt.date(last_year, 4, 10))
    meeting(org, staff.user, dt.date(last_year, 6, 10))
    assessment = services.assessment_run(actor=staff, book=book, period=Period(last_year, 2))
    lines = {line.indicator: line for line in assessment.lines.all()}
    assert lines["targets.joint_meetings_monthly"].value == Decimal("66.7")
    assert lines["targets.joint_meetings_monthly"].points == Decimal("40.02")
    assert lines["contraceptives.roster_followed_up"].value is None
    assert assessment.line_points == Decimal("66.70")
    assert assessment.total == Decimal("66.70")
    assert assessment.bonus_coefficient == Decimal("1.0")

    meeting(org, staff.user, dt.date(last_year, 5, 10))  # a draft follows the data
    again = services.assessment_run(actor=staff, book=book, period=Period(last_year, 2))
    assert again.pk == assessment.pk
    assert again.total == Decimal(100)
    assert again.bonus_coefficient == Decimal("1.2")


def test_only_a_signed_book_in_its_own_year_is_assessed(org, staff, make_book, last_year) -> None:
    draft = make_book(org.c1, sign=False)
    with pytest.raises(Conflict):
        services.assessment_run(actor=staff, book=draft, period=Period(last_year, 1))
    book = make_book(org.c2)
    with pytest.raises(JishengError):
        services.assessment_run(actor=staff, book=book, period=Period(last_year - 1, 1))


def test_an_adjustment_needs_reason_and_real_evidence(org, staff, make_book, last_year) -> None:
    book = make_book(org.c1)
    meeting(org, staff.user, dt.date(last_year, 1, 10))
    assessment = services.assessment_run(actor=staff, book=book, period=Period(last_year, 1))
    before = assessment.total
    with pytest.raises(JishengError):
        services.assessment_adjust(
            actor=staff, assessment=assessment, points=Decimal(5), reason="", evidence=evidence()
        )
    with pytest.raises(JishengError):  # a text file named .pdf
        services.assessment_adjust(
            actor=staff,
            assessment=assessment,
            points=Decimal(5),
            reason="补报",
            evidence=evidence(content=b"not a pdf"),
        )
    with pytest.raises(JishengError):
        services.assessment_adjust(
            actor=staff,
            assessment=assessment,
            points=Decimal(5),
            reason="补报",
            evidence=evidence("scan.exe"),
        )
    services.assessment_adjust(
        actor=staff,
        assessment=assessment,
        points=Decimal("-3.5"),
        reason="随访记录补录不及时",
        evidence=evidence(),
    )
    assessment.refresh_from_db()
    assert assessment.adjustment_points == Decimal("-3.5")
    assert assessment.total == before - Decimal("3.5")


def test_a_veto_item_sets_the_total_to_zero(
    org, staff, make_book, veto_item, bands, last_year
) -> None:
    book = make_book(org.c1)
    meeting(org, staff.user, dt.date(last_year, 1, 10))
    assessment = services.assessment_run(actor=staff, book=book, period=Period(last_year, 1))
    services.assessment_adjust(
        actor=staff, assessment=assessment, points=Decimal(10), reason="加分", evidence=evidence()
    )
    services.assessment_veto(
        actor=staff, assessment=assessment, veto_item=veto_item, reason="审计发现虚报"
    )
    assessment.refresh_from_db()
    assert assessment.vetoed
    assert assessment.total == 0
    assert assessment.bonus_coefficient == Decimal("0.5")
    # Recomputing from the data does not lift the veto.
    assessment = services.assessment_run(actor=staff, book=book, period=Period(last_year, 1))
    assert assessment.total == 0
    with pytest.raises(Conflict):
        services.assessment_veto(
            actor=staff, assessment=assessment, veto_item=veto_item, reason="又一次"
        )


def test_approval_freezes_the_values(org, staff, leader, make_book, last_year) -> None:
    book = make_book(org.c1)
    meeting(org, staff.user, dt.date(last_year, 1, 10))
    period = Period(last_year, 1)
    assessment = services.assessment_run(actor=staff, book=book, period=period)
    with pytest.raises(Forbidden):  # street staff compute; the leader approves
        services.assessment_approve(actor=staff, assessment=assessment)
    services.assessment_approve(actor=leader, assessment=assessment)
    frozen_total = assessment.total

    # The data changes afterwards: two more meetings in the quarter.
    meeting(org, staff.user, dt.date(last_year, 2, 10))
    meeting(org, staff.user, dt.date(last_year, 3, 10))
    with pytest.raises(Conflict):
        services.assessment_run(actor=staff, book=book, period=period)
    with pytest.raises(Conflict):
        services.assessment_adjust(
            actor=staff, assessment=assessment, points=Decimal(1), reason="补", evidence=evidence()
        )
    with pytest.raises(Conflict):
        services.assessment_approve(actor=leader, assessment=assessment)
    assessment.refresh_from_db()
    assert assessment.state == AssessmentState.APPROVED
    assert assessment.total == frozen_total
    line = assessment.lines.get(indicator="targets.joint_meetings_monthly")
    assert line.value == Decimal("33.3")


def test_ranking_ties_share_a_rank(org, staff, make_book, last_year) -> None:
    communities = list(selectors.communities(staff.user).order_by("code")[:4])
    period = Period(last_year, 1)
    # The same data for each community: equal totals, one rank; then one lower by adjustment.
    meeting(org, staff.user, dt.date(last_year, 1, 10))
    assessments = [
        services.assessment_run(actor=staff, book=make_book(community), period=period)
        for community in communities
    ]
    services.assessment_adjust(
        actor=staff,
        assessment=assessments[1],
        points=Decimal(5),
        reason="加分",
        evidence=evidence(),
    )
    services.assessment_adjust(
        actor=staff,
        assessment=assessments[3],
        points=Decimal(-5),
        reason="减分",
        evidence=evidence(),
    )
    rows = selectors.ranking(staff.user, period=period, kind=PartyKind.COMMUNITY)
    ranks = {row.assessment.pk: row.rank for row in rows}
    assert ranks == {
        assessments[1].pk: 1,
        assessments[0].pk: 2,
        assessments[2].pk: 2,
        assessments[3].pk: 4,
    }
