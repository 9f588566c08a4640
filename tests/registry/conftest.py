"""Registry fixtures: an actor in community 1 and ready-made person data."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest

from jisheng.core.actors import Actor
from jisheng.core.idnumber import id_number_check_digit
from jisheng.core.roles import Role
from jisheng.registry.services.persons import PersonData

_sequence = itertools.count(300)


def new_id_number(birth: dt.date, sex: str) -> str:
    seq = next(_sequence) % 500 * 2 + (1 if sex == "M" else 0)
    body = f"370404{birth:%Y%m%d}{seq:03d}"
    return body + id_number_check_digit(body)


@pytest.fixture
def worker_actor(make_user) -> Actor:
    return Actor(user=make_user(Role.COMMUNITY_WORKER), ip="127.0.0.1")


@pytest.fixture
def person_data() -> Callable[..., PersonData]:
    def make(
        name: str = "王芳",
        sex: str = "F",
        birth_date: dt.date = dt.date(1995, 3, 8),
        **extra: object,
    ) -> PersonData:
        fields: dict[str, object] = {"phone": "13700001111", "address": "榴园社区1号楼101"}
        fields.update(extra)
        return PersonData(
            name=name,
            sex=sex,
            birth_date=birth_date,
            id_number=new_id_number(birth_date, sex),
            **fields,  # type: ignore[arg-type]
        )

    return make
