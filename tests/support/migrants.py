"""Helpers of the floating-population tests: ID numbers registered elsewhere, a report."""

from __future__ import annotations

import datetime as dt
import itertools

from jisheng.core.idnumber import id_number_check_digit
from jisheng.migrants.services.partners import ReportData

_serials = itertools.count(1)


def id_number(born: dt.date, sex: str, region: str = "510722") -> str:
    """A valid ID number registered in ``region``, unique within the test run."""
    serial = next(_serials) % 500 * 2 + (1 if sex == "M" else 0)
    body = f"{region}{born:%Y%m%d}{serial:03d}"
    return body + id_number_check_digit(body)


def tenant(**changes: object) -> ReportData:
    """A move-in report of a woman from 四川三台 (510722)."""
    born = dt.date(1994, 6, 1)
    fields: dict[str, object] = {
        "kind": "move_in",
        "name": "刘晓梅",
        "id_number": id_number(born, "F"),
        "moved_on": dt.date(2026, 3, 1),
        "hukou_type": "rural",
        "region_code": "510722",
        "address": "枣园小区 3 号楼 201 室",
    }
    fields.update(changes)
    return ReportData(**fields)  # type: ignore[arg-type]
