"""Eligibility rules as data: validated, compiled to one SQL condition, or explained for one person.

A rule is JSON made of
  {"all": [rule, ...]}   every part holds        {"any": [rule, ...]}   some part holds
  {"not": rule}          the part does not hold  {}                     always holds
  {"fact": "age", "op": ">=", "value": 60}       a test of one registry fact (see ``FACTS``)
Nothing in a rule is ever executed: unknown facts, operators or values are refused.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet, Value
from django.db.models.lookups import (
    Exact,
    GreaterThan,
    GreaterThanOrEqual,
    In,
    IsNull,
    LessThan,
    LessThanOrEqual,
    StartsWith,
)
from django.utils.translation import gettext as _

from jisheng.benefits.eligibility.dates import age_on, born_by_for_age
from jisheng.benefits.eligibility.facts import FACTS, Fact, Kind
from jisheng.core.errors import JishengError
from jisheng.registry.models import ParentLink, Person

Rule = dict[str, Any]

OPERATORS_BY_KIND: dict[Kind, tuple[str, ...]] = {
    Kind.AGE_YEARS: ("==", "!=", "<", "<=", ">", ">="),
    Kind.AGE_MONTHS: ("==", "!=", "<", "<=", ">", ">="),
    Kind.NUMBER: ("==", "!=", "<", "<=", ">", ">=", "in"),
    Kind.CHOICE: ("==", "!=", "in"),
    Kind.FLAG: ("==",),
    Kind.PREFIX: ("startswith",),
    Kind.PROGRAM: ("in",),
}

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda value, options: value in options,
    "startswith": lambda value, prefix: str(value).startswith(prefix),
}
_SHOWN = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}
_MAX_DEPTH = 8


class RuleError(JishengError):
    code = "invalid_rule"


def validate_rule(rule: Any, *, depth: int = 0) -> None:
    """Refuse anything that is not a well-formed rule, with a message saying where."""
    if not isinstance(rule, dict):
        raise RuleError(_("A rule must be an object."))
    if depth > _MAX_DEPTH:
        raise RuleError(_("The rule is nested too deeply."))
    if not rule:
        return
    if "all" in rule or "any" in rule:
        key = "all" if "all" in rule else "any"
        parts = rule[key]
        if set(rule) != {key} or not isinstance(parts, list) or not parts:
            raise RuleError(_("'%(key)s' needs a non-empty list of rules.") % {"key": key})
        for part in parts:
            validate_rule(part, depth=depth + 1)
        return
    if "not" in rule:
        if set(rule) != {"not"}:
            raise RuleError(_("'not' takes exactly one rule."))
        validate_rule(rule["not"], depth=depth + 1)
        return
    _validate_leaf(rule)


def _validate_leaf(rule: Rule) -> None:
    if set(rule) != {"fact", "op", "value"}:
        raise RuleError(_("A test needs exactly 'fact', 'op' and 'value'."))
    fact = FACTS.get(rule["fact"])
    if fact is None:
        raise RuleError(_("Unknown fact: %(fact)s.") % {"fact": rule["fact"]})
    op, value = rule["op"], rule["value"]
    if op not in OPERATORS_BY_KIND[fact.kind]:
        raise RuleError(
            _("Operator %(op)s cannot be used with %(fact)s.") % {"op": op, "fact": fact.label}
        )
    values = value if op == "in" else [value]
    if op == "in" and (not isinstance(value, list) or not value):
        raise RuleError(_("'in' needs a non-empty list of values."))
    for item in values:
        _validate_value(fact, item)


def _validate_value(fact: Fact, value: Any) -> None:
    ok: bool
    if fact.kind in {Kind.AGE_YEARS, Kind.AGE_MONTHS, Kind.NUMBER}:
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 1500
    elif fact.kind == Kind.CHOICE:
        ok = value in {code for code, _label in fact.choices}
    elif fact.kind == Kind.FLAG:
        ok = isinstance(value, bool)
    else:
        ok = isinstance(value, str) and 0 < len(value) <= 40
    if not ok:
        raise RuleError(
            _("%(value)s is not a valid value for %(fact)s.") % {"value": value, "fact": fact.label}
        )


# --- compiling to SQL ---------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledRule:
    """A rule on one day as SQL: a condition on ``registry.Person``, plus the aggregates
    (children facts) the condition refers to by alias; see :func:`grouped_ids`."""

    condition: Q
    aggregates: dict[str, Any] = field(default_factory=dict)


def grouped_ids(people: QuerySet[Person], *rules: CompiledRule) -> QuerySet[Any]:
    """``people`` as ids, grouped by id and carrying the rules' aggregates, ready to be
    filtered or annotated with the rules' conditions.

    The aggregates share one join of child links (Django reuses a multi-valued join
    within a query), so ``people`` must not already be filtered through ``child_links``:
    the counts would then see only the filtered children. Django puts the tests on the
    aggregates in ``HAVING`` and the rest in ``WHERE``. Aliases are named after the fact
    and the day, so rules compiled for the same day (a program's rule and its amount
    tiers) share them.
    """
    aggregates: dict[str, Any] = {}
    for rule in rules:
        aggregates |= rule.aggregates
    ids = people.order_by().values("pk")
    return ids.alias(**aggregates) if aggregates else ids


def compile_rule(rule: Rule, as_of: dt.date) -> CompiledRule:
    """The rule on ``as_of``: the person is born by then and the rule holds on that day."""
    validate_rule(rule)
    aggregates: dict[str, Any] = {}
    condition = Q(birth_date__lte=as_of) & _compile(rule, as_of, aggregates)
    return CompiledRule(condition=condition, aggregates=aggregates)


def persons_meeting(rule: Rule, as_of: dt.date, people: QuerySet[Person]) -> QuerySet[Any]:
    """The ids of ``people`` who meet ``rule`` on ``as_of``, for ``pk__in``: one query."""
    compiled = compile_rule(rule, as_of)
    if needs_a_child(rule):
        # Only parents can qualify. Saying so lets the database read just their rows:
        # SQLite otherwise scans every resident's row to group the child links.
        people = people.filter(pk__in=ParentLink.objects.values("parent_id"))
    return grouped_ids(people, compiled).filter(compiled.condition)


def needs_a_child(rule: Rule) -> bool:
    """Whether the rule can hold only for someone with a child on record.

    Sound, not complete: "yes" is always right, "no" may be said of a rule that does
    need a child (anything under "not", for one).
    """
    if not rule or "not" in rule:
        return False
    if "all" in rule:
        return any(needs_a_child(part) for part in rule["all"])
    if "any" in rule:
        return all(needs_a_child(part) for part in rule["any"])
    fact = FACTS[rule["fact"]]
    if not fact.about_children:
        return False
    # Without children a count is 0, and any other value missing, which fails every test.
    return fact.nullable or not _COMPARE[rule["op"]](0, rule["value"])


def _compile(rule: Rule, as_of: dt.date, aggregates: dict[str, Any]) -> Q:
    if not rule:
        return Q()
    if "all" in rule:
        combined = Q()
        for part in rule["all"]:
            combined &= _compile(part, as_of, aggregates)
        return combined
    if "any" in rule:
        parts = [_compile(part, as_of, aggregates) for part in rule["any"]]
        combined = parts[0]
        for part in parts[1:]:
            combined |= part
        return combined
    if "not" in rule:
        return ~_compile(rule["not"], as_of, aggregates)
    fact = FACTS[rule["fact"]]
    expression = fact.expression(as_of, rule["value"])
    if fact.aggregate:
        alias = f"fact_{fact.key}_{as_of:%Y%m%d}"
        aggregates[alias] = expression
        expression = F(alias)
    return _compile_leaf(fact, rule["op"], rule["value"], expression, as_of)


def _compile_leaf(fact: Fact, op: str, value: Any, expression: Any, as_of: dt.date) -> Q:
    if fact.kind == Kind.PROGRAM:
        return Q(expression)
    if fact.kind == Kind.FLAG:
        return Q(expression) if value else ~Q(expression)
    if fact.kind in {Kind.AGE_YEARS, Kind.AGE_MONTHS}:
        condition = _age_condition(expression, fact, op, value, as_of)
    elif op == "!=":
        condition = ~Q(Exact(expression, Value(value)))
    else:
        lookup = {
            "==": Exact,
            "<": LessThan,
            "<=": LessThanOrEqual,
            ">": GreaterThan,
            ">=": GreaterThanOrEqual,
            "in": In,
            "startswith": StartsWith,
        }[op]
        condition = Q(lookup(expression, value if op == "in" else Value(value)))
    if fact.nullable or op == "!=":
        # A missing value (no child, no disability record) never satisfies a test, and stays
        # false under "not" too: the explainer treats it the same way.
        condition &= Q(IsNull(expression, False))
    return condition


def _age_condition(birth: Any, fact: Fact, op: str, years: int, as_of: dt.date) -> Q:
    unit = "years" if fact.kind == Kind.AGE_YEARS else "months"

    def at_least(n: int) -> Q:
        return Q(LessThanOrEqual(birth, Value(born_by_for_age(as_of, n, unit))))

    def below(n: int) -> Q:
        return Q(GreaterThan(birth, Value(born_by_for_age(as_of, n, unit))))

    return {
        ">=": lambda: at_least(years),
        ">": lambda: at_least(years + 1),
        "<": lambda: below(years),
        "<=": lambda: below(years + 1),
        "==": lambda: at_least(years) & below(years + 1),
        "!=": lambda: below(years) | at_least(years + 1),
    }[op]()


# --- explaining for one person ------------------------------------------------------------


@dataclass
class Explanation:
    eligible: bool
    lines: list[dict[str, Any]] = field(default_factory=list)

    def failures(self) -> list[str]:
        return [line["text"] for line in self.lines if not line["ok"] and line["leaf"]]


def explain(rule: Rule, person: Person, as_of: dt.date) -> Explanation:
    """Whether ``person`` meets ``rule`` on ``as_of``, with one readable line per test.

    Agrees with :func:`compile_rule` by construction: each fact's value is read with the
    same SQL expression, then compared in Python with the same age cut-offs.
    """
    validate_rule(rule)
    explanation = Explanation(eligible=False)
    if person.birth_date > as_of:
        explanation.lines.append(
            {
                "text": _("Not met: not yet born on %(date)s") % {"date": as_of},
                "ok": False,
                "leaf": True,
                "depth": 0,
            }
        )
        return explanation
    values = _fact_values(rule, person, as_of)
    explanation.eligible = _explain(rule, values, as_of, explanation.lines, 0)
    return explanation


def _leaves(rule: Rule) -> list[Rule]:
    if not rule:
        return []
    if "all" in rule or "any" in rule:
        parts: list[Rule] = rule["all"] if "all" in rule else rule["any"]
        return [leaf for part in parts for leaf in _leaves(part)]
    if "not" in rule:
        return _leaves(rule["not"])
    return [rule]


def _leaf_key(leaf: Rule) -> str:
    return f"{leaf['fact']}|{leaf['value']!r}"


def _fact_values(rule: Rule, person: Person, as_of: dt.date) -> dict[str, Any]:
    """Every fact the rule tests, read for one person with the compiler's expressions."""
    leaves = {_leaf_key(leaf): leaf for leaf in _leaves(rule)}
    if not leaves:
        return {}
    aliases = {key: f"fact_{index}" for index, key in enumerate(leaves)}
    plain: dict[str, Any] = {}
    aggregated: dict[str, Any] = {}
    for key, leaf in leaves.items():
        fact = FACTS[leaf["fact"]]
        (aggregated if fact.aggregate else plain)[aliases[key]] = fact.expression(
            as_of, leaf["value"]
        )
    one = Person.objects.filter(pk=person.pk)
    found: dict[str, Any] = {}
    if plain:
        found |= one.annotate(**plain).values(*plain).first() or {}
    if aggregated:
        found |= one.aggregate(**aggregated)
    return {key: found.get(alias) for key, alias in aliases.items()}


