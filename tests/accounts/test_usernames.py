"""User names are unique whatever their case: in the service, on the page, in the database
and in the migration that brings the rule to an existing instance."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from jisheng.accounts.models import User
from jisheng.accounts.services import user_create
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict
from jisheng.core.roles import Role

PASSWORD = "Test-pass-2026!"  # same as tests/conftest.py
BEFORE = [("accounts", "0003_second_factor_encrypted")]


def test_a_name_differing_only_in_case_is_refused(org) -> None:
    user_create(actor=None, username="wang_li", password=PASSWORD, org_unit=org.c1)

    with pytest.raises(Conflict) as excinfo:
        user_create(actor=None, username="Wang_Li", password=PASSWORD, org_unit=org.c1)

    assert excinfo.value.code == "username_taken"
    assert User.objects.filter(username__iexact="wang_li").count() == 1


def test_the_database_refuses_a_name_differing_only_in_case(org) -> None:
    User.objects.create(username="chen_jie")

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="CHEN_JIE")


def test_the_page_shows_the_form_again_with_the_reason(
    org, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    admin = make_user(Role.SYSTEM_ADMIN)
    user_create(actor=Actor(user=admin), username="zhao_min", password=PASSWORD, org_unit=org.c1)

    response = client_for(admin).post(
        "/accounts/users/",
        {"username": "Zhao_Min", "full_name": "", "org_unit": org.c1.pk, "password": PASSWORD},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "用户名已被占用" in body
    assert 'value="Zhao_Min"' in body
    assert not User.objects.filter(username="Zhao_Min").exists()


@pytest.fixture
def before_the_rule(transactional_db: None) -> Iterator[None]:
    MigrationExecutor(connection).migrate(BEFORE)
    try:
        yield
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes("accounts"))


def test_the_migration_stops_on_existing_clashing_names(before_the_rule) -> None:
    with connection.cursor() as cursor:
        for name in ("liu_yang", "Liu_Yang"):
            cursor.execute(
                "INSERT INTO accounts_user (username, password, is_superuser, first_name, "
                "last_name, email, is_staff, is_active, date_joined, full_name) "
                "VALUES (%s, '', FALSE, '', '', '', FALSE, TRUE, CURRENT_TIMESTAMP, '')",
                [name],
            )

    with pytest.raises(RuntimeError, match="Liu_Yang, liu_yang"):
        MigrationExecutor(connection).migrate(
            [("accounts", "0004_username_case_insensitive_unique")]
        )

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_user WHERE lower(username) = 'liu_yang'")
