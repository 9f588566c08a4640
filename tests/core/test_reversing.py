"""Addresses reversed once per name (core.reversing) and choice labels translated once per
language (the ``label`` filter): the same text as ``reverse()`` and ``get_FOO_display``."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix
from django.utils import translation

from jisheng.core.reversing import id_url
from jisheng.registry.models import LifeEvent, Person


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("registry:person_detail", (7,)),
        ("registry:person_detail", (0,)),
        ("registry:event_reverse", (12, 345)),
        ("registry:person_list", ()),
    ],
)
def test_an_address_is_what_reverse_gives(name: str, ids: tuple[int, ...]) -> None:
    assert id_url(name, *ids) == reverse(name, args=ids)
    assert id_url(name, *ids) == reverse(name, args=ids)  # from the kept pieces


def test_the_script_prefix_is_kept_apart() -> None:
    try:
        set_script_prefix("/jisheng/")
        assert id_url("registry:person_detail", 5) == "/jisheng/registry/persons/5/"
    finally:
        set_script_prefix("/")
    assert id_url("registry:person_detail", 5) == "/registry/persons/5/"


def test_what_is_no_plain_id_is_left_to_reverse() -> None:
    assert id_url("registry:person_detail", "5") == reverse("registry:person_detail", args=["5"])  # type: ignore[arg-type]
    with pytest.raises(NoReverseMatch):
        id_url("registry:person_detail", -1)
    with pytest.raises(NoReverseMatch):
        id_url("registry:person_detail", "x")  # type: ignore[arg-type]


@override_settings(ROOT_URLCONF="jisheng.urls")
def test_the_template_tag_escapes_as_url_does() -> None:
    rendered = Template(
        "{% load id_urls %}{% id_url 'registry:event_reverse' a b %}|"
        "{% url 'registry:event_reverse' a b %}"
    ).render(Context({"a": 3, "b": 4}))
    first, second = rendered.split("|")
    assert first == second


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_label_is_what_get_display_shows(language: str) -> None:
    template = Template(
        '{% load labels %}{{ p|label:"sex" }}|{{ p|label:"status" }}|{{ e|label:"kind" }}'
    )
    with translation.override(language):
        for sex, status, kind in (("F", "living", "birth"), ("M", "moved_out", "correction")):
            person, event = Person(sex=sex, status=status), LifeEvent(kind=kind)
            shown = (
                person.get_sex_display(),
                person.get_status_display(),
                event.get_kind_display(),
            )
            assert template.render(Context({"p": person, "e": event})) == "|".join(shown)
        unknown = Person(sex="X", status="")
        assert template.render(Context({"p": unknown, "e": None})) == "X||"
