"""The scope as SQL (``scope_sql``) selects exactly what ``visible_to`` selects.

Both come from one decision, ``scope_of``; this checks the two translations of it against
each other for every scoped model whose rule names its own columns, and every role.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, models

from jisheng.accounts.models import User
from jisheng.core.roles import Role
from jisheng.core.scope import Scope, ScopeRule, scope_of, scope_sql
from jisheng.registry.models import Person


def _own_columns(rule: ScopeRule) -> bool:
    paths = [rule.org_field, rule.reporter_field]
    return all(path is None or "__" not in path for path in paths)


SCOPED = [
    model
    for model in apps.get_models()
    if isinstance(getattr(model, "scope_rule", None), ScopeRule) and _own_columns(model.scope_rule)
]


def _ids_by_sql(model: type[models.Model], user: User) -> set[int]:
    scope = scope_of(model.scope_rule, user)  # type: ignore[attr-defined]
    condition, params = scope_sql(model, scope, alias="t")
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(str(model._meta.pk.column))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT t.{pk} FROM {table} t WHERE {condition}", list(params))  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


def test_the_registry_models_are_among_the_checked_ones() -> None:
    assert Person in SCOPED


@pytest.mark.parametrize("role", list(Role))
def test_scope_sql_selects_what_visible_to_selects(org, make_user, make_person, role) -> None:
    user = make_user(role)
    make_person(org.c1, name="张三明")
    make_person(org.c2, name="李四", reported_by=user)
    make_person(org.c2, name="王五")

    for model in SCOPED:
        expected = set(model.objects.visible_to(user).values_list("pk", flat=True))  # type: ignore[attr-defined]
        assert _ids_by_sql(model, user) == expected, (role, model.__name__)


def test_an_inactive_user_sees_nothing_either_way(org, make_user, make_person) -> None:
    user = make_user(Role.STREET_STAFF)
    make_person(org.c1)
    user.is_active = False

    assert scope_of(Person.scope_rule, user) == Scope(nothing=True)
    assert _ids_by_sql(Person, user) == set()
    assert not Person.objects.visible_to(user).exists()


def test_a_path_through_another_model_has_no_sql_form() -> None:
    class Rule:
        scope_rule = ScopeRule(org_field="household__community")
        __name__ = "Member"

    with pytest.raises(ValueError, match="not a column"):
        scope_sql(Rule, Scope(unit_ids=(1,)), alias="t")  # type: ignore[arg-type]
