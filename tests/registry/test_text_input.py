"""Control characters are refused from the API, the forms and the import; a row stored
before the check still exports, and the data migration cleans it."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jisheng.core.roles import Role
from jisheng.core.text import clean_stored_text
from jisheng.registry.models import Person, PersonImport
from support.import_files import csv_bytes, resident_row, upload


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def worker_client(make_user, client_for) -> Client:
    return client_for(make_user(Role.COMMUNITY_WORKER))


@pytest.mark.parametrize("bad", ["\x01", "\x0b"])
def test_api_refuses_control_characters(org, worker_client, person_data, bad) -> None:
    data = person_data()
    body = {
        "name": f"王{bad}芳",
        "sex": data.sex,
        "birth_date": data.birth_date.isoformat(),
        "id_number": data.id_number,
        "community_id": org.c1.pk,
    }
    response = worker_client.post("/api/persons", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "control_characters"
    assert "控制字符" in response.json()["message"]
    assert not Person.objects.exists()


def test_api_refuses_control_characters_in_the_query(worker_client) -> None:
    response = worker_client.get("/api/persons", {"name": "王\x01"})
    assert response.status_code == 400
    assert response.json()["code"] == "control_characters"


@pytest.mark.parametrize("bad", ["\x01", "\x0b"])
def test_form_shows_the_refusal_and_keeps_the_input(org, worker_client, person_data, bad) -> None:
    data = person_data(name="赵敏")
    fields = {
        "name": "赵敏",
        "sex": data.sex,
        "birth_date": data.birth_date.isoformat(),
        "id_number": data.id_number,
        "phone": "13700002222",
        "ethnicity": "01",
        "hukou_type": "urban",
        "address": f"榴园社区{bad}3号楼",
        "marital_status": "10",
        "community": org.c1.pk,
        "date": "2026-03-01",
        "relation": "99",
    }
    response = worker_client.post(reverse("registry:person_register"), fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert "控制字符" in html
    assert 'value="赵敏"' in html
    assert not Person.objects.exists()


@pytest.mark.parametrize("bad", ["\x01", "\x0b"])
def test_import_reports_the_row_with_a_control_character(org, worker_client, bad) -> None:
    rows = [resident_row(0), resident_row(1, **{"现住址": f"榴园{bad}社区"})]
    response = worker_client.post("/api/imports/persons", {"file": upload(csv_bytes(rows))})
    body = response.json()
    assert body["state"] == PersonImport.State.INVALID
    assert [row["row"] for row in body["error_rows"]] == [3]
    assert "控制字符" in " ".join(body["error_rows"][0]["problems"])
    assert not Person.objects.exists()


def test_a_stored_bad_row_exports_and_the_migration_cleans_it(org, make_person, worker_client):
    person = make_person(org.c1, name="王芳")
    Person.objects.filter(pk=person.pk).update(name="王\x01芳", address="一\x0b号")
    response = worker_client.get(reverse("registry:person_export_xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    (first, *_rest) = sheet.iter_rows(min_row=2, values_only=True)
    assert first[0] == "王芳"

    clean_stored_text(apps, SimpleNamespace(connection=connection))
    person.refresh_from_db()
    assert (person.name, person.address) == ("王芳", "一号")
    assert person.phone == "13800138000"  # encrypted columns still decrypt
