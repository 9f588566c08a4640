"""The home panel of roles that oversee: the counts and reports open to them."""

from __future__ import annotations

from django.urls import reverse

from jisheng.accounts.models import User
from jisheng.core.modules import HomePanel, nav_sections
from jisheng.core.roles import Capability


def home_panels(user: User) -> list[HomePanel]:
    """Leaders and supervisors: a link to every page an app opens to ``VIEW_AGGREGATES``."""
    if not user.has_capability(Capability.VIEW_AGGREGATES):
        return []
    links = [
        {"label": link.label, "url": reverse(link.url_name)}
        for section in nav_sections()
        for link in section.links
        if isinstance(link.capability, tuple) and Capability.VIEW_AGGREGATES in link.capability
    ]
    return [HomePanel("reports/_oversight_panel.html", {"links": links})] if links else []
