"""A damaged or hostile .xlsx (truncated sheet XML, a DOCTYPE with entities, billion laughs)
is refused as a whole file: a 400 with a Chinese message, no import record, no 500."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import openpyxl.xml
import pytest
from django.test import Client
from django.urls import reverse

from jisheng.core.roles import Role
from jisheng.registry.imports import files
from jisheng.registry.models import PersonImport
from support.import_files import resident_rows, upload, xlsx_bytes

SHEET = "xl/worksheets/sheet1.xml"


def _rewrite(content: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, change(data) if item.filename == part else data)
    return out.getvalue()


def _body(xml: bytes) -> bytes:
    """The part without its XML declaration, so a DOCTYPE can go in front."""
    return xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml


def _with_doctype(doctype: bytes, reference: bytes) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        body = _body(xml).replace(b"<v>", b"<v>" + reference, 1)
        return b'<?xml version="1.0"?>' + doctype + body

    return change


LAUGHS = (
    b'<!DOCTYPE lolz [<!ENTITY lol0 "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10))
    + b"]>"
)
DAMAGES: dict[str, tuple[str, Callable[[bytes], bytes]]] = {
    "truncated_at_the_end": (SHEET, lambda xml: xml[: len(xml) * 2 // 3]),
    "truncated_in_the_header": (SHEET, lambda xml: xml[:300]),
    "entity": (SHEET, _with_doctype(b'<!DOCTYPE w [<!ENTITY e "x">]>', b"&e;")),
    "billion_laughs": (SHEET, _with_doctype(LAUGHS, b"&lol9;")),
    "external_entity": (
        SHEET,
        _with_doctype(b'<!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>', b"&e;"),
    ),
    "damaged_workbook_part": ("xl/workbook.xml", lambda xml: xml[:100]),
}


def damaged(kind: str) -> bytes:
    part, change = DAMAGES[kind]
    return _rewrite(xlsx_bytes(resident_rows(60)), part, change)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def worker_client(make_user, client_for) -> Client:
    return client_for(make_user(Role.COMMUNITY_WORKER))


def test_openpyxl_parses_with_defusedxml() -> None:
    assert openpyxl.xml.DEFUSEDXML is True


@pytest.mark.parametrize("kind", list(DAMAGES))
def test_reading_a_damaged_workbook_is_one_file_error(tmp_path, kind) -> None:
    path = tmp_path / "居民.xlsx"
    path.write_bytes(damaged(kind))

    def read_all() -> None:
        list(files.rows(files.open_sheet(path, path.name)))

    with pytest.raises(files.ImportFileError) as caught:
        read_all()
    assert caught.value.code == "unreadable_file"


@pytest.mark.parametrize("kind", list(DAMAGES))
def test_api_refuses_a_damaged_workbook_with_400(org, worker_client, kind) -> None:
    response = worker_client.post(
        "/api/imports/persons", {"file": upload(damaged(kind), "居民.xlsx")}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "unreadable_file"
    assert "工作簿" in body["message"]
    assert "error_rows" not in body
    assert not PersonImport.objects.exists()


@pytest.mark.parametrize("kind", ["truncated_at_the_end", "billion_laughs"])
def test_upload_page_shows_the_file_error_on_the_form(org, worker_client, kind) -> None:
    response = worker_client.post(
        reverse("registry:person_import_new"), {"file": upload(damaged(kind), "居民.xlsx")}
    )
    assert response.status_code == 400
    assert "工作簿" in response.content.decode()
    assert not PersonImport.objects.exists()
