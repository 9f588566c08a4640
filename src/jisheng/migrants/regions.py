"""GB/T 2260 division codes, from the list shipped in ``data/gb2260.tsv`` (revision 2019-04).

The list comes from the GB2260 project's curated data (BSD licence, ``data/LICENSE.gb2260``);
it is read once per process, never fetched.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from jisheng.core.errors import JishengError

DATA = Path(__file__).resolve().parent / "data" / "gb2260.tsv"


@cache
def divisions() -> dict[str, str]:
    """Every 6-digit code of the shipped revision and its own name (北京市, 东城区, …)."""
    found: dict[str, str] = {}
    with DATA.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            code, name = line.rstrip("\n").split("\t")
            found[code] = name
    return found


def region_name(code: str) -> str:
    """``"370404"`` as "山东省枣庄市峄城区": province, prefecture and county names joined; the
    code itself when the list does not hold it."""
    names = divisions()
    if code not in names:
        return code
    parts = [code[:2] + "0000", code[:4] + "00", code]
    seen: list[str] = []
    for part in parts:
        name = names.get(part)
        # 市辖区 and 县 are placeholders of a prefecture level, not names worth showing.
        if name and name not in seen and name not in {"市辖区", "县", "省直辖县级行政区划"}:
            seen.append(name)
    return "".join(seen)


def region_check(code: str) -> str:
    """The code, when it is a division of the shipped GB/T 2260 list; else a 400 in Chinese."""
    code = code.strip()
    if len(code) != 6 or not code.isascii() or not code.isdecimal():
        raise JishengError(
            _("The region must be a 6-digit GB/T 2260 division code."), code="invalid_region"
        )
    if code not in divisions():
        raise JishengError(
            _("%(code)s is not a division code of GB/T 2260.") % {"code": code},
            code="invalid_region",
        )
    return code
