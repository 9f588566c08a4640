"""Administrative division codes (GB/T 2260) as place names.

The instance knows the names of its own org tree; for any other code it names the province
(the first two digits), which every code carries. The code follows in brackets, so nothing
is lost when only the province is known.
"""

from __future__ import annotations

from typing import Final

from jisheng.core.models import OrgUnit

PROVINCES: Final = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}


def division_name(code: str) -> str:
    """``"370404"`` as "山东省峄城区（370404）" when the org tree has it, else "山东省（370404）";
    empty for an empty code, the code itself when even the province is unknown."""
    if not code:
        return ""
    province = PROVINCES.get(code[:2])
    # The longest unit code that starts the given one: a community's 12 digits, or the
    # 6-digit district it belongs to.
    prefixes = [code[:n] for n in (12, 9, 6) if len(code) >= n]
    unit = (
        OrgUnit.objects.filter(code__in=prefixes).order_by("-code").values_list("name", flat=True)
    ).first()
    if unit:
        return f"{province or ''}{unit}（{code}）"
    return f"{province}（{code}）" if province else code
