"""Reads compiled once (core.prepared): the same objects as the ORM, from the same query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.db.transaction import TransactionManagementError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.core.models import OrgUnit
from jisheng.core.prepared import Prepared, PreparedRows
from jisheng.core.roles import Role
from jisheng.core.scope import scope_key
from jisheng.core.sessions import SessionStore
from jisheng.registry.models import Person


def test_a_prepared_read_gives_the_orms_object_with_its_related_row(
    make_user: Callable[..., User],
) -> None:
    prepared = Prepared(lambda: User.objects.select_related("org_unit"), "pk")
    first, second = make_user(Role.STREET_STAFF), make_user(Role.COMMUNITY_WORKER)
    for user in (first, second, first):  # compiled once, then run with each value
        with CaptureQueriesContext(connection) as captured:
            found = prepared.first(str(user.pk))
            assert found is not None
            assert found.org_unit.pk == user.org_unit_id  # came with the user
        assert len(captured) == 1
        expected = User.objects.get(pk=user.pk)
        for field in User._meta.concrete_fields:
            assert getattr(found, field.attname) == getattr(expected, field.attname), field
        assert found._state.adding is False
        assert found._state.db == "default"
    assert prepared.first(10**9) is None


def test_a_prepared_read_compares_as_the_queryset_would(org: object) -> None:
    prepared = Prepared(OrgUnit.objects.all, "kind", "pk__gt")
    street = OrgUnit.objects.get(kind="street")
    assert prepared.first("street", street.pk - 1) == street
    assert prepared.first("street", street.pk) is None


def test_a_lookup_that_changes_its_value_is_refused(org: object) -> None:
    with pytest.raises(ImproperlyConfigured):
        Prepared(OrgUnit.objects.all, "name__contains").first("街道")


def test_a_session_is_read_only_until_it_expires(db: None) -> None:
    store = SessionStore()
    store["answer"] = 42
    store.create()
    assert SessionStore(store.session_key).load() == {"answer": 42}
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert SessionStore("no-such-session-key-at-all-00000").load() == {}


def test_signing_out_ends_the_session_for_the_next_request(
    client: Client, make_user: Callable[..., User]
) -> None:
    client.force_login(make_user(Role.COMMUNITY_WORKER))
    assert client.get("/reports/forms/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/reports/forms/").status_code == 302


def test_prepared_rows_are_the_querysets_rows_in_its_order_for_each_users_scope(
    org: Any, make_user: Callable[..., User], make_person: Callable[..., Person]
) -> None:
    def build(user: User, first: int, second: int) -> QuerySet[Person]:
        return (
            Person.objects.visible_to(user)
            .select_related("community")
            .filter(pk__in=[first, second])
            .order_by("-birth_date")
        )

    prepared = PreparedRows(build)
    here = make_person(org.c1, birth_date=dt.date(1980, 1, 1))
    younger = make_person(org.c1, birth_date=dt.date(1999, 1, 1))
    there = make_person(org.c2, birth_date=dt.date(1990, 1, 1))
    worker = make_user(Role.COMMUNITY_WORKER)  # community 1
    street = make_user(Role.STREET_STAFF, org.street)  # both communities
    for user in (worker, street):
        scope_key(user)  # the roles and units, read once per user object
    for user in (worker, street, worker, street):  # one compiled read per scope, reused
        for ids in ((here.pk, there.pk), (younger.pk, here.pk), (there.pk, younger.pk)):
            with CaptureQueriesContext(connection) as captured:
                rows = prepared.all(user, *ids)
            assert len(captured) == 1
            assert rows == list(build(user, *ids))
            assert [row.community.name for row in rows] == [p.community.name for p in rows]
    assert prepared.all(worker, there.pk, there.pk) == []
    assert prepared.all(AnonymousUser(), here.pk, here.pk) == []


def test_prepared_rows_take_their_ids_as_plain_values_only(org: Any) -> None:
    prepared = PreparedRows(lambda user, pk: OrgUnit.objects.filter(code=f"{pk}"))
    with pytest.raises(ImproperlyConfigured):
        prepared.all(None, 1)


def test_prepared_rows_of_values_give_tuples(org: Any) -> None:
    prepared = PreparedRows(
        lambda user, pk: OrgUnit.objects.filter(pk__gte=pk).order_by("pk").values_list("pk", "kind")
    )
    first = OrgUnit.objects.order_by("pk").first()
    assert first is not None
    assert prepared.all(None, first.pk) == list(
        OrgUnit.objects.filter(pk__gte=first.pk).order_by("pk").values_list("pk", "kind")
    )


def test_prepared_rows_keep_a_literal_percent_sign(org: Any) -> None:
    prepared = PreparedRows(
        lambda user, pk: (
            OrgUnit.objects.filter(pk=pk)
            .annotate(share=RawSQL("'100%%'", ()))
            .values_list("share", "pk")
        )
    )
    assert prepared.all(None, org.c1.pk) == [("100%", org.c1.pk)]
    assert prepared.all(None, org.c2.pk) == [("100%", org.c2.pk)]


def test_prepared_rows_refuse_prefetching(org: Any) -> None:
    prepared = PreparedRows(
        lambda user, pk: OrgUnit.objects.filter(pk=pk).prefetch_related("parent")
    )
    with pytest.raises(ImproperlyConfigured):
        prepared.all(None, org.c1.pk)


def test_users_of_one_scope_share_a_compiled_read_and_partners_do_not(
    org: Any, make_user: Callable[..., User], make_person: Callable[..., Person]
) -> None:
    first, second = make_user(Role.COMMUNITY_WORKER), make_user(Role.COMMUNITY_WORKER)
    elsewhere = make_user(Role.COMMUNITY_WORKER, org.c2)
    partner, other_partner = make_user(Role.PARTNER_REPORTER), make_user(Role.PARTNER_REPORTER)
    assert scope_key(first) == scope_key(second) != scope_key(elsewhere)
    assert scope_key(partner) != scope_key(other_partner)
    prepared = PreparedRows(lambda user, pk: Person.objects.visible_to(user).filter(pk=pk))
    reported = make_person(org.c1, reported_by=partner)
    for user in (first, partner):
        assert prepared.all(user, reported.pk) == [reported]
    assert prepared.all(second, reported.pk) == [reported]
    assert prepared.all(elsewhere, reported.pk) == []
    assert prepared.all(other_partner, reported.pk) == []
    assert len(prepared._compiled.kept) == 4  # first and second share theirs


def test_an_id_for_a_column_too_narrow_for_the_stand_in_is_refused(org: Any) -> None:
    """Django answers "no rows" without SQL for a value outside an IntegerField's range: the
    read must not be kept as "always empty" (it finds rows for real ids)."""
    prepared = PreparedRows(lambda user, version: User.objects.filter(access_version=version))
    with pytest.raises(ImproperlyConfigured):
        prepared.all(None, 1)


def test_past_the_limit_the_scope_used_longest_ago_is_dropped(
    org: Any, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("jisheng.core.prepared._KEPT", 2)
    prepared = PreparedRows(lambda user, pk: Person.objects.visible_to(user).filter(pk=pk))
    c1, c2 = make_user(Role.COMMUNITY_WORKER, org.c1), make_user(Role.COMMUNITY_WORKER, org.c2)
    street = make_user(Role.STREET_STAFF)
    for user in (c1, c2, c1, street):
        prepared.all(user, 1)
    kept = [key for key, _count in prepared._compiled.kept]
    assert kept == [scope_key(c1), scope_key(street)]


def test_a_build_that_reads_more_of_the_user_than_the_scope_is_refused(
    org: Any, make_user: Callable[..., User], make_person: Callable[..., Person]
) -> None:
    """SQL compiled for one user is reused by every user of the same scope: a build that
    put the user's own id (or any other attribute) in it would hand one user's rows to
    another, so it is refused when it is compiled."""
    worker = make_user(Role.COMMUNITY_WORKER)
    own = PreparedRows(lambda user, pk: Person.objects.filter(pk=pk, reported_by=user))
    with pytest.raises(ImproperlyConfigured):
        own.all(worker, 1)
    named = PreparedRows(lambda user, pk: Person.objects.filter(pk=pk, name=user.username))
    with pytest.raises(ImproperlyConfigured):
        named.all(worker, 1)
    partner = make_user(Role.PARTNER_REPORTER)
    reported = make_person(org.c1, reported_by=partner)
    scoped = PreparedRows(lambda user, pk: Person.objects.visible_to(user).filter(pk=pk))
    assert scoped.all(partner, reported.pk) == [reported]


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_is_refused_outside_a_transaction_every_time(org) -> None:
    """Compiled once, the SQL no longer passes Django's own check: Prepared makes it."""
    locked = Prepared(lambda: OrgUnit.objects.select_for_update(), "pk")
    with transaction.atomic():
        assert locked.first(org.street.pk) == org.street
    for _ in range(2):
        with pytest.raises(TransactionManagementError):
            locked.first(org.street.pk)
    with transaction.atomic():
        assert locked.first(org.street.pk) == org.street
