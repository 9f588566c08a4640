"""Demo supervision: a leading group per level with department duties, B-ultrasound devices
(one overdue for inspection, one with a rectification pending), operators, pharmacies with
dispensings (two on the review list: one without a prescription, one to a woman 16 weeks
pregnant) and a clue opened from the review list."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from jisheng.accounts.models import User
from jisheng.core.actors import Actor
from jisheng.core.models import OrgUnit
from jisheng.governance.models import (
    ClueSource,
    Department,
    LeadingGroup,
    OutletKind,
)
from jisheng.governance.services import cases, supervision
from jisheng.prepregnancy.models import Pregnancy
from jisheng.registry.models import Person

DAY = dt.timedelta(days=1)
DUTIES = {
    Department.FAMILY_PLANNING: "牵头组织出生人口性别比综合治理，建立孕情随访和两非线索通报制度。",
    Department.HEALTH: "监管医疗机构B超设备和人员，规范终止妊娠手术和药物使用。",
    Department.MARKET_REGULATION: "查处药店违规销售流引产药物，落实实名登记。",
    Department.POLICE: "依法打击非法鉴定胎儿性别和选择性别终止妊娠的违法犯罪活动。",
    Department.HOUSING: "配合做好出租房屋流动人口孕情信息登记。",
    Department.INDUSTRY_COMMERCE: "查处无照经营的诊所和药店。",
    Department.PROPERTY: "协助排查辖区内非法B超和行医线索。",
}
MEMBERS = (
    ("组长", Department.FAMILY_PLANNING, "分管领导"),
    ("副组长", Department.HEALTH, "卫生健康负责人"),
    ("成员", Department.MARKET_REGULATION, "市场监管所所长"),
    ("成员", Department.POLICE, "派出所所长"),
)
SURNAMES = "王李张刘陈杨赵黄周吴"


def demo_seed(*, street: OrgUnit, today: dt.date, rng: random.Random) -> None:
    """Seed once: a street that already has its leading group is left as it is."""
    if LeadingGroup.objects.filter(org_unit=street).exists():
        return
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["demo_street", "demo_district", "demo_cases"])
    }
    if "demo_street" not in users:
        return
    staff = Actor(user=users["demo_street"])
    communities = list(
        OrgUnit.objects.filter(
            parent=street, kind__in=[OrgUnit.Kind.COMMUNITY, OrgUnit.Kind.VILLAGE]
        ).order_by("code")
    )
    with transaction.atomic():
        _groups(staff, users.get("demo_district"), street, communities[:1], today, rng)
        outlet_ids = _supervision(staff, communities, today)
        officer = users.get("demo_cases")
        if officer is not None:
            _clue(Actor(user=officer), staff, outlet_ids, today)


def _groups(
    staff: Actor,
    district_user: User | None,
    street: OrgUnit,
    communities: list[OrgUnit],
    today: dt.date,
    rng: random.Random,
) -> None:
    levels: list[tuple[Actor, OrgUnit]] = [(staff, street)] + [(staff, c) for c in communities]
    if district_user is not None and street.parent is not None:
        levels.insert(0, (Actor(user=district_user), street.parent))
    for actor, unit in levels:
        group = supervision.leading_group_set(
            actor=actor,
            unit=unit,
            name=f"{unit.name}出生人口性别比综合治理领导小组",
            established_on=dt.date(today.year - 2, 3, 1),
        )
        for post, department, title in MEMBERS:
            supervision.group_member_add(
                actor=actor,
                group=group,
                name=rng.choice(SURNAMES) + rng.choice("建国明华志强秀英"),
                post=post,
                department=department,
                title=title,
                from_date=dt.date(today.year - 2, 3, 1),
            )
        for department, duties in DUTIES.items():
            supervision.department_duty_set(
                actor=actor, unit=unit, department=department, duties=duties
            )


def _supervision(staff: Actor, communities: list[OrgUnit], today: dt.date) -> list[int]:
    home = communities[0]
    devices = [
        ("坛山街道卫生院", "GE Voluson E8", "VE8-2019-0031", "门诊二楼B超室", "鲁卫B超许字031号"),
        ("坛山街道卫生院", "Mindray DC-70", "DC70-2021-1107", "妇产科", "鲁卫B超许字032号"),
        ("仁和诊所", "SonoScape S22", "S22-2020-5521", "诊疗室", "鲁卫B超许字077号"),
    ]
    registered = [
        supervision.device_register(
            actor=staff,
            unit=home,
            institution=institution,
            model_name=model,
            serial_number=serial,
            location=location,
            licence=licence,
        )
        for institution, model, serial, location, licence in devices
    ]
    supervision.inspection_record(
        actor=staff, device_id=registered[0].pk, date=today - 30 * DAY, inspectors="王建国、李秀英"
    )
    supervision.inspection_record(
        actor=staff,
        device_id=registered[1].pk,
        date=today - 20 * DAY,
        inspectors="王建国、李秀英",
        findings="未张贴“严禁非医学需要鉴定胎儿性别”标识；操作登记不全。",
        rectification_due=today + 10 * DAY,
    )
    # The clinic's machine was last inspected over a year ago: on the overdue list.
    supervision.inspection_record(
        actor=staff, device_id=registered[2].pk, date=today - 400 * DAY, inspectors="王建国"
    )
    for institution, name in (("坛山街道卫生院", "刘晓燕"), ("仁和诊所", "陈志强")):
        supervision.operator_register(
            actor=staff,
            unit=home,
            institution=institution,
            name=name,
            qualification="执业医师（医学影像）",
            trained_on=today - 200 * DAY,
            training_due=today + 165 * DAY,
        )
    pharmacy = supervision.outlet_register(
        actor=staff, unit=home, kind=OutletKind.PHARMACY, name="仁和大药房", address="坛山路18号"
    )
    clinic = supervision.outlet_register(
        actor=staff, unit=home, kind=OutletKind.CLINIC, name="仁和诊所", address="坛山路20号"
    )
    women = list(Person.objects.filter(community__in=communities, sex="F").order_by("pk")[:3])
    for offset, woman in enumerate(women):
        supervision.dispensing_record(
            actor=staff,
            outlet_id=pharmacy.pk,
            dispensed_on=today - (offset + 2) * DAY,
            drug="米非司酮片",
            quantity=1,
            buyer_name=woman.name,
            buyer_id_number=woman.id_number or "",
            prescriber="刘晓燕",
            prescription_ref=f"RX{today:%Y%m}{offset:03d}",
        )
    if women:
        supervision.dispensing_record(
            actor=staff,
            outlet_id=clinic.pk,
            dispensed_on=today - DAY,
            drug="米索前列醇片",
            quantity=2,
            buyer_name=women[0].name,
            buyer_id_number=women[0].id_number or "",
        )
    _pregnant_buyer(staff, pharmacy.pk, today)
    return [pharmacy.pk, clinic.pk]


def _pregnant_buyer(staff: Actor, outlet_id: int, today: dt.date) -> None:
    """A dispensing, with a prescription, to a woman whose registered pregnancy is at 14+
    weeks: on the review list for that reason."""
    for pregnancy in Pregnancy.objects.filter(closed=False).select_related("woman"):
        last_period = pregnancy.last_period
        if last_period is not None and today - last_period >= dt.timedelta(weeks=15):
            wife = pregnancy.woman
            supervision.dispensing_record(
                actor=staff,
                outlet_id=outlet_id,
                dispensed_on=today,
                drug="米非司酮片",
                quantity=1,
                buyer_name=wife.name,
                buyer_id_number=wife.id_number or "",
                prescriber="陈志强",
                prescription_ref=f"RX{today:%Y%m}900",
            )
            return


def _clue(officer: Actor, staff: Actor, outlet_ids: list[int], today: dt.date) -> None:
    from jisheng.governance.selectors.supervision import review_list

    entries = [e for e in review_list(staff.user) if e.dispensing.outlet_id in outlet_ids]
    if entries:
        cases.case_open(
            actor=officer,
            source=ClueSource.DISPENSING_REVIEW,
            summary="诊所无处方销售米索前列醇片，需核实购药用途。",
            received_on=today,
            dispensing_id=entries[0].dispensing.pk,
        )
    late = cases.case_open(
        actor=officer,
        source=ClueSource.HOTLINE,
        summary="群众反映某小区有人上门提供胎儿性别鉴定。",
        received_on=today - 40 * DAY,
        informant="匿名来电",
    )
    cases.case_investigate(actor=officer, case_id=late.pk, started_on=today - 38 * DAY)
