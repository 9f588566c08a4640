"""What every page's shell needs: the navigation the user's roles allow, the demo banner,
and a refused form to fill back in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from jisheng.core.modules import nav_sections


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    # A page shown again after a refused form (core.exceptions.page_again).
    refused = getattr(request, "refused_post", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "is_demo": False, "refused_post": refused}
    sections = []
    for section in nav_sections():
        links = [
            {
                "label": link.label,
                "url": reverse(link.url_name),
                "active": request.resolver_match is not None
                and request.resolver_match.view_name == link.url_name,
            }
            for link in section.links
            if link.shown_to(user)
        ]
        if links:
            sections.append({"label": section.label, "links": links})
    unit = getattr(user, "org_unit", None)
    return {
        "nav_sections": sections,
        "is_demo": bool(unit and unit.is_demo),
        "refused_post": refused,
    }
