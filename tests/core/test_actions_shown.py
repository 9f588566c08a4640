"""Every role sees only the actions it may take: no page shows a link or a button to a page
that refuses the role (the permission check of core.permissions)."""

from __future__ import annotations

import re
from collections import deque
from html import unescape

import pytest
from django.test import Client
from django.urls import Resolver404

from jisheng.accounts.models import User
from jisheng.core.templatetags.permissions import required_capabilities
from jisheng.demo.seed import DEMO_ACCOUNTS, seed_demo

LINK = re.compile(r'<(a|form)\b[^>]*?\b(?:href|action)="(/[^"#]*)"', re.IGNORECASE)
# Pages visited per role: enough to reach every module's list and a detail page of each.
PAGES_PER_ROLE = 120
SKIP = ("/static/", "/accounts/logout", "/i18n/", "/api/")


def shown_actions(html: str) -> set[str]:
    return {unescape(url) for _tag, url in LINK.findall(html)}


def offending_actions(username: str) -> dict[str, str]:
    """Actions shown to ``username`` on the pages reachable from home that refuse it."""
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    seen: set[str] = set()
    queue: deque[str] = deque(["/"])
    offending: dict[str, str] = {}
    visited = 0
    while queue and visited < PAGES_PER_ROLE:
        url = queue.popleft()
        response = client.get(url)
        visited += 1
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for action in shown_actions(response.content.decode()):
            path = action.split("?", 1)[0]
            if action in seen or path.startswith(SKIP):
                continue
            seen.add(action)
            try:
                capabilities = required_capabilities(path)
            except Resolver404:
                continue
            if capabilities is not None and not any(map(user.has_capability, capabilities)):
                offending[action] = url
                continue
            if "export" not in path and "download" not in path and "print" not in path:
                queue.append(action)
    return offending


@pytest.mark.django_db
def test_no_page_shows_an_action_the_role_is_refused() -> None:
    seed_demo(persons=300)
    offending = {username: offending_actions(username) for username, *_rest in DEMO_ACCOUNTS}
    assert not {name: found for name, found in offending.items() if found}
