"""The page shell: Chinese by default, navigation by role, strict CSP, progress fragment."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

import jisheng
from jisheng.accounts.models import User
from jisheng.accounts.services import role_grant, role_revoke
from jisheng.core.actors import Actor
from jisheng.core.modules import nav_sections
from jisheng.core.progress import progress_advance, progress_create, progress_start
from jisheng.core.roles import Role


def test_pages_are_chinese_by_default(db) -> None:
    response = Client().get("/accounts/login/")
    assert "登录".encode() in response.content
    assert b'lang="zh-hans"' in response.content


def test_every_message_has_a_chinese_translation() -> None:
    po = Path(jisheng.__file__).parent / "locale/zh_Hans/LC_MESSAGES/django.po"
    text = po.read_text(encoding="utf-8")
    assert 'msgstr ""\n\n' not in text.split("\n\n", 1)[1], "an untranslated message in django.po"
    assert po.with_suffix(".mo").stat().st_mtime >= po.stat().st_mtime - 1, "compile messages"


def test_navigation_shows_only_what_the_role_may_use(org, make_user, client_for) -> None:
    worker_page = client_for(make_user(Role.COMMUNITY_WORKER)).get("/").content.decode()
    assert "/registry/persons/" in worker_page
    assert "/audit/" not in worker_page
    auditor_page = client_for(make_user(Role.SECURITY_AUDITOR)).get("/").content.decode()
    assert "/audit/" in auditor_page
    assert "/registry/persons/" not in auditor_page


def _menu(page: str) -> list[tuple[str, str, bool]]:
    """(address, label, marked) of every menu entry on ``page``."""
    nav = re.search(r'<nav class="sidebar".*?</nav>', page, re.DOTALL)
    if nav is None:
        return []
    links = re.findall(r'<a href="([^"]*)"( class="active")?>([^<]*)</a>', nav.group())
    return [(url, label, bool(marked)) for url, marked, label in links]


def _menu_expected(user: User, active: str) -> list[tuple[str, str, bool]]:
    return [
        (reverse(link.url_name), escape(link.label), link.url_name == active)
        for section in nav_sections()
        for link in section.links
        if link.shown_to(user)
    ]


def test_every_role_sees_its_own_menu_with_the_page_marked(
    org, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    # The menu is built once per role set and language and reused (core.navigation.ShellMenu):
    # each role, each language and each page must still get its own.
    for role in Role:
        user = make_user(role)
        client = client_for(user)
        for language in ("zh-hans", "en"):
            client.cookies["django_language"] = language
            for view in ("accounts:password_change", "accounts:two_factor"):
                page = client.get(reverse(view)).content.decode()
                with translation.override(language):
                    assert _menu(page) == _menu_expected(user, view), (role, language, view)


def test_the_menu_follows_a_role_granted_during_the_session(
    org, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    # Another user of the same role keeps the menu built for the role meanwhile.
    worker, other = make_user(Role.COMMUNITY_WORKER), make_user(Role.COMMUNITY_WORKER)
    admin = make_user(Role.SECURITY_ADMIN)
    client, other_client = client_for(worker), client_for(other)
    assert "/audit/" not in client.get("/accounts/password/").content.decode()
    role_revoke(actor=Actor(user=admin), user=worker, role=Role.COMMUNITY_WORKER)
    role_grant(actor=Actor(user=admin), user=worker, role=Role.SECURITY_AUDITOR)
    page = client.get("/accounts/password/").content.decode()
    assert "/audit/" in page
    assert "/registry/persons/" not in page
    page = other_client.get("/accounts/password/").content.decode()
    assert "/registry/persons/" in page
    assert "/audit/" not in page


def test_a_near_empty_signed_in_page_reads_only_the_session_and_the_user(
    org, make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    # The floor every page stands on: the menu, roles and scope come from memory and the
    # session; only the session row and the user row (with its unit) are read.
    client = client_for(make_user(Role.STREET_STAFF))
    client.get("/reports/forms/")  # the first page keeps the access in the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/reports/forms/").status_code == 200
    tables = [re.search(r'FROM "(\w+)"', query["sql"]).group(1) for query in captured]  # type: ignore[union-attr]
    assert tables == ["django_session", "accounts_user"]


def test_content_security_policy_allows_only_the_app_itself(db) -> None:
    policy = Client().get("/accounts/login/").headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy


def test_templates_load_nothing_from_the_internet() -> None:
    root = Path(jisheng.__file__).parent
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        assert 'src="http' not in text, template
        assert 'href="http' not in text, template


def test_progress_fragment_shows_the_bar_to_its_owner_only(org, make_user, client_for) -> None:
    owner = make_user(Role.STREET_STAFF)
    progress = progress_create(owner_id=owner.pk, kind="test")
    progress_start(progress.pk, total=200)
    progress_advance(progress.pk, by=50)
    response = client_for(owner).get(f"/core/tasks/{progress.pk}/", HTTP_HX_REQUEST="true")
    assert b'aria-valuenow="25"' in response.content
    assert b"hx-trigger" in response.content  # keeps polling until finished
    other = client_for(make_user(Role.STREET_STAFF))
    assert other.get(f"/core/tasks/{progress.pk}/").status_code == 404


def test_a_polled_partial_is_never_shown_as_the_page_on_back(org, make_user, client_for) -> None:
    # The page and its htmx partial share one address: Back must not show the partial.
    owner = make_user(Role.STREET_STAFF)
    progress = progress_create(owner_id=owner.pk, kind="test")
    client = client_for(owner)
    page = client.get(f"/core/tasks/{progress.pk}/")
    partial = client.get(f"/core/tasks/{progress.pk}/", HTTP_HX_REQUEST="true")
    for response in (page, partial):
        assert "HX-Request" in response.headers["Vary"]
    assert "no-store" in partial.headers["Cache-Control"]
