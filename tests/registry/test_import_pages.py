"""Import pages and API: upload, result, template, bad rows; scope and ownership."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jisheng.core.roles import Role
from jisheng.registry.imports.files import TEMPLATE_HEADERS
from jisheng.registry.models import Person, PersonImport
from support.import_files import csv_bytes, resident_row, resident_rows, upload, xlsx_bytes

State = PersonImport.State


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"


@pytest.fixture
def worker_client(make_user, client_for) -> Client:
    return client_for(make_user(Role.COMMUNITY_WORKER, username="import_worker"))


def post_file(client: Client, content: bytes, name: str = "居民.csv", **data: object):
    return client.post(
        reverse("registry:person_import_new"), {"file": upload(content, name), **data}
    )


# --- pages ----------------------------------------------------------------------------------


def test_upload_page_explains_and_links_the_template(worker_client) -> None:
    response = worker_client.get(reverse("registry:person_import_new"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("registry:person_import_template") in html
    assert 'enctype="multipart/form-data"' in html
    for header in TEMPLATE_HEADERS:
        assert header in html


def test_template_download_is_the_xlsx_template(worker_client) -> None:
    response = worker_client.get(reverse("registry:person_import_template"))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(TEMPLATE_HEADERS)


def test_a_clean_upload_redirects_to_its_result(org, worker_client) -> None:
    response = post_file(worker_client, csv_bytes(resident_rows(12)))

    person_import = PersonImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:person_import_detail", args=[person_import.pk])
    page = worker_client.get(response["Location"])
    html = page.content.decode()
    assert 'data-state="done"' in html
    assert 'data-count="created">12<' in html
    assert "hx-get" not in html  # finished: nothing polls
    assert Person.objects.count() == 12


def test_a_file_with_bad_rows_shows_each_row_and_offers_them_back(org, worker_client) -> None:
    rows = resident_rows(5)
    rows[1][1] = "?"
    rows[3][3] = "3.70404E+17"
    response = post_file(worker_client, xlsx_bytes(rows), "居民.xlsx")
    person_import = PersonImport.objects.get()

    page = worker_client.get(response["Location"])

    html = page.content.decode()
    assert 'data-state="invalid"' in html
    assert 'data-row="3"' in html
    assert 'data-row="5"' in html
    assert 'data-count="errors">2<' in html
    assert 'data-count="created">0<' in html
    bad_rows_url = reverse("registry:person_import_bad_rows", args=[person_import.pk])
    assert bad_rows_url in html
    download = worker_client.get(bad_rows_url)
    assert download.status_code == 200
    assert download["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    assert sheet.max_row == 3
    assert sheet.cell(row=1, column=13).value == "错误说明"
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"", "a.csv"),
        (b"%PDF-1.4", "a.pdf"),
        (csv_bytes([["王芳"]], header=["姓名"]), "a.csv"),
    ],
    ids=["empty", "pdf", "missing-columns"],
)
def test_file_errors_are_shown_on_the_form(org, worker_client, content, name) -> None:
    response = post_file(worker_client, content, name)
    assert response.status_code == 400
    assert response.context["form"].errors["file"]
    assert not PersonImport.objects.exists()


def test_file_size_limit_is_shown_on_the_form(org, worker_client, settings) -> None:
    settings.JISHENG_IMPORT_MAX_BYTES = 100
    response = post_file(worker_client, csv_bytes(resident_rows(3)))
    assert response.status_code == 400
    assert "MB" in " ".join(response.context["form"].errors["file"])


def test_a_worker_is_offered_only_their_community(org, worker_client) -> None:
    response = worker_client.get(reverse("registry:person_import_new"))
    choices = list(response.context["form"].fields["community"].queryset)
    assert choices == [org.c1]
    refused = post_file(worker_client, csv_bytes([resident_row(0)]), community=org.c2.pk)
    assert refused.status_code == 400
    assert not PersonImport.objects.exists()


def test_street_staff_choose_a_community(org, make_user, client_for) -> None:
    client = client_for(make_user(Role.STREET_STAFF))
    response = post_file(client, csv_bytes([resident_row(0)]), community=org.c2.pk)
    assert response.status_code == 302
    assert Person.objects.get().community == org.c2


@pytest.mark.parametrize("role", [Role.LEADER, Role.DISTRICT_SUPERVISOR, Role.SECURITY_AUDITOR])
def test_roles_that_may_not_edit_the_registry_cannot_import(org, make_user, client_for, role):
    client = client_for(make_user(role))
    for url in (
        reverse("registry:person_import_new"),
        reverse("registry:person_import_template"),
    ):
        assert client.get(url).status_code == 403, (role, url)
    assert post_file(client, csv_bytes([resident_row(0)])).status_code == 403


def test_an_import_is_seen_only_by_its_owner(org, worker_client, make_user, client_for) -> None:
    rows = resident_rows(2)
    rows[0][1] = "?"
    post_file(worker_client, csv_bytes(rows))
    person_import = PersonImport.objects.get()
    urls = [
        reverse("registry:person_import_detail", args=[person_import.pk]),
        reverse("registry:person_import_bad_rows", args=[person_import.pk]),
    ]
    for url in urls:
        assert worker_client.get(url).status_code == 200, url
    # The street office sees the community, but not other people's uploads.
    for other in (
        client_for(make_user(Role.STREET_STAFF)),
        client_for(make_user(Role.COMMUNITY_WORKER)),
    ):
        for url in urls:
            assert other.get(url).status_code == 404, url


# --- API ------------------------------------------------------------------------------------


def test_api_upload_and_status(org, worker_client) -> None:
    response = worker_client.post(
        "/api/imports/persons", {"file": upload(csv_bytes(resident_rows(4)))}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "done"
    assert (body["total_rows"], body["created_count"], body["unchanged_count"]) == (4, 4, 0)
    assert body["progress_percent"] == 100
    assert body["error_rows"] == []
    status = worker_client.get(f"/api/imports/persons/{body['id']}")
    assert status.status_code == 200
    assert status.json()["created_count"] == 4


def test_api_reports_bad_rows_as_json(org, worker_client) -> None:
    rows = resident_rows(3)
    rows[2][0] = ""
    response = worker_client.post(
        "/api/imports/persons", {"file": upload(csv_bytes(rows)), "community_id": org.c1.pk}
    )
    body = response.json()
    assert body["state"] == "invalid"
    assert [entry["row"] for entry in body["error_rows"]] == [4]
    assert body["error_rows"][0]["problems"]
    assert (body["error_count"], body["errors_omitted"]) == (1, 0)


def test_api_file_errors_are_json_with_a_code(org, worker_client) -> None:
    response = worker_client.post(
        "/api/imports/persons",
        {"file": upload(csv_bytes([["王芳"]], header=["姓名"]))},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "missing_columns"
    assert "身份证号码" in response.json()["message"]


def test_api_foreign_community_and_foreign_import_are_refused(
    org, worker_client, make_user, client_for
) -> None:
    outside = worker_client.post(
        "/api/imports/persons",
        {"file": upload(csv_bytes([resident_row(0)])), "community_id": org.c2.pk},
    )
    assert outside.status_code == 404  # a community outside the area is not there at all
    assert outside.json()["code"] == "not_found"
    other = client_for(make_user(Role.STREET_STAFF))
    mine = worker_client.post(
        "/api/imports/persons", {"file": upload(csv_bytes([resident_row(1)]))}
    )
    response = other.get(f"/api/imports/persons/{mine.json()['id']}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
