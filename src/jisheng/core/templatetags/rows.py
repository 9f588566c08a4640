"""``{% rows "registry/person_rows.html" page=page %}``: a list's rows drawn by Jinja2
(``core.rows``): the named template gets the keyword arguments as its context."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from jisheng.core.rows import draw

register = template.Library()


@register.simple_tag
def rows(template_name: str, **context: Any) -> SafeString:
    return draw(template_name, context)
