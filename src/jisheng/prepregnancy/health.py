"""What a checkup, a follow-up and an outcome record hold, and how it is kept in the encrypted
JSON fields. Definitions follow the national free pre-pregnancy check protocol (19 items)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from jisheng.core.errors import JishengError

WIFE, HUSBAND, BOTH = "wife", "husband", "both"


@dataclass(frozen=True)
class Item:
    code: str
    label: str | Promise
    applies_to: str = BOTH

    def applies(self, spouse: str) -> bool:
        return self.applies_to in (BOTH, spouse)


SERVICE_ITEMS: tuple[Item, ...] = (
    Item("education", _("Health education")),
    Item("history", _("Medical history")),
    Item("physical", _("Physical examination")),
    Item("laboratory", _("Laboratory tests")),
    Item("ultrasound", _("Gynaecological ultrasound"), WIFE),
    Item("risk_assessment", _("Risk assessment")),
    Item("counselling", _("Counselling and advice")),
)
SERVICE_ITEM_CODES = frozenset(item.code for item in SERVICE_ITEMS)

NEGATIVE, POSITIVE = "negative", "positive"
RESULT_CHOICES: tuple[tuple[str, str | Promise], ...] = (
    (NEGATIVE, _("Negative")),
    (POSITIVE, _("Positive")),
)


@dataclass(frozen=True)
class LabTest:
    code: str
    label: str | Promise
    choices: tuple[tuple[str, str | Promise], ...]
    applies_to: str = BOTH
    # The value that calls for attention in the risk assessment, if any.
    abnormal: frozenset[str] = frozenset()

    def applies(self, spouse: str) -> bool:
        return self.applies_to in (BOTH, spouse)


LAB_TESTS: tuple[LabTest, ...] = (
    LabTest("blood_type", _("ABO blood type"), (("A", "A"), ("B", "B"), ("AB", "AB"), ("O", "O"))),
    LabTest(
        "rh",
        _("Rh blood type"),
        (("positive", _("Rh positive")), ("negative", _("Rh negative"))),
        abnormal=frozenset({"negative"}),
    ),
    LabTest(
        "hbsag", _("Hepatitis B surface antigen"), RESULT_CHOICES, abnormal=frozenset({POSITIVE})
    ),
    LabTest("syphilis", _("Syphilis screen"), RESULT_CHOICES, abnormal=frozenset({POSITIVE})),
    LabTest(
        "rubella_igg",
        _("Rubella IgG antibody"),
        RESULT_CHOICES,
        WIFE,
        # No antibody: she is susceptible and should be vaccinated before conceiving.
        abnormal=frozenset({NEGATIVE}),
    ),
    LabTest(
        "toxoplasma_igm",
        _("TORCH: toxoplasma IgM"),
        RESULT_CHOICES,
        WIFE,
        abnormal=frozenset({POSITIVE}),
    ),
    LabTest(
        "cmv_igm",
        _("TORCH: cytomegalovirus IgM"),
        RESULT_CHOICES,
        WIFE,
        abnormal=frozenset({POSITIVE}),
    ),
    LabTest(
        "ultrasound",
        _("Gynaecological ultrasound"),
        (("normal", _("Normal")), ("abnormal", _("Abnormal"))),
        WIFE,
        abnormal=frozenset({"abnormal"}),
    ),
)
LAB_TEST_BY_CODE = {test.code: test for test in LAB_TESTS}

HISTORY_FIELDS: tuple[tuple[str, str | Promise], ...] = (
    ("pregnancies", _("Pregnancies")),
    ("births", _("Births")),
    ("miscarriages", _("Miscarriages")),
    ("induced", _("Induced terminations")),
    ("stillbirths", _("Stillbirths")),
    ("birth_defects", _("Children with a birth defect")),
)


def _refuse(message: str | Promise) -> JishengError:
    return JishengError(message, code="invalid_health_record")


@dataclass
class ReproductiveHistory:
    """The wife's reproductive history (孕产史), counts of each kind."""

    pregnancies: int = 0
    births: int = 0
    miscarriages: int = 0
    induced: int = 0
    stillbirths: int = 0
    birth_defects: int = 0
    note: str = ""

    def check(self) -> None:
        counts = [getattr(self, name) for name, _label in HISTORY_FIELDS]
        if any(not isinstance(n, int) or n < 0 or n > 30 for n in counts):
            raise _refuse(_("Reproductive history counts are whole numbers from 0 to 30."))
        ended = self.births + self.miscarriages + self.induced + self.stillbirths
        if ended > self.pregnancies:
            raise _refuse(_("More pregnancies ended than were recorded."))
        if len(self.note) > 500:
            raise _refuse(_("The note is longer than 500 characters."))