def _explain(
    rule: Rule, values: dict[str, Any], as_of: dt.date, lines: list[dict[str, Any]], depth: int
) -> bool:
    if not rule:
        return True
    if "all" in rule or "any" in rule:
        key = "all" if "all" in rule else "any"
        lines.append(
            {
                "text": _("All of:") if key == "all" else _("At least one of:"),
                "ok": None,
                "leaf": False,
                "depth": depth,
            }
        )
        header = len(lines) - 1
        results = [_explain(part, values, as_of, lines, depth + 1) for part in rule[key]]
        outcome = all(results) if key == "all" else any(results)
        lines[header]["ok"] = outcome
        return outcome
    if "not" in rule:
        lines.append({"text": _("None of:"), "ok": None, "leaf": False, "depth": depth})
        header = len(lines) - 1
        outcome = not _explain(rule["not"], values, as_of, lines, depth + 1)
        lines[header]["ok"] = outcome
        return outcome
    fact = FACTS[rule["fact"]]
    raw = values.get(_leaf_key(rule))
    shown, ok = _judge(fact, rule["op"], rule["value"], raw, as_of)
    lines.append(
        {
            "text": _line(fact, rule["op"], rule["value"], shown, ok),
            "ok": ok,
            "leaf": True,
            "depth": depth,
        }
    )
    return ok


