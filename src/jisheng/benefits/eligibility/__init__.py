"""The eligibility engine: rules as data over registry facts; never ``eval``."""

from jisheng.benefits.eligibility.facts import FACTS, Fact, Kind
from jisheng.benefits.eligibility.rules import (
    OPERATORS_BY_KIND,
    CompiledRule,
    Explanation,
    Rule,
    RuleError,
    compile_rule,
    describe,
    explain,
    grouped_ids,
    needs_a_child,
    persons_meeting,
    validate_rule,
)

__all__ = [
    "FACTS",
    "OPERATORS_BY_KIND",
    "CompiledRule",
    "Explanation",
    "Fact",
    "Kind",
    "Rule",
    "RuleError",
    "compile_rule",
    "describe",
    "explain",
    "grouped_ids",
    "needs_a_child",
    "persons_meeting",
    "validate_rule",
]
