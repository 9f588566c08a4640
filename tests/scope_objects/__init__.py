"""Objects outside community 1, one per route parameter, for the scope walk in tests/core."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jisheng.accounts.models import User
from jisheng.registry.models import Person


@dataclass
class ForeignContext:
    """What the registry part of the walk already made: community 2 (``org.c2``) and its people."""

    org: Any
    make_user: Callable[..., User]
    make_person: Callable[..., Person]
    other_worker: User  # a community worker of community 2
    other_person: Person  # a man in community 2, married to ``other_wife``
    other_wife: Person
