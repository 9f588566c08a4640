"""Checkups of each spouse: the one-spouse prompt, risk assessment and referral, encryption
of health fields, audit of every read."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError
from jisheng.core.roles import Role
from jisheng.prepregnancy.health import ReproductiveHistory
from jisheng.prepregnancy.models import (
    Checkup,
    CoupleState,
    Referral,
    RiskFactor,
    TargetCouple,
    TaskState,
)
from jisheng.prepregnancy.selectors import couples as selectors
from jisheng.prepregnancy.selectors import risk_factors as factor_selectors
from jisheng.prepregnancy.selectors import worklists
from jisheng.prepregnancy.services import checkups, couples
from jisheng.registry.services import events


def high_risk(checkup_data, **overrides: object):
    return checkup_data(
        risk_level="high",
        risk_factor_codes=["anaemia", "rubella_susceptible"],
        results={"blood_type": "A", "rh": "negative", "rubella_igg": "negative"},
        history=ReproductiveHistory(pregnancies=2, births=1, miscarriages=1),
        advice="补充铁剂，接种风疹疫苗后三个月再怀孕",
        **overrides,
    )


def test_the_wifes_high_risk_checkup_prompts_for_the_husband_and_raises_a_referral(
    actor, couple, checkup_data, today
) -> None:
    checkup = checkups.checkup_record(
        actor=actor, couple=couple, spouse="wife", data=high_risk(checkup_data)
    )
    couple.refresh_from_db()
    assert couple.state == CoupleState.ONE_CHECKED
    file = selectors.couple_file(actor=actor, couple_id=couple.pk)
    assert file.missing_spouse == "husband"
    referral = Referral.objects.get(checkup=checkup)
    assert (referral.due_date, referral.state, referral.assignee) == (
        today + dt.timedelta(days=30),
        TaskState.OPEN,
        actor.user,
    )


def test_both_spouses_checked_closes_the_prompt(actor, couple, checkup_data) -> None:
    checkups.checkup_record(actor=actor, couple=couple, spouse="husband", data=checkup_data())
    checkups.checkup_record(actor=actor, couple=couple, spouse="wife", data=checkup_data())
    couple.refresh_from_db()
    assert couple.state == CoupleState.BOTH_CHECKED
    assert selectors.couple_file(actor=actor, couple_id=couple.pk).missing_spouse is None
    assert not Referral.objects.exists()


def test_a_spouse_is_checked_once(actor, couple, checkup_data) -> None:
    checkups.checkup_record(actor=actor, couple=couple, spouse="wife", data=checkup_data())
    with pytest.raises(Conflict) as refused:
        checkups.checkup_record(actor=actor, couple=couple, spouse="wife", data=checkup_data())
    assert refused.value.code == "already_checked"


@pytest.mark.parametrize(
    ("spouse", "changes", "code"),
    [
        ("husband", {"results": {"rubella_igg": "negative"}}, "invalid_health_record"),
        ("husband", {"items": ["ultrasound"]}, "invalid_health_record"),
        ("wife", {"results": {"blood_type": "Z"}}, "invalid_health_record"),
        ("wife", {"items": ["acupuncture"]}, "invalid_health_record"),
        ("husband", {"history": ReproductiveHistory(pregnancies=1)}, "invalid_health_record"),
        (
            "wife",
            {"history": ReproductiveHistory(pregnancies=1, births=2)},
            "invalid_health_record",
        ),
        ("wife", {"risk_level": "high"}, "invalid_health_record"),
        ("wife", {"institution": " "}, "invalid_health_record"),
        ("wife", {"risk_level": "high", "risk_factor_codes": ["nonsense"]}, "invalid_risk_factor"),
        (
            "husband",
            {"risk_level": "high", "risk_factor_codes": ["anaemia"]},
            "invalid_risk_factor",
        ),
        ("wife", {"date": dt.date(2999, 1, 1)}, "future_date"),
        ("sister", {}, "invalid_spouse"),
    ],
)
def test_checkups_that_cannot_be_right_are_refused(
    actor, couple, checkup_data, spouse, changes, code
) -> None:
    with pytest.raises(JishengError) as refused:
        checkups.checkup_record(
            actor=actor, couple=couple, spouse=spouse, data=checkup_data(**changes)
        )
    assert refused.value.code == code
    assert not Checkup.objects.exists()


def test_a_retired_risk_factor_is_no_longer_offered(actor, couple, checkup_data, make_user) -> None:
    street = Actor(user=make_user(Role.STREET_STAFF))
    factor = RiskFactor.objects.get(code="smoking")
    checkups.risk_factor_set_active(actor=street, factor=factor, active=False)
    with pytest.raises(JishengError):
        checkups.checkup_record(
            actor=actor,
            couple=couple,
            spouse="wife",
            data=checkup_data(risk_level="high", risk_factor_codes=["smoking"]),
        )


def test_only_the_street_office_keeps_the_list(actor, make_user) -> None:
    with pytest.raises(Forbidden):
        checkups.risk_factor_create(
            actor=actor, code="new_one", name="新因素", category="other", applies_to="both"
        )
    street = Actor(user=make_user(Role.STREET_STAFF))
    factor = checkups.risk_factor_create(
        actor=street, code="new_one", name="新因素", category="other", applies_to="both"
    )
    assert (
        factor.sort_order > RiskFactor.objects.exclude(pk=factor.pk).latest("sort_order").sort_order
    )
    with pytest.raises(JishengError):
        checkups.risk_factor_create(
            actor=street, code="Bad Code", name="x", category="other", applies_to="both"
        )


def test_the_seeded_list_holds_the_common_protocol_factors(db: None) -> None:
    codes = set(RiskFactor.objects.values_list("code", flat=True))
    assert {"hepatitis_b", "rubella_susceptible", "advanced_age", "toxoplasma"} <= codes
    assert RiskFactor.objects.count() >= 30


def test_health_fields_are_ciphertext_at_rest(actor, couple, checkup_data) -> None:
    checkup = checkups.checkup_record(
        actor=actor, couple=couple, spouse="wife", data=high_risk(checkup_data)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT results, reproductive_history, risk_factors, advice "
            "FROM prepregnancy_checkup WHERE id = %s",
            [checkup.pk],
        )
        raw = cursor.fetchone()
    stored = b"".join(bytes(value) for value in raw)
    for plaintext in ("negative", "miscarriages", "rubella_susceptible", "铁剂"):
        assert plaintext.encode() not in stored
    view = selectors.checkup_detail(actor=actor, checkup_id=checkup.pk)
    assert view.results["rh"] == "negative"
    assert view.history == ReproductiveHistory(pregnancies=2, births=1, miscarriages=1)
    assert view.factor_codes == ["anaemia", "rubella_susceptible"]
    assert "铁剂" in (view.checkup.advice or "")


def test_encrypted_health_fields_cannot_be_searched(actor, couple, checkup_data) -> None:
    checkups.checkup_record(actor=actor, couple=couple, spouse="wife", data=checkup_data())
    with pytest.raises(TypeError):
        Checkup.objects.filter(results="x").count()


def test_every_read_of_health_data_is_audited(actor, couple, checkup_data) -> None:
    checkup = checkups.checkup_record(
        actor=actor, couple=couple, spouse="wife", data=checkup_data()
    )
    before = AuditEvent.objects.filter(action="view").count()
    selectors.couple_file(actor=actor, couple_id=couple.pk)
    selectors.checkup_detail(actor=actor, checkup_id=checkup.pk)
    views = AuditEvent.objects.filter(action="view").order_by("pk")[before:]
    assert [(e.object_type, e.object_id) for e in views] == [
        ("prepregnancy.targetcouple", str(couple.pk)),
        ("prepregnancy.checkup", str(checkup.pk)),
    ]


def test_roles_without_a_health_duty_see_no_health_records(
    actor, couple, checkup_data, make_user
) -> None:
    checkup = checkups.checkup_record(
        actor=actor, couple=couple, spouse="wife", data=checkup_data()
    )
    for role in (Role.LEADER, Role.DISTRICT_SUPERVISOR, Role.SECURITY_AUDITOR):
        user = make_user(role)
        assert not Checkup.objects.visible_to(user).exists()
        assert not TargetCouple.objects.visible_to(user).exists()
        # The selectors refuse the role outright, before looking anything up.
        with pytest.raises(Forbidden):
            selectors.checkup_detail(actor=Actor(user=user), checkup_id=checkup.pk)
        with pytest.raises(Forbidden):
            selectors.couple_visible(user=user, couple_id=couple.pk)
        with pytest.raises(Forbidden):
            worklists.referral_visible(user=user, referral_id=checkup.pk)
        with pytest.raises(Forbidden):
            factor_selectors.risk_factor_list(user=user)


def test_a_referral_is_completed_once_with_its_result(actor, couple, checkup_data, today) -> None:
    checkup = checkups.checkup_record(
        actor=actor, couple=couple, spouse="wife", data=high_risk(checkup_data)
    )
    referral = checkup.referral
    with pytest.raises(JishengError):
        checkups.referral_complete(actor=actor, referral=referral, completed_on=today, result=" ")
    done = checkups.referral_complete(
        actor=actor, referral=referral, completed_on=today, result="市妇幼产科会诊：可以计划怀孕"
    )
    assert (done.state, done.completed_by) == (TaskState.DONE, actor.user)
    with pytest.raises(Conflict):
        checkups.referral_complete(actor=actor, referral=referral, completed_on=today, result="x")


def test_no_checkup_for_a_couple_that_moved_away(
    actor, couple, checkup_data, street_actor, today
) -> None:
    events.move_out_record(actor=street_actor, person=couple.wife, date=today)
    couples.target_couples_refresh(actor=actor)
    with pytest.raises(Conflict) as refused:
        checkups.checkup_record(actor=actor, couple=couple, spouse="wife", data=checkup_data())
    assert refused.value.code == "couple_closed"
