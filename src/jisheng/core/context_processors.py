"""What every page's shell needs: the navigation the user's roles allow, the demo banner,
and a refused form to fill back in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from jisheng.core.navigation import ShellMenu


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    # A page shown again after a refused form (core.exceptions.page_again).
    refused = getattr(request, "refused_post", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "is_demo": False, "refused_post": refused}
    match = request.resolver_match
    menu = ShellMenu(user, match.view_name if match is not None else None)
    unit = getattr(user, "org_unit", None)
    return {
        "nav_sections": menu,
        "is_demo": bool(unit and unit.is_demo),
        "refused_post": refused,
    }
