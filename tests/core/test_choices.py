"""The kept label tables give what Django's own ``get_FOO_display`` gives, for every field with
choices, every choice, a value outside the choices, and both languages."""

from __future__ import annotations

from functools import partialmethod

from django.apps import apps
from django.db.models import Model
from django.utils import translation

from jisheng.core import choices
from jisheng.registry.models import Person


def _fields_with_choices() -> list[tuple[type[Model], object]]:
    return [
        (model, field)
        for model in apps.get_models(include_auto_created=True)
        for field in model._meta.concrete_fields
        if field.choices is not None and model.__module__.startswith("jisheng.")
    ]


def test_every_field_with_choices_uses_the_kept_table() -> None:
    found = _fields_with_choices()
    assert len(found) > 50
    for model, field in found:
        assert model.__dict__[f"get_{field.name}_display"].func is choices._display


def test_the_labels_are_django_s_own_in_both_languages() -> None:
    for model, field in _fields_with_choices():
        row = model()
        values = [value for value, _label in field.flatchoices] + ["not-a-choice"]
        for value in values:
            setattr(row, field.attname, value)
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    ours = getattr(row, f"get_{field.name}_display")()
                    django_s = Model._get_FIELD_display(row, field)
                assert ours == django_s, (model, field.name, value, language)


def test_a_model_s_own_display_method_would_be_left_alone() -> None:
    def own(self: Model) -> str:
        return "own"

    assert not choices._is_djangos_own(own)
    assert not choices._is_djangos_own(partialmethod(own))
    assert choices._is_djangos_own(partialmethod(Model._get_FIELD_display, field=None))


def test_a_fields_labels_by_value_in_the_active_language() -> None:
    for language, female in (("zh-hans", "女"), ("en", "Female")):
        with translation.override(language):
            assert choices.labels(Person, "sex")["F"] == female
            assert choices.labels(Person, "sex")["F"] == Person(sex="F").get_sex_display()