@dataclass
class CheckupData:
    """What a worker records for one spouse's checkup (pages and API build the same object)."""

    institution: str
    date: dt.date
    items: list[str] = field(default_factory=list)
    results: dict[str, str] = field(default_factory=dict)
    history: ReproductiveHistory | None = None
    risk_level: str = "general"
    risk_factor_codes: list[str] = field(default_factory=list)
    risk_note: str = ""
    advice: str = ""

    def check(self, spouse: str) -> None:
        """Refuse anything a checkup of ``spouse`` cannot hold."""
        self.institution = self.institution.strip()
        if not self.institution or len(self.institution) > 100:
            raise _refuse(_("Give the institution (at most 100 characters)."))
        unknown = set(self.items) - SERVICE_ITEM_CODES
        if unknown:
            raise _refuse(_("Unknown service item."))
        if any(not _item(code).applies(spouse) for code in self.items):
            raise _refuse(_("This service item is only for the wife."))
        for code, value in self.results.items():
            test = LAB_TEST_BY_CODE.get(code)
            if test is None or not test.applies(spouse):
                raise _refuse(_("This laboratory test does not apply to this spouse."))
            if value not in {choice for choice, _label in test.choices}:
                raise _refuse(_("A laboratory result has a value that is not allowed."))
        if self.history is not None:
            if spouse != WIFE:
                raise _refuse(_("Reproductive history is recorded for the wife."))
            self.history.check()
        if self.risk_level not in ("general", "high"):
            raise _refuse(_("Choose general population or high risk."))
        if self.risk_level == "high" and not (self.risk_factor_codes or self.risk_note.strip()):
            raise _refuse(_("A high-risk assessment names at least one risk factor."))
        if len(self.risk_note) > 500 or len(self.advice) > 2000:
            raise _refuse(_("The risk note or the advice is too long."))


def _item(code: str) -> Item:
    return next(item for item in SERVICE_ITEMS if item.code == code)


@dataclass
class EarlyFindings:
    """What the early-pregnancy follow-up found."""

    confirmed: bool = True
    weeks: int | None = None
    folic_acid: bool = False
    prenatal_booked: bool = False
    note: str = ""

    def check(self) -> None:
        if self.weeks is not None and not 1 <= self.weeks <= 42:
            raise _refuse(_("Weeks of pregnancy lie between 1 and 42."))
        if len(self.note) > 500:
            raise _refuse(_("The note is longer than 500 characters."))


@dataclass
class OutcomeDetails:
    """What the outcome follow-up found."""

    weeks: int | None = None
    birth_weight_g: int | None = None
    defect: str = ""
    note: str = ""

    def check(self) -> None:
        if self.weeks is not None and not 4 <= self.weeks <= 45:
            raise _refuse(_("Weeks of pregnancy at the outcome lie between 4 and 45."))
        if self.birth_weight_g is not None and not 200 <= self.birth_weight_g <= 7000:
            raise _refuse(_("Birth weight lies between 200 and 7000 grams."))
        if len(self.defect) > 200 or len(self.note) > 500:
            raise _refuse(_("The description is too long."))


def dump(value: Any) -> str:
    """JSON text for an encrypted field (dataclasses as dicts)."""
    if hasattr(value, "__dataclass_fields__"):
        value = asdict(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def load(text: str | None) -> Any:
    """The value kept in an encrypted JSON field (None when empty)."""
    return json.loads(text) if text else None


def history_from(data: dict[str, Any] | None) -> ReproductiveHistory | None:
    return ReproductiveHistory(**data) if data else None
