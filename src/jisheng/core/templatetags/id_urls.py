"""``{% id_url "registry:person_detail" person.pk %}``: ``{% url %}`` for pages that take
integer ids, reversed once per name (``core.reversing``)."""

from __future__ import annotations

from django import template

from jisheng.core.reversing import id_url as reversed_once

register = template.Library()


@register.simple_tag
def id_url(name: str, *ids: int) -> str:
    return reversed_once(name, *ids)
