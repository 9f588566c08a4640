"""The Chinese UI holds no English: the main pages of every role, rendered under zh-hans,
show no ASCII word outside a short list of terms staff use as they are."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser

import pytest
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.test import Client
from django.utils import translation

from jisheng.accounts.models import User
from jisheng.benefits.models import Program
from jisheng.benefits.preload import preload_programs
from jisheng.core.roles import Role

# Terms Chinese offices write in Latin letters, and the language switch's own name.
ALLOWED = frozenset(
    {"API", "CSV", "Excel", "ID", "IP", "JSON", "TOTP", "English", "OpenAPI", "GB", "IgG"}
)
# Text to be typed as it is (a quoted JSON literal, an HTTP header, a pinyin example) and code
# (``<code>``, ``<pre>``, ``class="mono"``: rule facts, tokens) is not interface language.
LITERAL = re.compile(r'"[^"]*"|“[^”]*”|Authorization: Bearer|[a-z]{2,4}(?=[）)])')
WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class _Text(HTMLParser):
    """What a reader sees: text outside scripts and styles, option labels, and the
    attributes a browser shows (tooltips, placeholders)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0
        self._hidden_tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag in {"script", "style", "code", "pre"} or "mono" in classes:
            self._hidden_tags.append(tag)
            self._hidden += 1
        self.parts.extend(value or "" for name, value in attrs if name in SHOWN_ATTRIBUTES)
        if tag == "input" and dict(attrs).get("type") in {"submit", "button"}:
            self.parts.append(dict(attrs).get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if self._hidden_tags and self._hidden_tags[-1] == tag:
            self._hidden_tags.pop()
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def english_words(html: str) -> set[str]:
    parser = _Text()
    parser.feed(html)
    # User names are data people chose in Latin letters ("cli": the trail's command line).
    data = {
        word
        for name in User.objects.values_list("username", flat=True)
        for word in WORD.findall(name)
    } | {"cli"}
    words = {word for part in parser.parts for word in WORD.findall(LITERAL.sub(" ", part))}
    return words - ALLOWED - data


PAGES: dict[Role, tuple[str, ...]] = {
    Role.COMMUNITY_WORKER: (
        "/",
        "/registry/persons/",
        "/registry/persons/register/",
        "/registry/persons/move-in/",
        "/registry/duplicates/",
        "/contraceptives/outreach/",
        "/prepregnancy/referrals/",
        "/prepregnancy/overdue/",
        "/registry/households/",
        "/benefits/",
        "/benefits/applications/",
        "/prepregnancy/couples/",
        "/prepregnancy/followups/",
        "/prepregnancy/indicators/",
        "/prepregnancy/risk-factors/",
        "/contraceptives/",
        "/contraceptives/roster/",
        "/contraceptives/reports/issues/",
        "/contraceptives/reports/stock/",
        "/contraceptives/reports/expiry/",
        "/contraceptives/reports/roster/",
        "/contraceptives/products/",
        "/accounts/password/",
        "/accounts/tokens/",
        "/dashboard/",
    ),
    Role.STREET_STAFF: (
        "/",
        "/benefits/",
        "/benefits/programs/new/",
        "/benefits/programs/special-support/",
        "/benefits/programs/childcare-subsidy/",
        "/benefits/programs/school-bonus-check/",
        "/benefits/batches/",
        "/benefits/notices/",
        "/dashboard/",
    ),
    Role.LEADER: (
        "/",
        "/prepregnancy/indicators/",
        "/contraceptives/reports/issues/",
        "/dashboard/",
    ),
    Role.DISTRICT_SUPERVISOR: ("/", "/dashboard/"),
    Role.PARTNER_REPORTER: ("/",),
    Role.SYSTEM_ADMIN: ("/", "/accounts/users/", "/accounts/org-units/"),
    Role.SECURITY_ADMIN: ("/", "/accounts/roles/"),
    Role.SECURITY_AUDITOR: ("/", "/audit/"),
}


@pytest.fixture
def programs(db: None) -> None:
    preload_programs(Program)


@pytest.mark.parametrize("role", list(PAGES), ids=lambda role: role.value)
def test_the_main_pages_of_each_role_show_no_english(
    role: Role,
    programs: None,
    make_user: Callable[..., User],
    make_person,
    make_household,
    client_for: Callable[[User], Client],
) -> None:
    make_household(make_person(name="王秀英", sex="F"))
    user = make_user(role)
    User.objects.filter(pk=user.pk).update(full_name="测试用户")
    client = client_for(User.objects.get(pk=user.pk))
    found: dict[str, set[str]] = {}
    for path in PAGES[role]:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, path
        words = english_words(response.content.decode())
        if words:
            found[path] = words

    assert found == {}, sorted((p, sorted(w)) for p, w in found.items())


def test_djangos_own_blank_choice_label_is_in_chinese() -> None:
    # Django 6 labels an empty choice "- Select an option -" and has no Chinese for it yet.
    with translation.override("zh-hans"):
        assert str(BLANK_CHOICE_LABEL) == "- 请选择 -"
