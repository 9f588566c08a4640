"""Rows drawn by Jinja2 (core.rows): Django's escaping, translations, links and dates, and
every rows template compiles with all its text translated."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template, engines
from django.utils import translation

import jisheng
from jisheng.core import rows
from jisheng.core.rows import ENGINE, ymd

ROWS_TEMPLATES = sorted(Path(jisheng.__file__).parent.glob("*/jinja2/**/*.html"))
TRANSLATED = re.compile(r"""_\("([^"]+)"\)""")
COUNTED = re.compile(r"""ngettext\("([^"]+)", "([^"]+)",""")


def test_values_are_escaped_as_django_escapes_them() -> None:
    # The same five characters made safe (markupsafe writes &#34; where Django writes &quot;).
    raw = '<b>"O\'Neil" & co</b>'
    template = engines[ENGINE].from_string("<td>{{ name }}</td><td>{{ _(label) }}</td>")
    drawn = template.render({"name": raw, "label": "a < b"})
    django = Template("{{ name }}").render(Context({"name": raw}))
    cell = drawn.removeprefix("<td>").split("</td>")[0]
    assert html.unescape(cell) == html.unescape(django) == raw
    assert not set(cell) & set("<>\"'")
    assert drawn.endswith("<td>a &lt; b</td>")


def test_text_is_translated_into_the_active_language() -> None:
    template = engines[ENGINE].from_string('{{ _("floating") }}')
    with translation.override("zh-hans"):
        assert template.render({}) == "流动"
    with translation.override("en"):
        assert template.render({}) == "floating"


def test_links_by_id_and_the_rows_tag() -> None:
    page = Template('{% load rows %}{% rows "registry/person_rows.html" page=page %}').render(
        Context({"page": []})
    )
    assert 'class="empty"' in page
    links = '{% set link = id_link("registry:person_detail") %}{{ link(7) }} {{ link(8) }}'
    drawn = engines[ENGINE].from_string(links).render({})
    assert drawn == "/registry/persons/7/ /registry/persons/8/"


def test_counts_are_translated_as_blocktranslate_count_does() -> None:
    template = engines[ENGINE].from_string(
        '{{ ngettext("%(n)s alert", "%(n)s alerts", n) % {"n": n} }}'
    )
    django = Template(
        "{% load i18n %}{% blocktranslate count n=n %}{{ n }} alert{% plural %}"
        "{{ n }} alerts{% endblocktranslate %}"
    )
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for n in (1, 2):
                assert template.render({"n": n}) == django.render(Context({"n": n}))
    with translation.override("en"):
        assert template.render({"n": 1}) == "1 alert"


def test_an_apps_filters_are_given_to_the_rows() -> None:
    # PrepregnancyConfig.rows_filters: the couple's state badge, as the Django filter draws it.
    template = engines[ENGINE].from_string("{{ state|state_badge }}")
    django = Template("{% load couple_states %}{{ state|state_badge }}")
    for state in ("to_notify", "pregnant", "ended", "unknown"):
        assert template.render({"state": state}) == django.render(Context({"state": state}))


def test_dates_are_written_as_django_writes_y_m_d() -> None:
    assert ymd(None) == ""
    assert ymd(date(987, 3, 4)) == "0987-03-04"
    # 20:30 UTC is the next morning in Beijing (TIME_ZONE): the local date is shown.
    late = datetime(2026, 1, 31, 20, 30, tzinfo=UTC)
    assert ymd(late) == "2026-02-01"
    django = Template('{{ when|date:"Y-m-d" }}').render(Context({"when": late}))
    assert ymd(late) == django


@pytest.mark.parametrize("path", ROWS_TEMPLATES, ids=lambda path: path.name)
def test_each_rows_template_compiles_and_its_text_is_translated(path: Path) -> None:
    name = path.relative_to(path.parents[1]).as_posix()
    assert path.parent.parent.name == "jinja2", path
    engines[ENGINE].get_template(name)
    with translation.override("zh-hans"):
        for text in TRANSLATED.findall(path.read_text(encoding="utf-8")):
            assert translation.gettext(text) != text, f"{name}: {text!r} has no translation"
        for singular, plural in COUNTED.findall(path.read_text(encoding="utf-8")):
            for n, text in ((1, singular), (2, plural)):
                found = translation.ngettext(singular, plural, n)
                assert found != text, f"{name}: {text!r} has no translation"


def test_there_are_rows_templates() -> None:
    assert ROWS_TEMPLATES


def test_an_app_filter_may_not_replace_one_the_rows_have(monkeypatch) -> None:
    monkeypatch.setattr(rows, "rows_filters", lambda: {"length": len})
    with pytest.raises(ImproperlyConfigured, match="length"):
        rows.environment()
    monkeypatch.setattr(rows, "rows_filters", lambda: {"ymd": str})
    with pytest.raises(ImproperlyConfigured, match="ymd"):
        rows.environment()
