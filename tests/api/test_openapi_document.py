"""The OpenAPI document names each schema once, bounds every id and page, and lists the
error answers (``{code, message}``) of every operation."""

from __future__ import annotations

from collections import defaultdict

from ninja import Schema
from pydantic import BaseModel

from jisheng.core.api import ERROR_STATUSES, api
from jisheng.core.pages import MAX_ID


def _document() -> dict:
    return api.get_openapi_schema(path_prefix="/api/")


def _all_subclasses(cls: type) -> set[type]:
    found: set[type] = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_all_subclasses(sub)}
    return found


def test_no_two_schemas_share_a_name() -> None:
    """Ninja names a component after its class: two classes with one name would make one
    endpoint point at the other's shape (the pre-pregnancy follow-ups once did)."""
    components = set(_document()["components"]["schemas"])
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _all_subclasses(BaseModel) | _all_subclasses(Schema):
        if cls.__module__.startswith("jisheng.") and cls.__name__ in components:
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(paths) for name, paths in by_name.items() if len(paths) > 1}
    assert shared == {}


def test_every_id_and_page_is_bounded() -> None:
    """An id or page number beyond 64 bits is refused at the schema (422), never an
    OverflowError deep in the database driver."""
    unbounded = []
    for path, operations in _document()["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                types = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
                if "integer" in types:
                    limits = [schema, *schema.get("anyOf", [])]
                    if not any(s.get("maximum", MAX_ID + 1) <= MAX_ID for s in limits):
                        unbounded.append(f"{method.upper()} {path} {parameter['name']}")
    assert unbounded == []


def test_every_operation_lists_its_error_answers() -> None:
    for operations in _document()["paths"].values():
        for operation in operations.values():
            assert set(ERROR_STATUSES) <= set(operation["responses"])


def test_no_operation_lists_a_status_twice() -> None:
    """A route declaring its own 400 body must not get the shared 400 as well (the docs
    page's parser fails on an object with a key twice)."""
    from jisheng.core.api import api

    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            keys = list(operation["responses"])
            assert len({str(key) for key in keys}) == len(keys), (path, method, keys)
    history = api.get_openapi_schema()["paths"]["/api/benefits/batches/history"]["post"]
    assert "HistoryRefusedOut" in str(history["responses"]["400"])