def _judge(fact: Fact, op: str, target: Any, raw: Any, as_of: dt.date) -> tuple[Any, bool]:
    if fact.kind in {Kind.AGE_YEARS, Kind.AGE_MONTHS}:
        unit = "years" if fact.kind == Kind.AGE_YEARS else "months"
        value = None if raw is None else age_on(raw, as_of, unit)
        return value, value is not None and _COMPARE[op](value, target)
    if fact.kind in {Kind.FLAG, Kind.PROGRAM}:
        value = bool(raw)
        return value, value == target if fact.kind == Kind.FLAG else value
    return raw, raw is not None and _COMPARE[op](raw, target)


def _line(fact: Fact, op: str, target: Any, value: Any, ok: bool) -> str:
    verdict = _("Met") if ok else _("Not met")
    if fact.kind == Kind.FLAG:
        answer = _("yes") if value else _("no")
        return f"{verdict}: {fact.label}: {answer}"
    if fact.kind == Kind.PROGRAM:
        codes = ", ".join(target)
        answer = _("yes") if value else _("no")
        return f"{verdict}: {fact.label} {codes}: {answer}"
    choices = dict(fact.choices)
    shown_value = _("none") if value is None else choices.get(value, value)
    if op == "in":
        options = "、".join(str(choices.get(item, item)) for item in target)
        relation = _("is one of") if ok else _("is not one of")
        return f"{verdict}: {fact.label} {shown_value} {relation} {options}"
    if op == "startswith":
        relation = _("starts with") if ok else _("does not start with")
        return f"{verdict}: {fact.label} {shown_value} {relation} {target}"
    # The line states the requirement, then what was found: "not met: youngest child's age
    # < 18 (found: none)". Negating the sign instead read as the opposite rule when there was
    # no value ("youngest child's age none ≥ 18").
    return _("%(verdict)s: %(fact)s %(sign)s %(target)s (found: %(value)s)") % {
        "verdict": verdict,
        "fact": fact.label,
        "sign": _SHOWN[op],
        "target": choices.get(target, target),
        "value": shown_value,
    }


