"""Addresses reversed once per name (core.reversing): the same text as ``reverse()``, for
every route that takes one id and for the ones that take more."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import (
    NoReverseMatch,
    URLPattern,
    URLResolver,
    get_resolver,
    reverse,
    set_script_prefix,
)

from jisheng.core.reversing import id_link, id_url


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("registry:person_detail", (7,)),
        ("registry:person_detail", (0,)),
        ("registry:event_reverse", (12, 345)),
        ("registry:person_list", ()),
    ],
)
def test_an_address_is_what_reverse_gives(name: str, ids: tuple[int, ...]) -> None:
    assert id_url(name, *ids) == reverse(name, args=ids)
    assert id_url(name, *ids) == reverse(name, args=ids)  # from the kept pieces


def test_the_script_prefix_is_kept_apart() -> None:
    try:
        set_script_prefix("/jisheng/")
        assert id_url("registry:person_detail", 5) == "/jisheng/registry/persons/5/"
    finally:
        set_script_prefix("/")
    assert id_url("registry:person_detail", 5) == "/registry/persons/5/"


def test_what_is_no_plain_id_is_left_to_reverse() -> None:
    assert id_url("registry:person_detail", "5") == reverse("registry:person_detail", args=["5"])  # type: ignore[arg-type]
    with pytest.raises(NoReverseMatch):
        id_url("registry:person_detail", -1)
    with pytest.raises(NoReverseMatch):
        id_url("registry:person_detail", "x")  # type: ignore[arg-type]


@override_settings(ROOT_URLCONF="jisheng.urls")
def test_the_template_tag_escapes_as_url_does() -> None:
    rendered = Template(
        "{% load id_urls %}{% id_url 'registry:event_reverse' a b %}|"
        "{% url 'registry:event_reverse' a b %}"
    ).render(Context({"a": 3, "b": 4}))
    first, second = rendered.split("|")
    assert first == second


def _one_id_routes() -> list[str]:
    """Every named route whose only argument is an ``<int:...>`` id."""
    found = []

    def walk(patterns: list, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name:
                converters = getattr(entry.pattern, "converters", {})
                if (
                    len(converters) == 1
                    and type(next(iter(converters.values()))).__name__ == "IntConverter"
                ):
                    found.append(f"{namespace}{entry.name}")

    walk(get_resolver().url_patterns, "")
    return found


def test_every_one_id_route_gives_the_url_tag_s_url() -> None:
    routes = _one_id_routes()
    assert "registry:person_detail" in routes
    assert len(routes) > 50
    for name in routes:
        for record_id in (1, 42, 9_007_199_254_740_993):
            assert id_url(name, record_id) == reverse(name, args=[record_id]), name


def test_a_bound_link_gives_what_id_url_gives() -> None:
    link = id_link("registry:person_detail")
    assert (
        link(7)
        == id_url("registry:person_detail", 7)
        == reverse("registry:person_detail", args=(7,))
    )
    assert id_link("registry:event_reverse")(12, 345) == reverse(
        "registry:event_reverse", args=(12, 345)
    )
    # Not a plain id: reverse() decides, as it would for id_url.
    with pytest.raises(NoReverseMatch):
        link(-1)
