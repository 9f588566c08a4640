"""A list's filter fields are drawn once and kept: the kept HTML is what drawing gives, in
each language, for each user's own communities, with a renamed community shown at once, and a
form with errors is always drawn afresh."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.http import QueryDict
from django.utils import translation

from jisheng.core.lookups import community_choices
from jisheng.core.roles import Role
from jisheng.core.templatetags import filter_fields as tag
from jisheng.registry.forms import PersonFilterForm

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The forms actually drawn (not taken from the cache)."""
    calls: list[str] = []
    draw = tag._draw

    def counted(form: PersonFilterForm) -> str:
        calls.append(type(form).__name__)
        return draw(form)

    monkeypatch.setattr(tag, "_draw", counted)
    return calls


def _form(user, query: str = "") -> PersonFilterForm:
    form = PersonFilterForm(QueryDict(query) or None, communities=community_choices(user))
    if form.is_bound:
        form.is_valid()
    return form


@pytest.mark.parametrize("query", ["", "community=", "status=living"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_kept_html_is_the_drawn_html(make_user, drawn, query, language) -> None:
    street = make_user(Role.STREET_STAFF)
    with translation.override(language):
        first = tag.filter_fields(_form(street, query))
        again = tag.filter_fields(_form(street, query))
        assert again == first == tag._draw(_form(street, query))
    assert drawn.count("PersonFilterForm") == 2  # the first and the direct one, not `again`
    assert 'name="name"' in first
    assert ("Name" in first) == (language == "en")


def test_each_user_gets_their_own_communities(org, make_user) -> None:
    street = tag.filter_fields(_form(make_user(Role.STREET_STAFF)))
    worker = tag.filter_fields(_form(make_user(Role.COMMUNITY_WORKER, org.c1)))
    assert org.c1.name in street
    assert org.c2.name in street
    assert org.c1.name in worker
    assert org.c2.name not in worker


def test_a_renamed_community_shows_at_once(org, make_user) -> None:
    worker = make_user(Role.COMMUNITY_WORKER, org.c1)
    assert org.c1.name in tag.filter_fields(_form(worker))
    org.c1.name = "新名社区"
    org.c1.save(update_fields=["name"])
    assert "新名社区" in tag.filter_fields(_form(worker))


def test_the_chosen_values_are_part_of_the_key(make_user) -> None:
    street = make_user(Role.STREET_STAFF)
    assert '<option value="living" selected>' in tag.filter_fields(_form(street, "status=living"))
    assert '<option value="deceased" selected>' in tag.filter_fields(
        _form(street, "status=deceased")
    )


@pytest.mark.parametrize("query", ["name=张", "id_number=370404199001011234", "age_min=3"])
def test_typed_text_is_drawn_afresh_and_never_kept(make_user, drawn, query) -> None:
    """What people search for (a name, an ID number) is personal data: not kept in memory."""
    street = make_user(Role.STREET_STAFF)
    typed = query.split("=")[1]
    for _ in range(2):
        assert f'value="{typed}"' in tag.filter_fields(_form(street, query))
    assert drawn == ["PersonFilterForm", "PersonFilterForm"]
    kept = [cache.get(key) for key in cache._cache]  # type: ignore[attr-defined]
    assert not any(typed in str(value) for value in kept)


def test_a_form_with_errors_is_drawn_afresh_with_its_input(make_user, drawn) -> None:
    street = make_user(Role.STREET_STAFF)
    for _ in range(2):
        html = tag.filter_fields(_form(street, "age_min=abc"))
        assert 'value="abc"' in html
        assert 'aria-invalid="true"' in html
    assert drawn == ["PersonFilterForm", "PersonFilterForm"]
