"""The page shell: Chinese by default, navigation by role, strict CSP, progress fragment."""

from __future__ import annotations

from pathlib import Path

from django.test import Client

import jisheng
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
