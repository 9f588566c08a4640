"""``{% record_url %}`` gives what ``{% url %}`` gives, for every route that takes one id, and
refuses a route that does not."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from jisheng.core.templatetags.record_urls import record_url


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
            assert record_url(name, record_id) == reverse(name, args=[record_id]), name


def test_in_a_template() -> None:
    html = Template("{% load record_urls %}{% record_url 'registry:person_detail' pk %}").render(
        Context({"pk": 17})
    )
    assert html == reverse("registry:person_detail", args=[17])


@pytest.mark.parametrize("name", ["registry:person_list", "accounts:role_revoke"])
def test_a_route_without_exactly_one_id_is_refused(name) -> None:
    with pytest.raises(NoReverseMatch):
        record_url(name, 1)
