"""Hardship visits: recorded in scope, photos checked and served only in scope, spending totals."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from jisheng.audit.models import AuditEvent
from jisheng.benefits.care.selectors import relief_spending, spending_total, visit_years
from jisheng.benefits.care.services import visit_photos_attach, visit_record
from jisheng.benefits.models import Program, Visit, VisitPhoto
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden, JishengError, NotFound
from jisheng.core.roles import Role
from support.images import JPEG, PNG, has_gps

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 1, 20)


def jpeg(name: str = "photo.jpg", content: bytes = JPEG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


@pytest.fixture
def relief(program) -> Program:
    return program("hardship-visits")


def record(user, relief, person, **extra) -> Visit:
    values = {"date": DAY, "visitors": "街道 王主任、社区 李专干", "cost": "500.00"} | extra
    return visit_record(actor=Actor(user=user), program=relief, person=person, **values)


def test_community_worker_records_a_visit_to_a_household_of_the_community(
    worker, relief, make_person, make_household
) -> None:
    person = make_person()
    household = make_household(person)

    visit = record(worker, relief, person, household=household, given="米、面、油", note="春节")

    assert (visit.community, visit.household, visit.recorded_by) == (
        person.community,
        household,
        worker,
    )
    assert visit.cost == Decimal("500.00")
    assert AuditEvent.objects.filter(
        action="create", object_type="benefits.visit", object_id=str(visit.pk)
    ).exists()


def test_visit_under_a_program_that_is_not_relief_is_refused(worker, program, make_person) -> None:
    with pytest.raises(JishengError):
        record(worker, program("childcare-subsidy"), make_person())
    assert not Visit.objects.exists()


@pytest.mark.parametrize("cost", ["-1", "12.345", "abc"])
def test_a_cost_that_is_not_yuan_and_fen_at_or_above_zero_is_refused(
    worker, relief, make_person, cost
) -> None:
    with pytest.raises(JishengError):
        record(worker, relief, make_person(), cost=cost)


def test_a_visit_cannot_be_dated_tomorrow(worker, relief, make_person) -> None:
    with pytest.raises(JishengError):
        record(worker, relief, make_person(), date=timezone.localdate() + dt.timedelta(days=1))


def test_leader_cannot_record_visits(leader, relief, make_person) -> None:
    with pytest.raises(Forbidden):
        record(leader, relief, make_person())


def test_a_family_outside_the_community_is_not_found(worker, relief, make_person, org) -> None:
    with pytest.raises(NotFound):
        record(worker, relief, make_person(org.c2, name="李四"))


def test_the_household_must_be_the_residents_own(
    worker, relief, make_person, make_household
) -> None:
    person = make_person()
    other_household = make_household(make_person(name="王五"))
    with pytest.raises(JishengError):
        record(worker, relief, person, household=other_household)


def test_jpeg_and_png_photos_are_kept_under_random_names(worker, relief, make_person) -> None:
    visit = record(
        worker,
        relief,
        make_person(),
        photos=[jpeg("张三家.jpg"), SimpleUploadedFile("b.PNG", PNG, content_type="image/png")],
    )
    names = [photo.file.name for photo in visit.photos.all()]
    assert len(names) == 2
    assert all("张三" not in name and name.startswith("benefits/visits/") for name in names)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.gif", b"GIF89a" + b"\x00" * 20),
        ("photo.jpg", b"%PDF-1.7 not a photo"),
        ("a.pdf", b"%PDF-1.4"),
    ],
)
def test_photos_of_another_type_are_refused_and_nothing_is_stored(
    worker, relief, make_person, name, content
) -> None:
    person = make_person()
    with pytest.raises(JishengError):
        record(worker, relief, person, photos=[jpeg(), jpeg(name, content)])
    assert not Visit.objects.exists()
    visit = record(worker, relief, person)
    with pytest.raises(JishengError):
        visit_photos_attach(actor=Actor(user=worker), visit=visit, uploads=[jpeg(name, content)])
    assert not VisitPhoto.objects.exists()


def test_photos_are_served_only_to_users_whose_scope_holds_the_visit(
    worker, relief, make_person, make_user, client_for, org
) -> None:
    visit = record(worker, relief, make_person(), photos=[jpeg()])
    url = f"/benefits/visits/photos/{visit.photos.get().pk}/"

    response = client_for(worker).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    served = b"".join(response.streaming_content)
    # The stored picture is the re-encoded one (no metadata), still a JPEG.
    assert served.startswith(b"\xff\xd8\xff")
    assert not has_gps(served)
    assert "no-store" in response["Cache-Control"]
    assert client_for(make_user(Role.COMMUNITY_WORKER, org.c2)).get(url).status_code == 404
    assert client_for(make_user(Role.STREET_STAFF)).get(url).status_code == 200


def test_relief_spending_totals_visits_families_and_cost_by_community(
    worker, street, relief, make_person, make_household, make_user, org
) -> None:
    first = make_person()
    household = make_household(first)
    record(worker, relief, first, household=household, cost="300.00")
    record(worker, relief, first, household=household, cost="200.50", date=dt.date(2026, 9, 1))
    record(worker, relief, make_person(name="赵六"), cost="100.00")
    record(worker, relief, first, cost="999.00", date=dt.date(2025, 12, 31))  # another year
    c2_worker = make_user(Role.COMMUNITY_WORKER, org.c2)
    record(c2_worker, relief, make_person(org.c2, name="李四"), cost="50.00")
    other_relief = Program.objects.create(
        code="flood-relief",
        name="洪灾救助",
        category="relief",
        policy_document="—",
        unit="household",
        benefit_kind="in_kind",
    )
    record(worker, other_relief, first, cost="70.00")

    rows = relief_spending(street, relief, 2026)

    assert [(r.community_id, r.visits, r.families, r.cost) for r in rows] == [
        (org.c1.pk, 3, 2, Decimal("600.50")),
        (org.c2.pk, 1, 1, Decimal("50.00")),
    ]
    assert spending_total(rows).cost == Decimal("650.50")
    assert [r.community_id for r in relief_spending(worker, relief, 2026)] == [org.c1.pk]


def test_visit_years_are_the_years_with_visits_in_scope_newest_first(
    worker, street, relief, make_person, make_user, org
) -> None:
    assert visit_years(worker) == []
    person = make_person()
    record(worker, relief, person)
    for day in (dt.date(2024, 3, 1), dt.date(2024, 11, 30), dt.date(2022, 6, 1)):
        record(worker, relief, person, date=day)  # 2023 and 2025 have none
    c2_worker = make_user(Role.COMMUNITY_WORKER, org.c2)
    other = make_person(org.c2, name="李四")
    record(c2_worker, relief, other, date=dt.date(2023, 1, 1))
    record(c2_worker, relief, other, date=dt.date(2019, 12, 31))

    assert visit_years(worker) == [2026, 2024, 2022]
    assert visit_years(c2_worker) == [2023, 2019]
    assert visit_years(street) == [2026, 2024, 2023, 2022, 2019]


def test_visit_api_records_and_lists_within_scope(
    worker, leader, relief, make_person, client_for, org
) -> None:
    person = make_person()
    body = {
        "program_id": relief.pk,
        "person_id": person.pk,
        "date": "2026-01-20",
        "visitors": "王主任",
        "given": "慰问金",
        "cost": "300.00",
    }
    client = client_for(worker)
    response = client.post(
        "/api/benefits/visits", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["cost"] == "300.00"
    refused = client_for(leader).post(
        "/api/benefits/visits", json.dumps(body), content_type="application/json"
    )
    assert refused.status_code == 403
    negative = client.post(
        "/api/benefits/visits", json.dumps(body | {"cost": "-5"}), content_type="application/json"
    )
    assert negative.status_code == 422
    foreign = client.post(
        "/api/benefits/visits",
        json.dumps(body | {"person_id": make_person(org.c2, name="李四").pk}),
        content_type="application/json",
    )
    assert foreign.status_code == 404
    listed = client.get(f"/api/benefits/visits?year=2026&program_id={relief.pk}").json()
    assert [item["person_id"] for item in listed["items"]] == [person.pk]
    spending = client.get(f"/api/benefits/visits/spending?program_id={relief.pk}&year=2026")
    assert spending.json() == [
        {
            "community_id": org.c1.pk,
            "community": org.c1.name,
            "visits": 1,
            "families": 1,
            "cost": "300.00",
        }
    ]


def test_visit_export_is_an_xlsx_with_masked_numbers(
    worker, relief, make_person, client_for
) -> None:
    from openpyxl import load_workbook

    person = make_person()
    record(worker, relief, person, given="=HYPERLINK(1)")
    response = client_for(worker).get("/benefits/visits/export.xlsx?year=2026")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert person.id_number_masked in rows[1]
    assert "'=HYPERLINK(1)" in rows[1]
    assert AuditEvent.objects.filter(action="export", object_type="benefits.visit").exists()


def test_a_program_is_refused_to_a_role_without_the_duty(
    make_user, client_for, relief, worker, make_person
) -> None:
    """Programs are read by those whose pages show them (personal data): a partner reporter
    is refused the program and its spending, not answered with it."""
    from jisheng.benefits.care.selectors import relief_programs
    from jisheng.benefits.selectors import program_by_id

    record(worker, relief, make_person())
    reporter = make_user(Role.PARTNER_REPORTER)
    with pytest.raises(Forbidden):
        program_by_id(reporter, relief.pk)
    with pytest.raises(Forbidden):
        relief_programs(reporter, include_ended=True)
    assert program_by_id(worker, relief.pk) == relief

    api = client_for(reporter)
    spending = api.get(f"/api/benefits/visits/spending?program_id={relief.pk}&year={DAY.year}")
    assert spending.status_code == 403
    assert spending.json()["code"] == "forbidden"
    assert (
        client_for(worker)
        .get(f"/api/benefits/visits/spending?program_id={relief.pk}&year={DAY.year}")
        .json()[0]["visits"]
        == 1
    )
