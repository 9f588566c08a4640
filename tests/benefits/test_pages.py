"""The benefits pages, driven through the test client: forms, refusals as 4xx, files."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from jisheng.audit.models import AuditEvent
from jisheng.benefits.models import (
    Application,
    EligibleSnapshot,
    Entitlement,
    PaymentBatch,
    Program,
)
from jisheng.benefits.services.payments import batch_build
from jisheng.benefits.services.snapshots import snapshot_take
from jisheng.core.actors import Actor
from support.benefits import steps_taken_on


@pytest.fixture
def family_child(make_family):
    _h, mother, (child,) = make_family(
        husband_birth=dt.date(1990, 1, 1),
        wife_birth=dt.date(1992, 1, 1),
        children=(("F", dt.date(2025, 2, 3)),),
    )
    return mother, child


def test_program_pages_show_and_edit(client_for, street, worker) -> None:
    client = client_for(street)
    assert client.get("/benefits/").status_code == 200
    detail = client.get("/benefits/programs/special-support/")
    assert detail.status_code == 200
    assert "340.00" in detail.content.decode()
    assert client.get("/benefits/programs/special-support/edit/").status_code == 200
    assert client_for(worker).get("/benefits/programs/special-support/edit/").status_code == 403


def test_a_broken_rule_is_refused_on_the_form(client_for, street) -> None:
    client = client_for(street)
    form = client.get("/benefits/programs/childcare-subsidy/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {key: "" if value is None else value for key, value in data.items()}
    for key in ("rule", "funding_shares", "amount_tiers"):
        data[key] = form.fields[key].prepare_value(data[key])
    data["rule"] = '{"fact": "age", "op": ">=", "value": "sixty"}'
    response = client.post("/benefits/programs/childcare-subsidy/edit/", data)
    assert response.status_code == 400
    assert Program.objects.get(code="childcare-subsidy").rule != {"fact": "age"}
    data["rule"] = "{not json"
    assert client.post("/benefits/programs/childcare-subsidy/edit/", data).status_code == 400
    data["rule"] = '{"fact": "age_months", "op": "<", "value": 36}'
    data["amount"] = "3800.00"
    assert client.post("/benefits/programs/childcare-subsidy/edit/", data).status_code == 302
    assert str(Program.objects.get(code="childcare-subsidy").amount) == "3800.00"


def test_find_eligible_then_apply_for_the_chosen(client_for, worker, family_child) -> None:
    _mother, child = family_child
    client = client_for(worker)
    refreshed = client.post(
        "/benefits/programs/childcare-subsidy/eligible/refresh/",
        {"as_of": timezone.localdate().isoformat()},
    )
    assert refreshed.status_code == 302
    # The worker's part (the test's transaction never commits, so the task is not sent).
    snapshot = EligibleSnapshot.objects.get()
    snapshot_take(snapshot_id=snapshot.pk)
    page = client.get(refreshed["Location"])
    assert page.status_code == 200
    assert child.name in page.content.decode()
    assert f'name="snapshot" value="{snapshot.pk}"' in page.content.decode()
    assert AuditEvent.objects.filter(action="search", object_type="benefits.program").exists()
    response = client.post(
        "/benefits/programs/childcare-subsidy/eligible/apply/",
        {"snapshot": snapshot.pk, "person_ids": [child.pk]},
    )
    assert response.status_code == 302
    assert Application.objects.filter(person=child).count() == 1
    assert client.get("/benefits/programs/childcare-subsidy/eligible/?as_of=bad").status_code == 400


def test_application_form_refuses_with_the_reasons(client_for, worker, make_person) -> None:
    adult = make_person(name="成年人")
    client = client_for(worker)
    response = client.post("/benefits/programs/childcare-subsidy/apply/", {"person_id": adult.pk})
    assert response.status_code == 400
    assert "成年人" in response.content.decode()
    # A resident not in the area is a form error (picked from the matches), never a dead end.
    missing = client.post("/benefits/programs/childcare-subsidy/apply/", {"person_id": 999999})
    assert missing.status_code == 400
    assert 'data-testid="picker-person_id"' in missing.content.decode()


def test_the_application_page_takes_steps_and_documents(
    client_for, worker, street, family_child
) -> None:
    _mother, child = family_child
    client = client_for(worker)
    response = client.post("/benefits/programs/childcare-subsidy/apply/", {"person_id": child.pk})
    application = Application.objects.get(person=child)
    assert response.status_code == 302
    page = client.get(f"/benefits/applications/{application.pk}/")
    assert page.status_code == 200
    assert 'data-testid="act-check"' in page.content.decode()
    # The worker who explains the decision reaches the facts the rule read: the family view.
    assert f'href="/registry/persons/{child.pk}/family/"' in page.content.decode()
    assert (
        client.post(
            f"/benefits/applications/{application.pk}/act/", {"action": "review"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/benefits/applications/{application.pk}/act/", {"action": "check"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/benefits/applications/{application.pk}/act/", {"action": "check"}
        ).status_code
        == 409
    )
    pdf = SimpleUploadedFile("出生证明.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert (
        client.post(
            f"/benefits/applications/{application.pk}/documents/",
            {"title": "出生证明", "file": pdf},
        ).status_code
        == 302
    )
    fake = SimpleUploadedFile("photo.png", b"MZ executable", content_type="image/png")
    assert (
        client.post(
            f"/benefits/applications/{application.pk}/documents/", {"file": fake}
        ).status_code
        == 400
    )
    document = application.documents.get()
    download = client.get(f"/benefits/documents/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.get(f"/benefits/applications/{application.pk}/form/").status_code == 200


def test_notice_page_masks_names_and_takes_objections(
    client_for, worker, street, leader, family_child, enroll
) -> None:
    _mother, child = family_child
    worker_client, street_client = client_for(worker), client_for(street)
    worker_client.post("/benefits/programs/childcare-subsidy/apply/", {"person_id": child.pk})
    application = Application.objects.get(person=child)
    worker_client.post(f"/benefits/applications/{application.pk}/act/", {"action": "check"})
    street_client.post(f"/benefits/applications/{application.pk}/act/", {"action": "review"})
    steps_taken_on(application, dt.date(2026, 10, 31))
    assert street_client.get("/benefits/programs/childcare-subsidy/notice/").status_code == 200
    response = street_client.post(
        "/benefits/programs/childcare-subsidy/notice/",
        {"application_ids": [application.pk], "starts_on": "2026-11-01", "days": 7, "title": ""},
    )
    assert response.status_code == 302
    notice_url = response["Location"]
    page = street_client.get(notice_url).content.decode()
    sheet = page[page.index('data-testid="notice-sheet"') : page.index("</article>")]
    assert "王*红" in sheet
    assert child.name not in sheet  # the printed list is masked; the staff forms below are not
    notice_id = int(notice_url.rstrip("/").rsplit("/", 1)[-1])
    assert (
        street_client.post(
            f"/benefits/notices/{notice_id}/objections/",
            {
                "application_id": application.pk,
                "received_on": "2026-11-02",
                "content": "不在本地居住",
            },
        ).status_code
        == 302
    )
    objection = application.objections.get()
    assert (
        street_client.post(
            f"/benefits/objections/{objection.pk}/resolve/",
            {"upheld": "no", "resolution": "已核实"},
        ).status_code
        == 302
    )
    assert (
        client_for(leader)
        .post(f"/benefits/applications/{application.pk}/act/", {"action": "approve"})
        .status_code
        == 302
    )
    assert Entitlement.objects.filter(person=child, status="active").exists()


def _approved_batch(client_for, street, leader, make_family, enroll, program) -> PaymentBatch:
    husband, _w, _k = make_family(hukou="rural", children=(("M", dt.date(1985, 1, 1)),))
    husband.name = "=HYPERLINK(1)"
    husband.save()
    enroll(program("rural-reward-support"), husband)
    street_client = client_for(street)
    # Built as the task worker builds it (the build page itself: test_batch_task.py).
    batch = batch_build(
        actor=Actor(user=street), program=program("rural-reward-support"), period_key="2026"
    )
    assert street_client.post(f"/benefits/batches/{batch.pk}/review/").status_code == 302
    assert client_for(leader).post(f"/benefits/batches/{batch.pk}/approve/").status_code == 302
    return batch


def test_batch_pages_export_and_settle(
    client_for, street, leader, make_family, enroll, program
) -> None:
    batch = _approved_batch(client_for, street, leader, make_family, enroll, program)
    client = client_for(street)
    assert client.get(f"/benefits/batches/{batch.pk}/").status_code == 200
    xlsx = client.get(
        f"/benefits/batches/{batch.pk}/export/?format=xlsx&columns=person_name&columns=payee_id_number&columns=amount"
    )
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert len(rows[1][1]) == 18
    assert rows[1][2] == 960
    csv_response = client.get(
        f"/benefits/batches/{batch.pk}/export/?format=csv&columns=seq&columns=amount"
    )
    lines = list(
        csv.reader(io.StringIO(b"".join(csv_response.streaming_content).decode("utf-8-sig")))
    )
    assert lines[1] == ["1", "960.00"]
    assert (
        AuditEvent.objects.filter(action="export", object_type="benefits.paymentbatch").count() == 2
    )
    assert (
        client.get(f"/benefits/batches/{batch.pk}/export/?format=xlsx&columns=nope").status_code
        == 400
    )
    settle = client.post(
        f"/benefits/batches/{batch.pk}/settle/", {"outcome": "paid", "all_pending": "1"}
    )
    assert settle.status_code == 302
    assert batch.lines.get().status == "paid"
    assert client.get("/benefits/reports/?year=2026").status_code == 200
    assert client.get("/benefits/reports/?year=20x6").status_code == 400


def test_a_draft_batch_cannot_be_exported(client_for, street, make_family, enroll, program) -> None:
    husband, _w, _k = make_family(hukou="rural", children=(("M", dt.date(1985, 1, 1)),))
    enroll(program("rural-reward-support"), husband)
    client = client_for(street)
    batch = batch_build(
        actor=Actor(user=street), program=program("rural-reward-support"), period_key="2026"
    )
    assert (
        client.get(f"/benefits/batches/{batch.pk}/export/?format=csv&columns=seq").status_code
        == 409
    )


def test_person_benefits_page_explains_each_open_program(client_for, worker, family_child) -> None:
    _mother, child = family_child
    page = client_for(worker).get(f"/benefits/persons/{child.pk}/")
    assert page.status_code == 200
    assert 'data-program="childcare-subsidy" data-eligible="yes"' in page.content.decode()
    assert AuditEvent.objects.filter(
        action="view", object_type="registry.person", object_id=str(child.pk)
    ).exists()


def test_home_page_lists_benefits_work_waiting(client_for, worker, street, family_child) -> None:
    _mother, child = family_child
    client_for(worker).post("/benefits/programs/childcare-subsidy/apply/", {"person_id": child.pk})
    home = client_for(worker).get("/").content.decode()
    assert 'data-waiting="to_check"' in home
    assert 'data-waiting="to_review"' not in client_for(street).get("/").content.decode()


def test_yearly_totals_show_relief_visits_spending(
    client_for, worker, street, make_person, program
) -> None:
    from decimal import Decimal

    from jisheng.benefits.care.services import visit_record
    from jisheng.core.actors import Actor

    family = make_person(name="困难户")
    visit_record(
        actor=Actor(user=worker),
        program=program("hardship-visits"),
        person=family,
        date=dt.date(2026, 1, 20),
        visitors="街道计生办",
        given="慰问金",
        cost=Decimal("800.00"),
    )
    page = client_for(street).get("/benefits/reports/?year=2026").content.decode()
    assert 'data-testid="relief-hardship-visits"' in page
    assert 'data-relief-total="800.00"' in page


def test_a_disability_grade_recorded_on_the_page_feeds_the_rules(
    client_for, worker, family_child
) -> None:
    from jisheng.benefits.models import DisabilityRecord

    _mother, child = family_child
    client = client_for(worker)
    response = client.post(
        f"/benefits/persons/{child.pk}/disability/",
        {"grade": "2", "certificate_number": "37040420", "recorded_on": "2026-01-05"},
    )
    assert response.status_code == 302
    assert DisabilityRecord.objects.get(person=child).grade == 2
    assert (
        client.post(f"/benefits/persons/{child.pk}/disability/", {"grade": "9"}).status_code == 400
    )


def test_a_community_worker_records_an_objection_on_the_application_page(
    client_for, worker, street, family_child
) -> None:
    import datetime as dt

    from jisheng.benefits.services.applications import application_create, application_transition
    from jisheng.benefits.services.notices import notice_publish
    from jisheng.core.actors import Actor

    _mother, child = family_child
    subsidy = Program.objects.get(code="childcare-subsidy")
    application = application_create(actor=Actor(user=worker), program=subsidy, person=child)
    application_transition(actor=Actor(user=worker), application=application, action="check")
    application_transition(actor=Actor(user=street), application=application, action="review")
    steps_taken_on(application, dt.date(2026, 10, 31))
    notice_publish(
        actor=Actor(user=street),
        program=subsidy,
        application_ids=[application.pk],
        starts_on=dt.date(2026, 11, 1),
    )
    client = client_for(worker)
    assert (
        'data-testid="application-objection-form"'
        in client.get(f"/benefits/applications/{application.pk}/").content.decode()
    )
    response = client.post(
        f"/benefits/applications/{application.pk}/objections/",
        {"application_id": application.pk, "received_on": "2026-11-02", "content": "邻居反映"},
    )
    assert response.status_code == 302
    assert application.objections.count() == 1
