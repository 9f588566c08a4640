"""The programs a new instance starts with. Amounts are editable on the programs page.

Every entry names its source; all are marked "verify against the local document before
use", because provinces set their own amounts above the national base.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

LIVING = {"fact": "living_here", "op": "==", "value": True}

PROGRAMS: list[dict[str, Any]] = [
    {
        "code": "only-child-parents",
        "name": "独生子女父母奖励",
        "category": "reward",
        "policy_document": "《中华人民共和国人口与计划生育法》第二十七条；"
        "《山东省人口与计划生育条例》",
        "source_note": "领取《独生子女父母光荣证》的夫妻，按年发放至子女年满18周岁。"
        "标准由省、市规定，此处按每年120元预置。",
        "unit": "couple",
        "rule": {
            "all": [
                LIVING,
                {"fact": "children", "op": "==", "value": 1},
                {"fact": "youngest_child_age", "op": "<", "value": 18},
            ]
        },
        "benefit_kind": "cash",
        "amount": Decimal("120.00"),
        "amount_per": "year",
        "cycle": "year",
        "proration": "full",
        "funding_shares": {"district": 50, "street": 30, "community": 20},
    },
    {
        "code": "rural-reward-support",
        "name": "农村部分计划生育家庭奖励扶助",
        "category": "support",
        "policy_document": "国办发〔2004〕21号《关于开展对农村部分计划生育家庭"
        "实行奖励扶助制度试点工作的意见》",
        "source_note": "农业户口，只有一个子女或两个女孩（或子女死亡现无子女），年满60周岁，"
        "按人按年发放。国家基础标准每人每年960元。",
        "unit": "person",
        "rule": {
            "all": [
                {"fact": "age", "op": ">=", "value": 60},
                {"fact": "hukou_type", "op": "==", "value": "rural"},
                LIVING,
                {"fact": "children", "op": ">=", "value": 1},
                {
                    "any": [
                        {"fact": "living_children", "op": "<=", "value": 1},
                        {
                            "all": [
                                {"fact": "living_children", "op": "==", "value": 2},
                                {"fact": "living_sons", "op": "==", "value": 0},
                            ]
                        },
                    ]
                },
            ]
        },
        "benefit_kind": "cash",
        "amount": Decimal("960.00"),
        "amount_per": "year",
        "cycle": "year",
        "proration": "full",
        "funding_shares": {"central": 80, "province": 10, "district": 10},
    },
    {
        "code": "special-support",
        "name": "计划生育家庭特别扶助",
        "category": "support",
        "policy_document": "国人口发〔2007〕78号《全国独生子女伤残死亡家庭扶助制度试点方案》；"
        "国卫家庭发〔2013〕41号",
        "source_note": "独生子女死亡或伤残（残疾等级一至三级），女方年满49周岁，按人按月计发。"
        "2014年国家标准：城镇每人每月死亡340元、伤残270元，农村170元、150元。",
        "unit": "person",
        "rule": {
            "all": [
                LIVING,
                {"fact": "mother_age", "op": ">=", "value": 49},
                {"fact": "children", "op": "==", "value": 1},
                {
                    "any": [
                        {"fact": "deceased_children", "op": "==", "value": 1},
                        {"fact": "child_disability_grade", "op": "<=", "value": 3},
                    ]
                },
            ]
        },
        "amount_tiers": [
            {
                "label": "城镇 独生子女死亡",
                "rule": {
                    "all": [
                        {"fact": "hukou_type", "op": "==", "value": "urban"},
                        {"fact": "deceased_children", "op": "==", "value": 1},
                    ]
                },
                "amount": "340.00",
            },
            {
                "label": "城镇 独生子女伤残",
                "rule": {"fact": "hukou_type", "op": "==", "value": "urban"},
                "amount": "270.00",
            },
            {
                "label": "农村 独生子女死亡",
                "rule": {"fact": "deceased_children", "op": "==", "value": 1},
                "amount": "170.00",
            },
        ],
        "benefit_kind": "cash",
        "amount": Decimal("150.00"),
        "amount_per": "month",
        "cycle": "year",
        "proration": "months",
        "funding_shares": {"central": 80, "province": 10, "district": 10},
    },
    {
        "code": "childcare-subsidy",
        "name": "育儿补贴",
        "category": "guarantee",
        "policy_document": "中共中央办公厅、国务院办公厅《育儿补贴制度实施方案》（2025年）",
        "source_note": "自2025年1月1日起，对3周岁以下婴幼儿按每孩每年3600元发放，"
        "至满3周岁；2025年前出生或当年满3周岁的按应补贴月数折算（出生当月计入，满3周岁当月不计）。",
        "unit": "child",
        "rule": {"all": [LIVING, {"fact": "age_months", "op": "<", "value": 36}]},
        "benefit_kind": "cash",
        "amount": Decimal("3600.00"),
        "amount_per": "year",
        "cycle": "year",
        "proration": "months",
        "valid_from": dt.date(2025, 1, 1),
        "funding_shares": {"central": 90, "province": 5, "district": 5},
    },
    {
        "code": "hardship-visits",
        "name": "困难家庭走访慰问",
        "category": "relief",
        "policy_document": "街道计生办春节走访慰问困难计生家庭（坛山街道 2013 年工作总结）",
        "source_note": "以现金或慰问品走访困难家庭；走访记录的费用计入本项目支出。",
        "unit": "household",
        "rule": {"all": [LIVING]},
        "benefit_kind": "in_kind",
        "in_kind_description": "慰问金或米、面、油等慰问品",
        "amount_per": "once",
        "cycle": "once",
        "funding_shares": {"street": 100},
    },
    {
        "code": "school-bonus-check",
        "name": "升学加分核实",
        "category": "priority",
        "policy_document": "当地中考升学加分政策中对计划生育家庭子女的规定（以当年文件为准）",
        "source_note": "为计划生育家庭子女出具升学加分核实证明。2013 年坛山街道核实 130 人。",
        "unit": "child",
        "rule": {"all": [LIVING]},
        "benefit_kind": "service",
        "in_kind_description": "核实证明",
        "amount_per": "once",
        "cycle": "once",
    },
    {
        "code": "honor-certificate-reissue",
        "name": "独生子女父母光荣证补发",
        "category": "reward",
        "policy_document": "《山东省人口与计划生育条例》",
        "source_note": "遗失或损毁的《独生子女父母光荣证》核实后补发证明。",
        "unit": "couple",
        "rule": {"all": [LIVING, {"fact": "children", "op": "==", "value": 1}]},
        "benefit_kind": "service",
        "in_kind_description": "补发证明",
        "amount_per": "once",
        "cycle": "once",
    },
    # Ended programs of the seed (2013): kept so old payments and reports stay readable.
    {
        "code": "late-marriage-reward",
        "name": "晚婚晚育奖励（历史）",
        "category": "reward",
        "policy_document": "原《山东省人口与计划生育条例》晚婚晚育奖励条款（2016年修订时取消）",
        "source_note": "坛山街道 2013 年兑现晚婚晚育奖励金 7.7 万余元。",
        "unit": "couple",
        "benefit_kind": "cash",
        "amount": Decimal("300.00"),
        "amount_per": "once",
        "cycle": "once",
        "valid_to": dt.date(2015, 12, 31),
        "status": "ended",
    },
    {
        "code": "two-daughters-reward",
        "name": "双女绝育家庭奖励（历史）",
        "category": "reward",
        "policy_document": "原地方计划生育奖励政策（已停止执行）",
        "source_note": "坛山街道 2013 年兑现双女绝育家庭奖励金 8.6 万余元。",
        "unit": "couple",
        "benefit_kind": "cash",
        "amount": Decimal("1200.00"),
        "amount_per": "once",
        "cycle": "once",
        "valid_to": dt.date(2015, 12, 31),
        "status": "ended",
    },
    {
        "code": "one-girl-family-reward",
        "name": "终生只要一女孩家庭奖励（历史）",
        "category": "reward",
        "policy_document": "原地方计划生育奖励政策（已停止执行）",
        "source_note": "坛山街道 2013 年兑现终生只要一个女孩家庭奖励金 6.4 万余元。",
        "unit": "couple",
        "benefit_kind": "cash",
        "amount": Decimal("600.00"),
        "amount_per": "once",
        "cycle": "once",
        "valid_to": dt.date(2015, 12, 31),
        "status": "ended",
    },
    {
        "code": "second-child-waiver-award",
        "name": "放弃二孩生育家庭重奖（历史）",
        "category": "reward",
        "policy_document": "原地方计划生育奖励政策（已停止执行）",
        "source_note": "坛山街道 2013 年重奖 8 户，每户 3000 元。",
        "unit": "household",
        "benefit_kind": "cash",
        "amount": Decimal("3000.00"),
        "amount_per": "once",
        "cycle": "once",
        "valid_to": dt.date(2015, 12, 31),
        "status": "ended",
    },
]


def preload_programs(program_model: Any) -> None:
    """Create the preloaded programs that do not exist yet (by code); never overwrite edits."""
    for entry in PROGRAMS:
        values = {"rule": {}, "verify_locally": True, **entry}
        code = values.pop("code")
        program_model.objects.get_or_create(code=code, defaults=values)
