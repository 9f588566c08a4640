"""Records of one app that happened at another app's event (an "occasion").

Leaflets handed out at a distribution point (contraceptives) may be handed out at a publicity
activity (publicity); domain apps never import each other, so the two meet here. The app that
holds the events names its :class:`OccasionSource`\\ s in ``ModuleConfig.occasions``; an app
whose records can name an occasion keeps it as a ``(kind, id)`` pair and names
``records_at(user, kind, occasion_id) -> list[OccasionRecord]`` in
``ModuleConfig.occasion_records``, so each side shows the other's part, each read in the user's
scope by the app that owns it. With either app missing, nothing is linked and nothing breaks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Protocol

from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from jisheng.accounts.models import User


@dataclass(frozen=True)
class Occasion:
    """An event other records can name: ``kind`` (``"publicity.activity"``) and ``id``."""

    kind: str
    id: int
    label: str
    day: dt.date
    url: str

    @property
    def ref(self) -> str:
        """The pair as one form value (``"publicity.activity:12"``)."""
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True)
class OccasionRecord:
    """A record that happened at an occasion, as the occasion's page lists it."""

    title: str
    quantity: int
    day: dt.date
    place: str


class OccasionSource(Protocol):
    """One kind of event an app offers; every read is limited to what ``user`` may see."""

    kind: str

    def choices(self, user: User) -> list[Occasion]:
        """Recent occasions for a picker."""
        ...

    def visible(self, user: User, ids: Iterable[int]) -> dict[int, Occasion]:
        """Those of ``ids`` the user may see, by id."""
        ...


RecordsAt = Callable[["User", str, int], list[OccasionRecord]]


@cache
def _sources() -> dict[str, OccasionSource]:
    from jisheng.core.modules import module_configs

    found: dict[str, OccasionSource] = {}
    for config in module_configs():
        if config.occasions:
            for source in import_string(config.occasions):
                found[source.kind] = source
    return found


@cache
def _record_providers() -> tuple[RecordsAt, ...]:
    from jisheng.core.modules import module_configs

    return tuple(
        import_string(config.occasion_records)
        for config in module_configs()
        if config.occasion_records
    )


def occasion_choices(user: User) -> list[Occasion]:
    """Every installed kind's recent occasions that ``user`` may see."""
    return [occasion for source in _sources().values() for occasion in source.choices(user)]


def parse_ref(value: str) -> tuple[str, int] | None:
    """``"kind:id"`` as a pair; None for an empty or malformed value."""
    kind, _sep, number = value.rpartition(":")
    if not kind or not number.isdigit():
        return None
    return kind, int(number)


def occasions_visible(
    user: User, refs: Iterable[tuple[str, int | None]]
) -> dict[tuple[str, int], Occasion]:
    """The occasions of ``refs`` that ``user`` may see (one read per kind); unknown kinds and
    occasions out of scope are left out."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, occasion_id in refs:
        if kind and occasion_id is not None:
            wanted[kind].add(occasion_id)
    found: dict[tuple[str, int], Occasion] = {}
    sources = _sources()
    for kind, ids in wanted.items():
        if kind in sources:
            for occasion_id, occasion in sources[kind].visible(user, ids).items():
                found[(kind, occasion_id)] = occasion
    return found


def occasion_of(user: User, kind: str, occasion_id: int) -> Occasion | None:
    """One occasion if it exists and ``user`` may see it."""
    return occasions_visible(user, [(kind, occasion_id)]).get((kind, occasion_id))


def records_at(user: User, kind: str, occasion_id: int) -> list[OccasionRecord]:
    """What every installed app recorded at the occasion, as far as ``user`` may see it."""
    return [
        record for provider in _record_providers() for record in provider(user, kind, occasion_id)
    ]