__all__ = [
    "CompiledRule",
    "Explanation",
    "RuleError",
    "compile_rule",
    "explain",
    "grouped_ids",
    "needs_a_child",
    "persons_meeting",
    "validate_rule",
]


def describe(rule: Rule) -> list[dict[str, Any]]:
    """The rule in words, one line per part, for the program page: [{"text", "depth"}]."""
    validate_rule(rule)
    lines: list[dict[str, Any]] = []

    def walk(part: Rule, depth: int) -> None:
        if not part:
            lines.append({"text": _("Everyone"), "depth": depth})
        elif "all" in part or "any" in part:
            key = "all" if "all" in part else "any"
            lines.append(
                {"text": _("All of:") if key == "all" else _("At least one of:"), "depth": depth}
            )
            for child in part[key]:
                walk(child, depth + 1)
        elif "not" in part:
            lines.append({"text": _("None of:"), "depth": depth})
            walk(part["not"], depth + 1)
        else:
            fact = FACTS[part["fact"]]
            op, value = part["op"], part["value"]
            choices = dict(fact.choices)
            if fact.kind == Kind.FLAG:
                shown = f"{fact.label}: {_('yes') if value else _('no')}"
            elif op == "in":
                options = "、".join(str(choices.get(item, item)) for item in value)
                shown = f"{fact.label} {_('is one of')} {options}"
            elif op == "startswith":
                shown = f"{fact.label} {_('starts with')} {value}"
            else:
                shown = f"{fact.label} {_SHOWN[op]} {choices.get(value, value)}"
            lines.append({"text": shown, "depth": depth})

    walk(rule, 0)
    return lines
