"""The core pieces every app shares: require, the scoped lookups, query numbers, submit."""

from __future__ import annotations

import pytest
from django import forms
from django.test import RequestFactory

from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError, NotFound
from jisheng.core.lookups import community_choices, locked_or_404, visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.pages import query_id, query_int, submit
from jisheng.core.permissions import require, require_any
from jisheng.core.roles import Capability, Role
from jisheng.registry.models import Person


def test_require_refuses_a_role_without_the_capability(make_user) -> None:
    worker = Actor(user=make_user(Role.COMMUNITY_WORKER))
    require(worker, Capability.VIEW_HEALTH)
    require_any(worker.user, Capability.MANAGE_USERS, Capability.MANAGE_STOCK)
    with pytest.raises(Forbidden):
        require(worker, Capability.MANAGE_USERS)
    with pytest.raises(Forbidden):
        require_any(worker, Capability.MANAGE_USERS, Capability.VIEW_AUDIT)


def test_lookups_find_only_inside_the_users_scope(make_user, org, make_person) -> None:
    worker = make_user(Role.COMMUNITY_WORKER)  # community c1
    mine, theirs = make_person(community=org.c1), make_person(community=org.c2)
    assert visible_or_404(Person, user=worker, pk=mine.pk) == mine
    assert locked_or_404(Person.objects.select_related("community"), user=worker, pk=mine.pk)
    for lookup in (visible_or_404, locked_or_404):
        with pytest.raises(NotFound):
            lookup(Person, user=worker, pk=theirs.pk)
        # A caller's queryset is narrowed too: it cannot widen the scope.
        with pytest.raises(NotFound):
            lookup(Person.objects.all(), user=worker, pk=theirs.pk)
    assert list(community_choices(worker)) == [org.c1]
    assert set(community_choices(make_user(Role.STREET_STAFF))) == set(
        OrgUnit.objects.filter(parent=org.street)
    )


@pytest.mark.parametrize("value", ["²", "-1", "1.5", "1" * 19, "abc"])
def test_query_numbers_refuse_what_is_not_plain_ascii_digits(value: str) -> None:
    request = RequestFactory().get("/", {"n": value})
    for parse in (query_int, query_id):
        with pytest.raises(JishengError) as refused:
            parse(request, "n")
        assert refused.value.status == 400


def test_query_numbers_read_absent_as_none_and_digits_as_int() -> None:
    assert query_int(RequestFactory().get("/"), "n") is None
    assert query_id(RequestFactory().get("/", {"n": ""}), "n") is None
    assert query_id(RequestFactory().get("/", {"n": "9" * 18}), "n") == int("9" * 18)


def test_submit_puts_a_refusal_on_the_form_and_lets_404_and_403_through() -> None:
    form = forms.Form({})
    assert form.is_valid()

    def refuse() -> None:
        raise Conflict("taken")

    assert submit(form, lambda: 7) == (7, 200)
    assert submit(form, refuse) == (None, 409)
    assert form.non_field_errors() == ["taken"]
    for error in (NotFound, Forbidden):

        def fail(error: type[JishengError] = error) -> None:
            raise error()

        with pytest.raises(error):
            submit(form, fail)
