"""A user's roles and scope are resolved once per session, and again whenever they change."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from jisheng.accounts.access import SESSION_KEY
from jisheng.accounts.models import User
from jisheng.accounts.org_units import org_unit_create
from jisheng.accounts.services import role_grant, role_revoke
from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.registry.models import Person

PERSONS = "/registry/persons/"


def _queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured]


def test_roles_and_scope_are_read_once_per_session(
    client: Client, make_user: Callable[..., User], make_person: Callable[..., Person]
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER)
    person = make_person()
    client.force_login(worker)
    client.get(PERSONS)  # the first page resolves and keeps the access

    sql = _queries(client, f"/registry/persons/{person.pk}/")

    assert not [q for q in sql if "accounts_userrole" in q]
    assert not [q for q in sql if 'FROM "core_orgunit"' in q and "LIKE" in q]
    # The unit comes with the user, in one query.
    user_queries = [q for q in sql if 'FROM "accounts_user"' in q]
    assert len(user_queries) == 1
    assert "core_orgunit" in user_queries[0]


def test_a_revoked_role_ends_its_pages_at_the_next_request(
    client: Client, make_user: Callable[..., User], make_person: Callable[..., Person]
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER)
    admin = make_user(Role.SECURITY_ADMIN)
    person = make_person()
    client.force_login(worker)
    assert client.get(f"/registry/persons/{person.pk}/").status_code == 200

    role_revoke(actor=Actor(user=admin), user=worker, role=Role.COMMUNITY_WORKER)

    assert client.get(f"/registry/persons/{person.pk}/").status_code in {403, 404}
    role_grant(actor=Actor(user=admin), user=worker, role=Role.COMMUNITY_WORKER)
    assert client.get(f"/registry/persons/{person.pk}/").status_code == 200


def test_a_new_community_is_in_street_staff_scope_at_the_next_request(
    client: Client, org, make_user: Callable[..., User], make_person: Callable[..., Person]
) -> None:
    staff = make_user(Role.STREET_STAFF)
    supervisor = make_user(Role.DISTRICT_SUPERVISOR)
    worker = make_user(Role.COMMUNITY_WORKER)
    client.force_login(staff)
    assert client.get(PERSONS).status_code == 200
    kept_units = client.session[SESSION_KEY]["units"]
    versions = dict(User.objects.values_list("pk", "access_version"))

    community = org_unit_create(
        actor=None,
        name="新社区",
        kind="community",
        code=f"{org.street.code}099",
        parent=org.street,
    )
    newcomer = make_person(community=community)
    # Everyone above the new unit resolves again; a worker of a sibling community need not.
    after = dict(User.objects.values_list("pk", "access_version"))
    assert after[staff.pk] == versions[staff.pk] + 1
    assert after[supervisor.pk] == versions[supervisor.pk] + 1
    assert after[worker.pk] == versions[worker.pk]

    assert community.pk not in kept_units
    assert client.get(f"/registry/persons/{newcomer.pk}/").status_code == 200
    assert community.pk in client.session[SESSION_KEY]["units"]


def test_access_kept_for_another_version_is_not_trusted(
    client: Client, make_user: Callable[..., User], make_person: Callable[..., Person]
) -> None:
    worker = make_user(Role.COMMUNITY_WORKER)
    person = make_person()
    client.force_login(worker)
    session = client.session
    # A session holding more than the user has (as if kept before a revocation).
    session[SESSION_KEY] = {
        "version": worker.access_version + 7,
        "roles": [Role.STREET_STAFF.value],
        "units": [],
    }
    session.save()

    assert client.get(f"/registry/persons/{person.pk}/").status_code == 200
    assert client.session[SESSION_KEY]["roles"] == [Role.COMMUNITY_WORKER.value]
