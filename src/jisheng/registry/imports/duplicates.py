"""Likely duplicates of imported residents, flagged in the load's transaction."""

from __future__ import annotations

import datetime as dt
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Count, Max, QuerySet

from jisheng.registry.imports.lookups import batched, param_batch, with_digests
from jisheng.registry.models import DuplicateFlag, Person, ResidentStatus
from jisheng.registry.services.persons import flag_unit_resolver


def as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _pair_matches(column: str, pairs: list[tuple[str, Any]]) -> list[tuple[int, str, Any]]:
    """Residents (id, name, value) whose (name, column) is one of ``pairs``; voided ones aside.

    A join with the pairs as a VALUES list, so both databases look each pair up by index.
    """
    found: list[tuple[int, str, Any]] = []
    table = connection.ops.quote_name(Person._meta.db_table)
    quoted = connection.ops.quote_name(column)
    for batch in batched(sorted(set(pairs)), param_batch(2)):
        values = ", ".join(["(%s, %s)"] * len(batch))
        # Only quoted model names are formatted in; every value is a parameter.
        sql = (
            f"WITH pairs (pair_name, pair_value) AS (VALUES {values}) "  # noqa: S608
            f"SELECT p.id, p.name, p.{quoted} FROM pairs JOIN {table} p "
            f"ON p.name = pairs.pair_name AND p.{quoted} = pairs.pair_value "
            "WHERE p.status <> %s"
        )
        params: list[Any] = []
        for name, value in batch:
            params.extend((name, value))
        params.append(ResidentStatus.VOIDED)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            found.extend(cursor.fetchall())
    return found


Candidates = dict[int, dict[int, str]]  # new resident → {earlier resident: reason}


class Duplicates:
    """Likely duplicates of the imported residents: earlier records with the same name and
    birth date, or the same name and phone (the rules of ``flag_likely_duplicates``).

    Each chunk is looked up right after it is inserted (one query per chunk and rule). A
    large import instead finds the groups of residents sharing a birth date and name, or a
    phone, with one grouping query per rule at the end: per chunk, each pair would visit
    every resident born that day, and thousands of scattered phone lookups per chunk cost
    more than one pass over the table.
    """

    def __init__(self, *, bulk: bool) -> None:
        self.bulk = bulk
        self.candidates: Candidates = {}
        self.new_ids: array[int] = array("q")

    def add(self, new: list[tuple[int, str, dt.date, str]]) -> None:
        """A chunk of new residents (id, name, birth date, phone digest), just inserted."""
        self.new_ids.extend(pk for pk, _n, _b, _p in new)
        if self.bulk:
            return
        by_birth: dict[tuple[str, dt.date], list[int]] = {}
        for pk, name, birth_date, _phone in new:
            by_birth.setdefault((name, birth_date), []).append(pk)
        for other, name, value in _pair_matches("birth_date", list(by_birth)):
            for pk in by_birth.get((name, as_date(value)), ()):
                self._candidate(pk, other, DuplicateFlag.Reason.NAME_BIRTH_DATE)
        by_phone: dict[str, list[tuple[int, str]]] = {}
        for pk, name, _birth, phone in new:
            if phone:
                by_phone.setdefault(phone, []).append((pk, name))
        # Phone digests are nearly unique: look them up alone and compare the names here.
        same_phone = with_digests(
            "phone_index", list(by_phone), select="id, name, phone_index, status"
        )
        for other, other_name, phone, status in same_phone:
            if status == ResidentStatus.VOIDED:
                continue
            for pk, name in by_phone[phone]:
                if other_name == name:
                    self._candidate(pk, other, DuplicateFlag.Reason.NAME_PHONE)

    def _candidate(self, pk: int, other: int, reason: str) -> None:
        if other < pk:  # earlier records only, as when residents are entered one by one
            found = self.candidates.setdefault(pk, {})
            if found.get(other) != DuplicateFlag.Reason.NAME_BIRTH_DATE:
                found[other] = reason

    def _groups(self, persons: QuerySet[Person], *keys: str) -> list[tuple[Any, ...]]:
        """Values of ``keys`` that several of ``persons`` share, one of them new."""
        return list(
            persons.values(*keys)
            .annotate(members=Count("pk"), last=Max("pk"))
            .filter(members__gt=1, last__gte=min(self.new_ids))
            .values_list(*keys)
        )

    def _flag_groups(self, members: Iterable[list[int]], reason: str) -> None:
        new = self.new_ids
        for ids in members:
            for pk in ids:
                at = bisect_left(new, pk)
                if at < len(new) and new[at] == pk:
                    for other in ids:
                        self._candidate(pk, other, reason)

    def _same_birth_groups(self) -> None:
        members: dict[tuple[str, dt.date], list[int]] = {}
        kept = Person.objects.exclude(status=ResidentStatus.VOIDED)
        groups = self._groups(kept, "name", "birth_date")
        for pk, name, value in _pair_matches("birth_date", groups):
            members.setdefault((name, as_date(value)), []).append(pk)
        self._flag_groups(members.values(), DuplicateFlag.Reason.NAME_BIRTH_DATE)

    def _same_phone_groups(self) -> None:
        kept = Person.objects.exclude(status=ResidentStatus.VOIDED).exclude(phone_index="")
        # Phone digests are nearly unique: group by the phone alone, compare names here.
        phones = [phone for (phone,) in self._groups(kept, "phone_index")]
        members: dict[tuple[str, str], list[int]] = {}
        sharing = with_digests("phone_index", phones, select="id, name, phone_index, status")
        for pk, name, phone, status in sharing:
            if status != ResidentStatus.VOIDED:
                members.setdefault((name, phone), []).append(pk)
        self._flag_groups(members.values(), DuplicateFlag.Reason.NAME_PHONE)

    def save(self) -> int:
        if self.bulk and self.new_ids:
            self._same_birth_groups()
            self._same_phone_groups()
        community_of: dict[int, int] = {}
        everyone = set(self.candidates) | {
            other for others in self.candidates.values() for other in others
        }
        for batch in batched(list(everyone), param_batch(1)):
            community_of.update(
                Person.objects.filter(pk__in=batch).values_list("pk", "community_id")
            )
        flag_unit_id = flag_unit_resolver()
        flags = [
            DuplicateFlag(
                person_id=pk,
                candidate_id=other,
                community_id=flag_unit_id(community_of[pk], community_of[other]),
                reason=why,
            )
            for pk, others in self.candidates.items()
            for other, why in others.items()
        ]
        DuplicateFlag.objects.bulk_create(flags, batch_size=1000)
        return len(flags)
