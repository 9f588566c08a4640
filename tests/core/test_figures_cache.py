"""core.figures_cache: figures are kept under everything they depend on, so a user never gets
figures computed for another area, other duties, another language or older rollups."""

from __future__ import annotations

from django.utils import translation

from jisheng.core.figures_cache import cached_figures, figures_key
from jisheng.core.roles import Role


def test_same_area_and_duties_share_one_key(org, make_user) -> None:
    one, two = make_user(Role.STREET_STAFF), make_user(Role.STREET_STAFF)
    assert figures_key("p", one, version=1) == figures_key("p", two, version=1)


def test_area_duties_language_version_page_and_params_each_change_the_key(org, make_user) -> None:
    staff = make_user(Role.STREET_STAFF)
    key = figures_key("p", staff, version=1, params=[("year", "2025")])
    others = {
        "another area": figures_key(
            "p", make_user(Role.COMMUNITY_WORKER, org.c2), version=1, params=[("year", "2025")]
        ),
        "other duties, same area": figures_key(
            "p", make_user(Role.LEADER), version=1, params=[("year", "2025")]
        ),
        "newer rollups": figures_key("p", staff, version=2, params=[("year", "2025")]),
        "another page": figures_key("q", staff, version=1, params=[("year", "2025")]),
        "another period": figures_key("p", staff, version=1, params=[("year", "2024")]),
        "the user's own": figures_key(
            "p", staff, version=1, params=[("year", "2025")], personal=True
        ),
    }
    with translation.override("en"):
        others["another language"] = figures_key("p", staff, version=1, params=[("year", "2025")])
    for why, other in others.items():
        assert other != key, why


def test_personal_figures_are_never_shared_between_users(org, make_user) -> None:
    one, two = make_user(Role.COMMUNITY_WORKER), make_user(Role.COMMUNITY_WORKER)
    assert figures_key("p", one, version=1, personal=True) != figures_key(
        "p", two, version=1, personal=True
    )


def test_an_inactive_user_shares_nothing_with_an_active_one(org, make_user) -> None:
    active, inactive = make_user(Role.STREET_STAFF), make_user(Role.STREET_STAFF)
    inactive.is_active = False
    assert figures_key("p", active, version=1) != figures_key("p", inactive, version=1)


def test_figures_are_built_once_per_key(org, make_user) -> None:
    staff = make_user(Role.STREET_STAFF)
    built: list[int] = []

    def build() -> list[int]:
        built.append(1)
        return [len(built)]

    assert cached_figures("p", staff, build, version=1) == [1]
    assert cached_figures("p", staff, build, version=1) == [1]
    assert cached_figures("p", staff, build, version=2) == [2]
    assert len(built) == 2
