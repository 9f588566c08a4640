"""Deterministic, streamed demo population of 坛山街道, 峄城区, 枣庄市 as plain dataclasses.

Codes used in the generated records:

* ``relation_to_head`` (GB/T 4761-2008 subset): "02" 户主, "10" 配偶, "20" 子, "30" 女,
  "50" 父母 (always the parents of the head).  Note "01" is 本人, not 户主, in that standard.
* ``marital_status`` (GB/T 2261.2-2003): "10" 未婚, "20" 已婚, "30" 丧偶, "40" 离婚.
* ``ethnicity`` (GB/T 3304-1991): "01" 汉族, "03" 回族.
* ``sex``: "M" / "F"; ``hukou_type``: "urban" (非农业) / "rural" (农业); ``phone``: "" if none.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import math
import random
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple

from jisheng.core.idnumber import id_number_check_digit

__all__ = [
    "CITY_NAME",
    "COMMUNITIES",
    "DISTRICT_CODE",
    "DISTRICT_NAME",
    "FLOATING_ORIGIN_COUNTIES",
    "PROVINCE_NAME",
    "STREET_CODE",
    "STREET_NAME",
    "Community",
    "DemoHousehold",
    "DemoHouseholdBundle",
    "DemoMarriage",
    "DemoParentLink",
    "DemoPerson",
    "IdNumberAllocator",
    "generate_population",
]

PROVINCE_NAME: Final = "山东省"
CITY_NAME: Final = "枣庄市"
DISTRICT_NAME: Final = "峄城区"
DISTRICT_CODE: Final = "370404"
STREET_NAME: Final = "坛山街道"
STREET_CODE: Final = "370404002"


class Community(NamedTuple):
    """One 社区 (kind "community") or 村 (kind "village"); full code is STREET_CODE + suffix."""

    name: str
    kind: str
    code_suffix: str


# 居委会 take suffixes 001-199 and 村委会 201-399, as in the statistical division codes.
# Communities and villages alternate so that any n_communities prefix mixes both kinds.
COMMUNITIES: Final[tuple[Community, ...]] = (
    Community("榴园社区", "community", "001"),
    Community("吴林村", "village", "201"),
    Community("坛山社区", "community", "002"),
    Community("曹庄村", "village", "202"),
    Community("青檀社区", "community", "003"),
    Community("棠阴村", "village", "203"),
    Community("金泰社区", "community", "004"),
    Community("大康庄村", "village", "204"),
    Community("盛园社区", "community", "005"),
    Community("西曹村", "village", "205"),
    Community("万福社区", "community", "006"),
    Community("孙楼村", "village", "206"),
)

# Town communities are denser than villages; relative household shares per COMMUNITIES entry.
_COMMUNITY_WEIGHTS: Final = (1.5, 0.8, 1.3, 0.7, 1.1, 0.9, 1.2, 0.6, 1.0, 0.8, 0.9, 0.7)

# Real county-level codes of 枣庄 and the neighbouring cities people commonly move from.
FLOATING_ORIGIN_COUNTIES: Final[tuple[tuple[str, str], ...]] = (
    ("370402", "枣庄市市中区"),
    ("370403", "枣庄市薛城区"),
    ("370405", "枣庄市台儿庄区"),
    ("370406", "枣庄市山亭区"),
    ("370481", "滕州市"),
    ("371302", "临沂市兰山区"),
    ("371311", "临沂市罗庄区"),
    ("371312", "临沂市河东区"),
    ("371324", "兰陵县"),
    ("370811", "济宁市任城区"),
    ("370881", "曲阜市"),
    ("370883", "邹城市"),
    ("370102", "济南市历下区"),
    ("370902", "泰安市泰山区"),
    ("320303", "徐州市云龙区"),
    ("320311", "徐州市泉山区"),
    ("320321", "丰县"),
    ("320322", "沛县"),
    ("320381", "新沂市"),
    ("320382", "邳州市"),
    ("341302", "宿州市埇桥区"),
    ("341321", "砀山县"),
    ("341322", "萧县"),
)

RELATION_HEAD: Final = "02"
RELATION_SPOUSE: Final = "10"
RELATION_SON: Final = "20"
RELATION_DAUGHTER: Final = "30"
RELATION_PARENT: Final = "50"

MARITAL_UNMARRIED: Final = "10"
MARITAL_MARRIED: Final = "20"
MARITAL_WIDOWED: Final = "30"
MARITAL_DIVORCED: Final = "40"

ETHNICITY_HAN: Final = "01"
ETHNICITY_HUI: Final = "03"


@dataclass(frozen=True, slots=True)
class DemoPerson:
    """A generated resident whose id_number is valid and matches sex and birth_date."""

    key: int
    name: str
    sex: str
    birth_date: datetime.date
    id_number: str
    phone: str
    community_index: int
    address: str
    hukou_type: str
    is_floating: bool
    household_key: int
    relation_to_head: str
    marital_status: str
    ethnicity: str
    status: str = "living"


@dataclass(frozen=True, slots=True)
class DemoHousehold:
    """A generated household; head_key is the key of one of its persons."""

    key: int
    community_index: int
    address: str
    head_key: int


@dataclass(frozen=True, slots=True)
class DemoMarriage:
    """A marriage registered on date, after the husband turned 22 and the wife 20."""

    husband_key: int
    wife_key: int
    date: datetime.date


@dataclass(frozen=True, slots=True)
class DemoParentLink:
    """parent_key is a parent of child_key; both persons are in the same household."""

    parent_key: int
    child_key: int


@dataclass(frozen=True, slots=True)
class DemoHouseholdBundle:
    """A household with all its persons (head first) and the links among them."""

    household: DemoHousehold
    persons: tuple[DemoPerson, ...]
    marriages: tuple[DemoMarriage, ...]
    parent_links: tuple[DemoParentLink, ...]


_EARLIEST_BIRTH_DATE: Final = datetime.date(1900, 1, 1)
_EARLIEST_TODAY: Final = datetime.date(2000, 1, 1)
_DAYS_PER_YEAR: Final = 365.2425
_SEQUENCES_PER_SEX: Final = 500
# Third children only became allowed with the three-child policy of 31 May 2021.
_THREE_CHILD_POLICY: Final = datetime.date(2021, 6, 1).toordinal()
# Urban couples could only have a second child from 单独二孩 (2014) on.
_TWO_CHILD_POLICY: Final = datetime.date(2014, 1, 1).toordinal()
# Share of otherwise expected births that happened, by year: Shandong's births fell from
# about 1.75 million in 2017 to well under half of that in the 2020s.
_BIRTHS_KEPT_FROM: Final = 2018
_BIRTHS_KEPT: Final = (0.85, 0.8, 0.7, 0.6, 0.55, 0.5, 0.52)


class IdNumberAllocator:
    """Hands out GB 11643 numbers that never repeat, in constant memory for any population."""

    def __init__(self, regions: Sequence[str], today: datetime.date) -> None:
        """Prepare one counter per (region, day from 1900-01-01 to today, sex)."""
        self._regions = {region: index for index, region in enumerate(regions)}
        self._first_ord = _EARLIEST_BIRTH_DATE.toordinal()
        self._last_ord = today.toordinal()
        self._days = self._last_ord - self._first_ord + 1
        if self._days <= 0:
            raise ValueError("today must not be before 1900-01-01")
        # 2 bytes per counter: about 4 MB for 24 regions, whatever the population size.
        self._used = array("H", [0]) * (len(regions) * self._days * 2)

    def allocate(self, region: str, birth_ord: int, sex: str) -> tuple[str, int]:
        """Return an unused number and its birth ordinal, moved off birth_ord only if full."""
        region_index = self._regions[region]
        birth_ord = min(max(birth_ord, self._first_ord), self._last_ord)
        male = 1 if sex == "M" else 0
        # Walk back a day at a time (then forward from the start) until a day has room:
        # 500 numbers per sex and day are rarely exhausted, but uniqueness must not depend on it.
        candidates = itertools.chain(
            range(birth_ord, self._first_ord - 1, -1),
            range(birth_ord + 1, self._last_ord + 1),
        )
        for day_ord in candidates:
            slot = ((region_index * self._days) + day_ord - self._first_ord) * 2 + male
            used = self._used[slot]
            if used < _SEQUENCES_PER_SEX:
                self._used[slot] = used + 1
                # Real sequence codes are spread over police-station ranges, not counted
                # from 001; 211 is coprime to 500, so the mapping stays one-to-one per day.
                sequence = (used * 211 + day_ord * 7 + region_index * 31) % _SEQUENCES_PER_SEX
                day = datetime.date.fromordinal(day_ord)
                first17 = f"{region}{day:%Y%m%d}{2 * sequence + male:03d}"
                return first17 + id_number_check_digit(first17), day_ord
        raise ValueError(f"no ID numbers left for region {region} and sex {sex}")


class _Weighted[T]:
    """Picks items with fixed relative weights from a caller-supplied random.Random."""

    __slots__ = ("_cumulative", "_items", "_total")

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        """Store the items and their cumulative weights."""
        self._items = [item for item, _ in pairs]
        self._cumulative = list(itertools.accumulate(weight for _, weight in pairs))
        self._total = self._cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        """Return one item, each with probability proportional to its weight."""
        return self._items[bisect.bisect_right(self._cumulative, rng.random() * self._total)]


# Weights roughly follow the national surname ranking with 孙/孔/颜/于 raised for Shandong.
_SURNAMES: Final = _Weighted(
    [
        ("王", 7.4), ("李", 7.2), ("张", 7.0), ("刘", 5.5), ("陈", 3.0), ("杨", 2.8),
        ("赵", 2.3), ("黄", 1.5), ("周", 1.6), ("吴", 1.4), ("徐", 1.4), ("孙", 1.8),
        ("胡", 1.0), ("朱", 1.0), ("高", 1.2), ("林", 0.7), ("何", 0.6), ("郭", 1.0),
        ("马", 1.0), ("罗", 0.5), ("梁", 0.6), ("宋", 0.9), ("郑", 0.5), ("谢", 0.4),
        ("韩", 0.7), ("唐", 0.4), ("冯", 0.5), ("于", 0.9), ("董", 0.6), ("程", 0.4),
        ("曹", 0.6), ("袁", 0.4), ("邓", 0.3), ("许", 0.5), ("彭", 0.3), ("吕", 0.4),
        ("苏", 0.3), ("卢", 0.3), ("蒋", 0.3), ("蔡", 0.2), ("贾", 0.4), ("丁", 0.4),
        ("魏", 0.4), ("薛", 0.3), ("褚", 0.3), ("孔", 0.4), ("颜", 0.3), ("田", 0.4),
        ("任", 0.4), ("姜", 0.4), ("崔", 0.4), ("秦", 0.3), ("侯", 0.3), ("邵", 0.3),
        ("史", 0.3), ("石", 0.3), ("闫", 0.3), ("孟", 0.3), ("倪", 0.2), ("葛", 0.2),
    ]
)  # fmt: skip


def _names(text: str) -> tuple[str, ...]:
    """Return the space-separated given names in text."""
    return tuple(text.split())


# Given names by (birth year bound, sex): fashions changed a lot from 建国 to 梓涵.
_GIVEN_NAMES: Final[tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...]] = (
    (
        1960,
        _names(
            "建国 建华 国强 国庆 志强 德福 长林 振华 文忠 玉田 树林 广田 保国 庆祥 同福 "
            "德胜 洪斌 宝山 明 忠 福田 广才 金山 士杰 兆明"
        ),
        _names(
            "秀英 桂英 玉兰 淑珍 凤英 秀兰 桂兰 玉珍 淑英 秀珍 玉梅 素芳 兰英 翠花 桂芝 "
            "凤兰 秀芝 玉芳 金凤 春兰 秀云 桂荣 玉华 淑兰 素英"
        ),
    ),
    (
        1980,
        _names(
            "建军 卫东 红军 海涛 志刚 军 勇 伟 刚 强 斌 磊 建平 立新 永强 学军 春生 庆华 "
            "洪波 东升 新民 卫国 宪军 广明 传海"
        ),
        _names(
            "红梅 丽 静 敏 艳 娟 霞 燕 丽娟 红霞 秀云 春燕 海燕 晓红 卫红 桂香 艳玲 "
            "丽萍 玉霞 红英 凤霞 爱华 美玲 素梅 雪梅"
        ),
    ),
    (
        2000,
        _names(
            "伟 磊 鹏 超 涛 浩 杰 帅 亮 明 凯 健 晓东 海龙 文博 俊杰 志伟 鹏飞 建伟 "
            "振宇 天宇 金龙 晨 家乐 子健"
        ),
        _names(
            "婷婷 丽丽 晓燕 倩 静 雪 丹 慧 颖 晶 璐 萌萌 佳 莉 蕾 晓丽 梦 媛媛 欣 "
            "露露 琳 文静 晓雪 雅琪 晓萌"
        ),
    ),
    (
        2013,
        _names(
            "浩然 宇航 子豪 俊豪 浩宇 博文 家豪 文轩 一鸣 泽宇 俊熙 子轩 皓轩 晨阳 天佑 "
            "明轩 鑫 昊 宇 瑞 嘉豪 思远 旭 子涵 博"
        ),
        _names(
            "欣怡 梓涵 雨萱 佳怡 诗涵 可馨 紫涵 思琪 雨涵 一诺 梦瑶 语嫣 佳琪 心怡 欣然 "
            "雨桐 若曦 静怡 晓彤 悦 佳欣 雨欣 梦琪 诗雨 馨月"
        ),
    ),
    (
        10_000,
        _names(
            "沐宸 浩宇 梓睿 一诺 子墨 宇泽 梓豪 奕辰 锦程 睿泽 宸睿 景行 承泽 铭泽 子谦 "
            "煜 宸 祺 硕 沐阳 安哲 君浩 梓轩 亦辰 俊宇"
        ),
        _names(
            "一诺 依诺 梓涵 语桐 欣妍 可欣 若汐 芷若 沐晴 梓萱 语汐 悠然 安然 思彤 诗琪 "
            "雨桐 书瑶 妍 汐 苒 知夏 沐希 清欢 婉清 星冉"
        ),
    ),
)

_STREETS: Final = ("东街", "西街", "南街", "北街", "前街", "后街", "中心街")
_UNITS_PER_BUILDING: Final = 3
_FLOORS_PER_BUILDING: Final = 6
_ROOMS_PER_FLOOR: Final = 2
_FLATS_PER_BUILDING: Final = _UNITS_PER_BUILDING * _FLOORS_PER_BUILDING * _ROOMS_PER_FLOOR

_MOBILE_PREFIXES: Final = _names(
    "134 135 136 137 138 139 147 150 151 152 157 158 159 178 182 183 184 187 188 198 "
    "130 131 132 155 156 166 175 176 185 186 133 153 173 177 180 181 189 191 199"
)
# Odd and not a multiple of 5, hence coprime to 10**8: key -> suffix is a bijection.
_PHONE_STRIDE: Final = 61_803_397
_PHONE_SUFFIXES: Final = 10**8

# Household shapes and their share of households (not persons), tuned so that the persons
# form a 2020s Shandong town pyramid: median age about 40, few children under 10.
_HOUSEHOLD_KINDS: Final = _Weighted(
    [
        ("single_young", 0.07),
        ("single_middle", 0.04),
        ("single_elderly", 0.09),
        ("couple_young", 0.04),
        ("couple_empty_nest", 0.20),
        ("nuclear", 0.38),
        ("three_generation", 0.14),
        ("single_parent", 0.04),
    ]
)

# Chance that a household of each shape is floating (registered elsewhere): young migrant
# workers and their families dominate, which gives about 9 % of persons.
_FLOATING_SHARE: Final = {
    "single_young": 0.35,
    "single_middle": 0.10,
    "single_elderly": 0.01,
    "couple_young": 0.30,
    "couple_empty_nest": 0.015,
    "nuclear": 0.12,
    "three_generation": 0.03,
    "single_parent": 0.06,
}

_EMPTY_NEST_AGES: Final = _Weighted(
    [((48.0, 60.0), 0.35), ((60.0, 70.0), 0.33), ((70.0, 80.0), 0.22), ((80.0, 92.0), 0.10)]
)
_FAMILY_AGES: Final = _Weighted([((25.0, 35.0), 0.25), ((35.0, 50.0), 0.52), ((50.0, 58.0), 0.23)])
_ELDERLY_AGES: Final = _Weighted([((65.0, 75.0), 0.40), ((75.0, 85.0), 0.42), ((85.0, 98.0), 0.18)])


def _years(years: float) -> int:
    """Return the number of days in years (calendar average)."""
    return round(years * _DAYS_PER_YEAR)


_HUSBAND_MIN_DAYS: Final = math.ceil(22 * _DAYS_PER_YEAR)
_WIFE_MIN_DAYS: Final = math.ceil(20 * _DAYS_PER_YEAR)


@dataclass(slots=True, eq=False)
class _Draft:
    """A household member before keys and ID numbers are assigned (compared by identity)."""

    relation: str
    sex: str
    birth_ord: int
    surname: str
    marital: str
    ethnicity: str
    region: str
    father: _Draft | None = None
    mother: _Draft | None = None
    wife: _Draft | None = None
    marriage_ord: int = 0
    key: int = -1


def _legal_wedding_ord(husband: _Draft, wife: _Draft) -> int:
    """Return the first day on which he was 22 and she 20."""
    return max(husband.birth_ord + _HUSBAND_MIN_DAYS, wife.birth_ord + _WIFE_MIN_DAYS)


def _settle_marital_status(members: list[_Draft]) -> None:
    """Leave "married" only on members whose spouse is present; others become divorced/widowed."""
    present = {id(member) for member in members}
    for member in members:
        if member.wife is not None and id(member.wife) not in present:
            member.wife = None
    married = {id(member) for member in members if member.wife is not None}
    married |= {id(member.wife) for member in members if member.wife is not None}
    for member in members:
        if member.marital == MARITAL_MARRIED and id(member) not in married:
            # Only the last household is ever trimmed; its missing spouse is taken to be gone.
            if member.relation == RELATION_PARENT:
                member.marital = MARITAL_WIDOWED
            else:
                member.marital = MARITAL_DIVORCED


def _coprime_stride(capacity: int) -> int:
    """Return a stride near capacity / golden ratio that shares no factor with capacity."""
    stride = max(1, round(capacity * 0.618))
    while math.gcd(stride, capacity) != 1:
        stride += 1
    return stride


class _Generator:
    """Random state and counters shared by all households of one population."""

    def __init__(self, n_persons: int, n_communities: int, seed: int, today: datetime.date) -> None:
        """Prepare the random source, the ID allocator and one address space per community."""
        self.rng = random.Random(seed)
        self.today_ord = today.toordinal()
        self.communities = _Weighted(
            [(index, _COMMUNITY_WEIGHTS[index]) for index in range(n_communities)]
        )
        self.ids = IdNumberAllocator(
            [DISTRICT_CODE, *(code for code, _ in FLOATING_ORIGIN_COUNTIES)], today
        )
        self.phone_offset = self.rng.randrange(_PHONE_SUFFIXES)
        self.next_person_key = 0
        self.next_household_key = 0
        self.households_in_community = [0] * n_communities
        self.address_spaces: list[tuple[int, int, int]] = []
        weight_total = sum(_COMMUNITY_WEIGHTS[:n_communities])
        for index in range(n_communities):
            # About 2.4 persons per household; 30 % headroom keeps nearly every household
            # inside the scrambled range, so small and large populations both look natural.
            expected = n_persons / 2.4 * _COMMUNITY_WEIGHTS[index] / weight_total
            if COMMUNITIES[index].kind == "community":
                buildings = max(8, math.ceil(expected * 1.3 / _FLATS_PER_BUILDING))
                capacity = buildings * _FLATS_PER_BUILDING
            else:
                capacity = max(40, math.ceil(expected * 1.3 / len(_STREETS))) * len(_STREETS)
            self.address_spaces.append(
                (capacity, _coprime_stride(capacity), self.rng.randrange(capacity))
            )

    # -- dates ------------------------------------------------------------------------------

    def birth_ord_for_age(self, age: float) -> int:
        """Return the birth ordinal of someone exactly age years old today."""
        return self.today_ord - _years(age)

    def age_of(self, birth_ord: int) -> float:
        """Return the age in years today of someone born on birth_ord."""
        return (self.today_ord - birth_ord) / _DAYS_PER_YEAR

    def age_in(self, bands: _Weighted[tuple[float, float]]) -> float:
        """Return an age drawn uniformly from a band picked by weight."""
        return self.rng.uniform(*bands.pick(self.rng))

    def sex(self, male_share: float) -> str:
        """Return "M" with probability male_share, else "F"."""
        return "M" if self.rng.random() < male_share else "F"

    def wed(self, husband: _Draft, wife: _Draft, latest: int) -> None:
        """Marry the two drafts on a day at legal age, by latest if their ages allow it."""
        earliest = _legal_wedding_ord(husband, wife)
        wanted = wife.birth_ord + _years(self.rng.triangular(21.0, 32.0, 24.5))
        if wanted > latest:
            # She is younger than the age drawn: they married somewhere in the years available.
            wanted = self.rng.randint(earliest, latest) if earliest < latest else earliest
        husband.wife = wife
        husband.marriage_ord = max(earliest, wanted)
        husband.marital = wife.marital = MARITAL_MARRIED

    # -- people -----------------------------------------------------------------------------

    def adult(self, relation: str, sex: str, age: float, marital: str, origin: _Draft) -> _Draft:
        """Return a draft of the given age with a fresh surname and origin's ethnicity/region."""
        return _Draft(
            relation=relation,
            sex=sex,
            birth_ord=self.birth_ord_for_age(age),
            surname=_SURNAMES.pick(self.rng),
            marital=marital,
            ethnicity=origin.ethnicity,
            region=origin.region,
        )

    def couple(self, husband_age: float, template: _Draft, spouse_region: str) -> list[_Draft]:
        """Return [head, spouse] of a married couple; the husband is head 88 % of the time."""
        rng = self.rng
        husband_is_head = rng.random() < 0.88
        husband = self.adult(
            RELATION_HEAD if husband_is_head else RELATION_SPOUSE,
            "M",
            max(22.5, husband_age),
            MARITAL_MARRIED,
            template,
        )
        wife_age = max(20.6, husband_age - rng.triangular(-2.0, 6.0, 2.0))
        wife = self.adult(
            RELATION_SPOUSE if husband_is_head else RELATION_HEAD,
            "F",
            wife_age,
            MARITAL_MARRIED,
            template,
        )
        wife.region = spouse_region
        if template.ethnicity != ETHNICITY_HAN and rng.random() < 0.3:
            wife.ethnicity = ETHNICITY_HAN
        self.wed(husband, wife, self.today_ord)
        return [husband, wife] if husband_is_head else [wife, husband]

    def children(
        self,
        father: _Draft | None,
        mother: _Draft | None,
        mother_birth_ord: int,
        not_before: int,
        rural: bool,
        surname: str,
    ) -> list[_Draft]:
        """Return the children still at home, oldest first, born after not_before, by today."""
        rng = self.rng
        origin = father if father is not None else mother
        if origin is None:
            raise ValueError("children need at least one parent in the household")
        mother_birth_year = datetime.date.fromordinal(mother_birth_ord).year
        latest_birth = min(self.today_ord, mother_birth_ord + _years(43))
        first = max(
            mother_birth_ord + _years(rng.triangular(21.5, 34.0, 25.5)),
            not_before + rng.randint(300, 800),
        )
        if first > latest_birth:
            return []
        births = [(first, self.sex(0.52))]
        second = first + _years(rng.uniform(1.6, 8.0))
        if mother_birth_year < 1965:
            wants_second = rng.random() < 0.5
        elif rural:
            # Shandong's rural 一孩半 rule allowed a second child after a first daughter.
            wants_second = rng.random() < (0.7 if births[0][1] == "F" else 0.35)
        else:
            # Urban couples had to wait for 单独二孩 (2014) / 全面二孩 (2016).
            wants_second = rng.random() < (0.35 if mother_birth_year >= 1980 else 0.1)
            second = max(second, _TWO_CHILD_POLICY + rng.randint(0, 4 * 365))
        if wants_second and second <= latest_birth:
            births.append((second, self.sex(0.52)))
            third = max(
                second + _years(rng.uniform(1.5, 5.0)),
                _THREE_CHILD_POLICY + rng.randint(0, 3 * 365),
            )
            if mother_birth_year >= 1982 and rng.random() < 0.12 and third <= latest_birth:
                births.append((third, self.sex(0.52)))
        kids: list[_Draft] = []
        for birth_ord, sex in births:
            year = datetime.date.fromordinal(birth_ord).year
            if year >= _BIRTHS_KEPT_FROM:
                kept = _BIRTHS_KEPT[min(year - _BIRTHS_KEPT_FROM, len(_BIRTHS_KEPT) - 1)]
                if rng.random() >= kept:
                    break  # a birth that did not happen is not followed by later ones
            age = self.age_of(birth_ord)
            # Grown children mostly have homes of their own (other households stand for them).
            stays = 1.0 if age < 18 else 0.85 if age < 22 else 0.5 if age < 27 else 0.12
            if age >= 32 or rng.random() >= stays:
                continue
            kids.append(
                _Draft(
                    relation=RELATION_SON if sex == "M" else RELATION_DAUGHTER,
                    sex=sex,
                    birth_ord=birth_ord,
                    surname=surname,
                    marital=MARITAL_UNMARRIED,
                    ethnicity=origin.ethnicity,
                    region=origin.region,
                    father=father,
                    mother=mother,
                )
            )
        return kids

    def grandparents(self, head: _Draft) -> list[_Draft]:
        """Return one or both living parents of head, married to each other if both."""
        rng = self.rng
        head_age = self.age_of(head.birth_ord)
        father_age = head_age + rng.triangular(23.0, 34.0, 26.0)
        mother_age = max(head_age + 21.0, father_age - rng.triangular(-1.0, 5.0, 2.0))
        draw = rng.random()
        father = mother = None
        # Widowed grandmothers outnumber widowed grandfathers, as women live longer.
        if draw < 0.5 or draw >= 0.85:
            father = self.adult(RELATION_PARENT, "M", father_age, MARITAL_WIDOWED, head)
            father.surname = head.surname
        if draw < 0.85:
            mother = self.adult(RELATION_PARENT, "F", mother_age, MARITAL_WIDOWED, head)
        if father is not None and mother is not None:
            self.wed(father, mother, head.birth_ord - 300)
        head.father, head.mother = father, mother
        return [parent for parent in (father, mother) if parent is not None]

    # -- households -------------------------------------------------------------------------

    def single(self, kind: str, template: _Draft) -> list[_Draft]:
        """Return the one member of a single-person household."""
        rng = self.rng
        if kind == "single_young":
            sex, age, marital = self.sex(0.6), rng.uniform(20.0, 35.0), MARITAL_UNMARRIED
        elif kind == "single_middle":
            sex, age = self.sex(0.6), rng.uniform(35.0, 65.0)
            marital = MARITAL_DIVORCED if rng.random() < 0.6 else MARITAL_UNMARRIED
        else:
            sex, age, marital = self.sex(0.3), self.age_in(_ELDERLY_AGES), MARITAL_WIDOWED
        return [self.adult(RELATION_HEAD, sex, age, marital, template)]

    def single_parent(self, template: _Draft, rural: bool) -> list[_Draft]:
        """Return a divorced or widowed head with the children living with them."""
        rng = self.rng
        sex = self.sex(0.35)
        marital = MARITAL_DIVORCED if rng.random() < 0.75 else MARITAL_WIDOWED
        head = self.adult(RELATION_HEAD, sex, rng.uniform(30.0, 55.0), marital, template)
        # The absent parent is taken to be two years older (father) or younger (mother).
        if sex == "F":
            mother_birth_ord, father_birth_ord = head.birth_ord, head.birth_ord - _years(2)
            surname = _SURNAMES.pick(rng)  # children keep the absent father's surname
        else:
            mother_birth_ord, father_birth_ord = head.birth_ord + _years(2), head.birth_ord
            surname = head.surname
        not_before = max(father_birth_ord + _HUSBAND_MIN_DAYS, mother_birth_ord + _WIFE_MIN_DAYS)
        kids = self.children(
            head if sex == "M" else None,
            head if sex == "F" else None,
            mother_birth_ord,
            not_before,
            rural,
            surname,
        )
        return [head, *kids]

    def family(self, kind: str, template: _Draft, spouse_region: str, rural: bool) -> list[_Draft]:
        """Return a married couple, then their children at home, then the head's parents."""
        rng = self.rng
        if kind == "couple_young":
            members = self.couple(rng.uniform(23.0, 33.0), template, spouse_region)
            husband, wife = members if members[0].sex == "M" else reversed(members)
            # Married within the last three years and no children yet.
            husband.marriage_ord = max(
                _legal_wedding_ord(husband, wife), self.today_ord - rng.randint(30, 3 * 365)
            )
            return members
        if kind == "couple_empty_nest":
            return self.couple(self.age_in(_EMPTY_NEST_AGES), template, spouse_region)
        # Three-generation households are younger couples living with the head's parents.
        husband_age = self.age_in(_FAMILY_AGES) if kind == "nuclear" else rng.uniform(27.0, 48.0)
        members = self.couple(husband_age, template, spouse_region)
        husband, wife = members if members[0].sex == "M" else reversed(members)
        surname = husband.surname if rng.random() < 0.95 else wife.surname
        members += self.children(
            husband, wife, wife.birth_ord, husband.marriage_ord, rural, surname
        )
        if kind == "three_generation":
            members += self.grandparents(members[0])
        return members

    def household(self, remaining: int) -> DemoHouseholdBundle:
        """Return the next household, holding between 1 and remaining persons."""
        rng = self.rng
        kind = _HOUSEHOLD_KINDS.pick(rng)
        community_index = self.communities.pick(rng)
        is_floating = rng.random() < _FLOATING_SHARE[kind]
        if is_floating:
            region = FLOATING_ORIGIN_COUNTIES[rng.randrange(len(FLOATING_ORIGIN_COUNTIES))][0]
            spouse_region = region
            if rng.random() < 0.3:
                spouse_region = rng.choice(FLOATING_ORIGIN_COUNTIES)[0]
            rural = rng.random() < 0.7
        else:
            region = spouse_region = DISTRICT_CODE
            in_village = COMMUNITIES[community_index].kind == "village"
            rural = rng.random() < (0.92 if in_village else 0.15)
        ethnicity = ETHNICITY_HUI if rng.random() < 0.012 else ETHNICITY_HAN
        # The template only carries the household's ethnicity and registration region.
        template = _Draft("", "", 0, "", "", ethnicity, region)
        if kind.startswith("single_"):
            members = self.single(kind, template)
        elif kind == "single_parent":
            members = self.single_parent(template, rural)
        else:
            members = self.family(kind, template, spouse_region, rural)
        # Trim to the exact total: members run head, spouse, children (youngest last),
        # grandparents, so cutting the tail drops grandparents, then the youngest children,
        # then the spouse, and never the head.
        del members[remaining:]
        _settle_marital_status(members)
        return self.realise(members, community_index, is_floating, rural)

    def realise(
        self, members: list[_Draft], community_index: int, is_floating: bool, rural: bool
    ) -> DemoHouseholdBundle:
        """Turn drafts into persons with keys, unique ID numbers, names and phones."""
        household_key = self.next_household_key
        self.next_household_key += 1
        address = self.address(community_index)
        hukou_type = "rural" if rural else "urban"
        persons: list[DemoPerson] = []
        names: set[str] = set()
        for member in members:
            member.key = self.next_person_key
            self.next_person_key += 1
            id_number, member.birth_ord = self.ids.allocate(
                member.region, member.birth_ord, member.sex
            )
            name = member.surname + self.given_name(member.sex, member.birth_ord)
            for _ in range(5):
                if name not in names:
                    break
                # Two members of one household never share a full name if it can be helped.
                name = member.surname + self.given_name(member.sex, member.birth_ord)
            names.add(name)
            persons.append(
                DemoPerson(
                    key=member.key,
                    name=name,
                    sex=member.sex,
                    birth_date=datetime.date.fromordinal(member.birth_ord),
                    id_number=id_number,
                    phone=self.phone(member.key, self.age_of(member.birth_ord)),
                    community_index=community_index,
                    address=address,
                    hukou_type=hukou_type,
                    is_floating=is_floating,
                    household_key=household_key,
                    relation_to_head=member.relation,
                    marital_status=member.marital,
                    ethnicity=member.ethnicity,
                )
            )
        marriages = tuple(
            DemoMarriage(
                husband_key=member.key,
                wife_key=member.wife.key,
                # The allocator may have moved a birth date by a day; stay at legal age.
                date=datetime.date.fromordinal(
                    max(member.marriage_ord, _legal_wedding_ord(member, member.wife))
                ),
            )
            for member in members
            if member.wife is not None
        )
        parent_links = tuple(
            DemoParentLink(parent_key=parent.key, child_key=member.key)
            for member in members
            for parent in (member.father, member.mother)
            if parent is not None and parent in members
        )
        household = DemoHousehold(
            key=household_key,
            community_index=community_index,
            address=address,
            head_key=members[0].key,
        )
        return DemoHouseholdBundle(household, tuple(persons), marriages, parent_links)

    def address(self, community_index: int) -> str:
        """Return an address in the community that no earlier household received."""
        community = COMMUNITIES[community_index]
        capacity, stride, offset = self.address_spaces[community_index]
        counter = self.households_in_community[community_index]
        self.households_in_community[community_index] = counter + 1
        # A stride coprime to capacity permutes the slots, so households spread over the
        # whole community; slots past capacity are used in order and cannot collide.
        slot = (counter * stride + offset) % capacity if counter < capacity else counter
        if community.kind == "community":
            building, flat = divmod(slot, _FLATS_PER_BUILDING)
            unit, flat_in_unit = divmod(flat, _FLOORS_PER_BUILDING * _ROOMS_PER_FLOOR)
            floor, room = divmod(flat_in_unit, _ROOMS_PER_FLOOR)
            return (
                f"{STREET_NAME}{community.name}{building + 1}号楼{unit + 1}单元"
                f"{floor + 1}{room + 1:02d}室"
            )
        number, street = divmod(slot, len(_STREETS))
        return f"{STREET_NAME}{community.name}{_STREETS[street]}{number + 1}号"

    def given_name(self, sex: str, birth_ord: int) -> str:
        """Return a given name that was fashionable in the birth year."""
        year = datetime.date.fromordinal(birth_ord).year
        for bound, male_names, female_names in _GIVEN_NAMES:
            if year < bound:
                return self.rng.choice(male_names if sex == "M" else female_names)
        raise AssertionError("the last bound covers every year")

    def phone(self, key: int, age: float) -> str:
        """Return a mobile number no other key gets, or "" for people without one."""
        share = 0.0 if age < 12 else 0.4 if age < 18 else 0.95 if age < 80 else 0.55
        if self.rng.random() >= share:
            return ""
        suffix = (key * _PHONE_STRIDE + self.phone_offset) % _PHONE_SUFFIXES
        return f"{self.rng.choice(_MOBILE_PREFIXES)}{suffix:08d}"


def generate_population(
    n_persons: int,
    *,
    n_communities: int,
    seed: int = 2014,
    today: datetime.date,
) -> Iterator[DemoHouseholdBundle]:
    """Yield households with exactly n_persons persons in all, identical for identical args."""
    if n_persons < 0:
        raise ValueError("n_persons must not be negative")
    if not 1 <= n_communities <= len(COMMUNITIES):
        raise ValueError(f"n_communities must be between 1 and {len(COMMUNITIES)}")
    if today < _EARLIEST_TODAY:
        raise ValueError("today must not be before 2000-01-01")
    generator = _Generator(n_persons, n_communities, seed, today)
    remaining = n_persons
    while remaining > 0:
        bundle = generator.household(remaining)
        remaining -= len(bundle.persons)
        yield bundle
