"""The data inventory: every field of every jisheng model is declared personal, sensitive
personal or neither by its app (``data_inventory`` on the AppConfig), and a sensitive field
is encrypted unless the app says why not."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from jisheng.core import modules
from jisheng.core.fields import EncryptedTextField
from jisheng.core.modules import DataInventory

KINDS = ("personal", "sensitive", "neither")


def _declared(inventory: DataInventory, model: str) -> dict[str, list[str]]:
    """For each field name of ``model``, the kinds it is declared as."""
    found: dict[str, list[str]] = {}
    for kind in KINDS:
        for name in getattr(inventory, kind).get(model, ()):
            found.setdefault(name, []).append(kind)
    return found


def inventory_problems() -> list[str]:
    """Every field not classified exactly once, every stale entry, every sensitive field in
    clear without a reason."""
    problems: list[str] = []
    inventories = modules.data_inventories()
    for label, inventory in inventories.items():
        config = apps.get_app_config(label)
        app_models = {model.__name__: model for model in config.get_models()}
        if inventory is None:
            if app_models:
                problems.append(f"{config.label}: has models but no data_inventory")
            continue
        for name, model in app_models.items():
            declared = _declared(inventory, name)
            for field in model._meta.concrete_fields:
                kinds = declared.pop(field.name, [])
                where = f"{config.label}.{name}.{field.name}"
                if len(kinds) != 1:
                    problems.append(f"{where}: classified as {kinds or 'nothing'}")
                    continue
                encrypted = isinstance(field, EncryptedTextField)
                excused = f"{name}.{field.name}" in inventory.plaintext_sensitive
                if kinds == ["sensitive"] and not encrypted and not excused:
                    problems.append(f"{where}: sensitive but not encrypted")
                if encrypted and kinds != ["sensitive"]:
                    problems.append(f"{where}: encrypted but not declared sensitive")
            problems.extend(f"{config.label}.{name}.{extra}: no such field" for extra in declared)
        for kind in KINDS:
            problems.extend(
                f"{config.label}.{model}: no such model"
                for model in getattr(inventory, kind)
                if model not in app_models
            )
        for excused in inventory.plaintext_sensitive:
            model, _dot, field = excused.partition(".")
            if field not in inventory.sensitive.get(model, ()):
                problems.append(f"{config.label}.{excused}: excused but not declared sensitive")
    return problems


def test_every_field_of_every_jisheng_model_is_classified() -> None:
    assert inventory_problems() == []


def test_every_app_with_models_declares_an_inventory() -> None:
    jisheng_apps = {
        config.label for config in apps.get_app_configs() if config.name.startswith("jisheng.")
    }
    with_models = {label for label in jisheng_apps if list(apps.get_app_config(label).get_models())}
    declared = {label for label, found in modules.data_inventories().items() if found}
    assert with_models <= declared


def test_a_new_unclassified_field_fails_the_inventory() -> None:
    """A model that gains a field (added here as Django would from a models.py change) makes
    the inventory report it, until its app classifies it."""
    person = apps.get_model("registry", "Person")
    field = models.CharField(max_length=20, blank=True)
    field.contribute_to_class(person, "religion")
    try:
        assert inventory_problems() == ["registry.Person.religion: classified as nothing"]
    finally:
        person._meta.local_fields.remove(field)
        person._meta._expire_cache()
        delattr(person, "religion")
    assert inventory_problems() == []


def test_a_sensitive_field_in_clear_fails_unless_excused() -> None:
    inventory = modules.data_inventories()["registry"]
    assert inventory is not None
    person = apps.get_model("registry", "Person")
    field = models.CharField(max_length=20, blank=True)
    field.contribute_to_class(person, "religion")
    inventory.sensitive["Person"] = (*inventory.sensitive["Person"], "religion")
    try:
        assert inventory_problems() == ["registry.Person.religion: sensitive but not encrypted"]
    finally:
        inventory.sensitive["Person"] = inventory.sensitive["Person"][:-1]
        person._meta.local_fields.remove(field)
        person._meta._expire_cache()
        delattr(person, "religion")
