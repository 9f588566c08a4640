"""Address search through its index finds exactly what ``contains`` finds, on both databases."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from jisheng.core.roles import Role
from jisheng.registry import selectors
from jisheng.registry.models import Household, Person
from jisheng.registry.selectors import PersonFilters, person_list

LIST = reverse("registry:person_list")

ADDRESSES = [
    "幸福路12号",
    "幸福里3栋",
    "榴园社区1号楼101",
    "百分之百100%楼",
    "下划线_甲区",
    "Garden Road 5",
    "garden road 7",
    'Quote "A" 楼',
    "幸",
    "",
]
QUERIES = [
    "幸福",
    "幸福路",
    "幸福路12号",
    "福路1",
    "幸",
    "100%",
    "%",
    "_",
    "线_甲",
    "Garden",
    "garden road",
    "GARDEN ROAD 5",
    'e "A"',
    '"',
    "路1",
    "不存在的地址",
    " 幸福 ",
]


@pytest.fixture
def client(make_user, client_for):
    return client_for(make_user(Role.COMMUNITY_WORKER))


@pytest.fixture
def residents(make_person) -> None:
    for n, address in enumerate(ADDRESSES):
        person = make_person(name=f"居民{n:02d}")
        Person.objects.filter(pk=person.pk).update(address=address)


def found(client, text: str) -> set[str]:
    response = client.get(LIST, {"address": text})
    assert response.status_code == 200
    return {p.name for p in response.context["page"]}


def contains(text: str) -> set[str]:
    """Today's definition: Django's ``contains`` on this database, without any index."""
    return set(Person.objects.filter(address__contains=text).values_list("name", flat=True))


@pytest.mark.parametrize("text", QUERIES)
def test_address_search_is_the_contains_set(client, residents, text) -> None:
    assert found(client, text) == contains(text.strip())  # the form strips it, as before


@pytest.mark.parametrize("text", ["幸", "幸福", "幸福路"])
def test_the_search_inside_a_subquery_is_the_same_set(residents, make_user, text) -> None:
    """The address pieces are read under the alias the outer query gives the inner table."""
    user = make_user(Role.COMMUNITY_WORKER)
    listed = person_list(user=user, filters=PersonFilters(address=text))
    outer = Person.objects.filter(pk__in=listed.values("pk")).values_list("name", flat=True)
    assert set(outer) == contains(text) != set()


def test_changed_and_removed_addresses_are_found_as_they_now_are(client, residents) -> None:
    person = Person.objects.get(name="居民00")
    Person.objects.filter(pk=person.pk).update(address="和平街88号")
    assert "居民00" not in found(client, "幸福路")
    assert found(client, "和平街88") == {"居民00"}
    person.delete()
    assert found(client, "和平街88") == set()
    Person.objects.create(
        community=Person.objects.get(name="居民01").community,
        name="新居民",
        sex="F",
        birth_date="1990-01-01",
        address="和平街88号",
    )
    assert found(client, "和平街88") == {"新居民"}


# Addresses as offices type and import them: mixed-case Latin, full-width and ASCII digits and
# punctuation, spaces, a character newer than SQLite's Unicode tables (U+2B820, CJK
# Extension E), an emoji, LIKE's own wildcards, quotes, and one character alone.
PIECE_ADDRESSES = [
    "幸福路12号",
    "Block B-3, Room 5a",
    "ＡＢ座１０１室",
    "甲 乙",
    "𫠠家巷7号",
    "🏠小区",
    "50%_楼",
    '"引号"里',
    "村",
    "",
]


def _pieces(address: str) -> set[str]:
    return {address[i : i + n] for i in range(len(address)) for n in (1, 2)} - {""}


# Every piece of every address, with its ASCII letters in the other case, and pieces found
# nowhere: each must find exactly what ``contains`` finds.
PIECE_QUERIES = sorted(
    {
        piece
        for address in PIECE_ADDRESSES
        for piece in _pieces(address) | {p.swapcase() for p in _pieces(address)}
        if piece.strip() == piece
    }
    | {"zz", "乙甲", "福幸", "𫠡"}
)


@pytest.fixture
def piece_residents(make_person) -> None:
    for n, address in enumerate(PIECE_ADDRESSES):
        person = make_person(name=f"住户{n:02d}")
        Person.objects.filter(pk=person.pk).update(address=address)


def test_every_one_and_two_character_search_is_the_contains_set(client, piece_residents) -> None:
    """Through the index of pieces on SQLite (migration 0013), the GIN index on PostgreSQL."""
    assert len(PIECE_QUERIES) > 90
    wrong = {text for text in PIECE_QUERIES if found(client, text) != contains(text)}
    assert wrong == set()
    assert found(client, "ａ") == set()  # and only ASCII: "Ａ" is not "ａ" on either database


def test_a_common_text_is_read_in_the_list_order_with_the_same_set(
    client, piece_residents, monkeypatch
) -> None:
    """Text in more addresses than COMMON_MATCHES skips the index and finds the same rows."""
    expected = {text: contains(text) for text in ("号", "楼", "幸福路", "Room")}
    assert all(len(names) >= 1 for names in expected.values())
    monkeypatch.setattr(selectors, "COMMON_MATCHES", 1)
    assert {text: found(client, text) for text in expected} == expected


def indexed(table: str, text: str) -> set[int] | None:
    """The rows SQLite's table of pieces (migration 0013) holds for a one- or two-character
    text (None on PostgreSQL, which keeps the pieces in a column). Read directly: the search
    keeps its LIKE, which would hide a piece left behind by a wrong delete trigger."""
    if connection.vendor != "sqlite":
        return None
    pieces = f"{table}_address_pieces"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {pieces} WHERE {pieces} MATCH %s",  # noqa: S608
            [selectors._short_piece_token(text)],
        )
        return {row[0] for row in cursor.fetchall()}


def test_short_pieces_follow_changed_and_removed_addresses(client, piece_residents, org) -> None:
    person = Person.objects.get(name="住户00")
    assert indexed("registry_person", "幸福") in ({person.pk}, None)
    Person.objects.filter(pk=person.pk).update(address="和平街88号")
    assert "住户00" not in found(client, "幸福")
    assert indexed("registry_person", "幸福") in (set(), None)
    assert found(client, "和平") == {"住户00"}
    assert found(client, "8") == {"住户00"}
    pk = person.pk
    person.delete()
    assert found(client, "和平") == set()
    assert indexed("registry_person", "和平") in (set(), None)
    assert indexed("registry_person", "8") in (set(), None)
    household = Household.objects.create(community=org.c1, number="Q1", address="青檀路")
    assert Household.objects.filter(address__contains="檀").count() == 1
    assert indexed("registry_household", "檀") in ({household.pk}, None)
    household.address = "白云路"
    household.save(update_fields=["address"])
    user_households = Household.objects.filter(pk=household.pk)
    assert list(selectors._address_contains(user_households, "白云")) == [household]
    assert list(selectors._address_contains(user_households, "檀")) == []
    assert indexed("registry_household", "檀") in (set(), None)
    household_pk = household.pk
    household.delete()
    assert list(selectors._address_contains(Household.objects.all(), "白云")) == []
    assert indexed("registry_household", "白云") in (set(), None)
    assert pk not in (indexed("registry_person", "街") or set())
    assert household_pk not in (indexed("registry_household", "路") or set())


def test_the_address_index_is_in_place(db) -> None:
    """SQLite: a migration that rebuilds registry_person drops these triggers, and this fails."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name = 'registry_person'"
            )
            expected = {
                "registry_person_address_fts_insert",
                "registry_person_address_fts_delete",
                "registry_person_address_fts_update",
                "registry_person_address_pieces_insert",
                "registry_person_address_pieces_delete",
                "registry_person_address_pieces_update",
            }
        else:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname LIKE %s",
                ["registry_%_address_trgm"],
            )
            expected = {"registry_person_address_trgm", "registry_household_address_trgm"}
        assert expected <= {row[0] for row in cursor.fetchall()}
