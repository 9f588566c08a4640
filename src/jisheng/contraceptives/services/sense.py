"""Sense checks before a product goes to a named person: what looks like a mistake (a
product for women issued to a man, to someone below its minimum age), as the product's
data says. The worker confirms them; a refusal is kept for what is impossible."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from jisheng.contraceptives.models import Method, Product
from jisheng.core.dates import full_years
from jisheng.core.errors import JishengError, NeedsConfirmation
from jisheng.registry.models import Person, Sex


def issue_warnings(product: Product, person: Person, on: dt.date) -> list[str]:
    """Each reason to doubt that ``person`` should get ``product`` on ``on``; empty if none."""
    warnings = []
    if product.for_sex and person.sex != product.for_sex:
        warnings.append(
            _(
                "%(product)s is meant for %(sex)s, and %(name)s is not. Confirm only if it "
                "is collected for someone else: the roster is then left unchanged."
            )
            % {
                "product": product.name,
                "sex": _("women") if product.for_sex == Sex.FEMALE else _("men"),
                "name": person.name,
            }
        )
    age = full_years(person.birth_date, on)
    if product.min_age is not None and age < product.min_age:
        warnings.append(
            _("%(product)s is meant for people aged %(min)d or over; %(name)s is %(age)d.")
            % {"product": product.name, "min": product.min_age, "name": person.name, "age": age}
        )
    return warnings


def require_confirmed(warnings: list[str], *, confirmed: bool) -> None:
    """Go on when there is nothing to doubt or the worker has confirmed; else ask them to."""
    if warnings and not confirmed:
        raise NeedsConfirmation(warnings)


def require_method_possible(method: str, person: Person) -> None:
    """Refuse a method that ``person`` cannot use at all (an IUD for a man)."""
    only_for = Method.only_for(method)
    if only_for is not None and person.sex != only_for:
        raise JishengError(
            _("%(name)s cannot use this method (%(method)s).")
            % {"name": person.name, "method": Method(method).label},
            code="method_sex",
        )
