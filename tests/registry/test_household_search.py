"""The household search finds exactly what the plain OR over the head finds, in its order."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q

from jisheng.core.roles import Role
from jisheng.registry.models import Household, Person
from jisheng.registry.names import looks_like_initials
from jisheng.registry.selectors import household_list, household_pages

QUERIES = [
    "陈",
    "陈小",
    "陈小明",
    "cx",
    "CX",
    "cxm",
    "z",
    "幸",
    "幸福",
    "幸福路",
    "幸福路12号",
    "H001",
    "H0012",
    "h001",
    "H",
    "1",
    "%",
    "_",
    "不存在",
    " 陈 ",
]


@pytest.fixture
def households(org, make_person) -> None:
    """Two communities in scope of street staff, one of them of the community worker;
    heads matching or not by name, initials, numbers and addresses, one without a head,
    and one whose head lives in the other community."""
    rows = [
        (org.c1, "陈小明", "H0012", "幸福路12号"),
        (org.c1, "陈大", "H0013", "和平街1号"),
        (org.c1, "张三", "H0021", "幸福里3栋"),
        (org.c1, "李四", "", "陈家村5号"),
        (org.c1, None, "H0014", "幸福路8号"),
        (org.c1, "赵", "X1", "百分之百100%楼"),
        (org.c2, "陈红", "H0011", "榴园社区1号楼"),
        (org.c2, "周_子", "H001_", "下划线_甲区"),
        (org.c2, None, "h0015", "幸福路12号"),
    ]
    for community, head, number, address in rows:
        person = make_person(community, name=head) if head else None
        Household.objects.create(community=community, number=number, address=address, head=person)
    elsewhere = make_person(org.c2, name="陈外")
    Household.objects.create(community=org.c1, number="Y9", address="青檀路", head=elsewhere)


def plain_or(user, query: str) -> list[int]:
    """What the search was: an OR over a join to the head, without any index in mind."""
    query = query.strip()
    head = (
        Q(head__name_initials__startswith=query.lower())
        if looks_like_initials(query)
        else Q(head__name__startswith=query)
    )
    found = Household.objects.visible_to(user).filter(
        Q(number__startswith=query) | Q(address__contains=query) | head
    )
    return list(found.order_by("community__code", "number", "id").values_list("pk", flat=True))


@pytest.mark.parametrize("role", [Role.STREET_STAFF, Role.COMMUNITY_WORKER])
@pytest.mark.parametrize("query", QUERIES)
def test_the_search_is_the_plain_or_in_its_order(households, make_user, role, query) -> None:
    user = make_user(role)
    expected = plain_or(user, query)
    listed = household_list(user=user, query=query)
    assert list(listed.values_list("pk", flat=True)) == expected
    assert household_pages(user=user, query=query).ids(slice(0, 100)) == expected


def test_the_search_finds_each_kind_of_match(households, make_user) -> None:
    user = make_user(Role.STREET_STAFF)

    def numbers(query: str) -> list[str]:
        return [h.number for h in household_list(user=user, query=query)]

    assert numbers("陈") == ["", "H0012", "H0013", "Y9", "H0011"]  # names; an address
    assert numbers("cx") == ["H0012"]  # initials
    assert numbers("H0011") == ["H0011"]  # a number (SQLite folds ASCII case, as before)
    assert numbers("幸福路") == ["H0012", "H0014", "h0015"]
    assert len(numbers("")) == Household.objects.count()


def test_changed_household_addresses_are_found_as_they_now_are(households, make_user) -> None:
    user = make_user(Role.STREET_STAFF)
    household = Household.objects.get(number="H0013")
    household.address = "幸福路99号"
    household.save(update_fields=["address"])
    assert "H0013" in [h.number for h in household_list(user=user, query="幸福路99")]
    Person.objects.filter(pk=household.head_id).update(name="王五")
    household.delete()
    assert household_list(user=user, query="幸福路99").count() == 0


def test_the_household_address_index_is_in_place(db) -> None:
    """SQLite: a migration that rebuilds registry_household drops these triggers, and this
    fails."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name = 'registry_household'"
            )
            triggers = {row[0] for row in cursor.fetchall()}
            expected = {
                "registry_household_address_fts_insert",
                "registry_household_address_fts_delete",
                "registry_household_address_fts_update",
                "registry_household_address_pieces_insert",
                "registry_household_address_pieces_delete",
                "registry_household_address_pieces_update",
            }
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            expected.add("registry_household_comm_number_lower")
        else:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'registry_household'"
            )
            expected = {
                "registry_household_address_trgm",
                "registry_household_address_short",
                "registry_household_comm_number_c",
            }
        found = {row[0] for row in cursor.fetchall()}
        if connection.vendor == "sqlite":
            found |= triggers
        assert expected <= found
