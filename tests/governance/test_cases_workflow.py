"""两非 case files: clue → investigation → handling → closure, deadlines, evidence, pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict
from jisheng.core.roles import Role
from jisheng.governance.models import Case, CaseEvidence, CaseStage, ClueSource
from jisheng.governance.selectors import cases as selectors
from jisheng.governance.services import cases as services

DAY = dt.timedelta(days=1)
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings, tmp_path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def officer(make_user) -> Actor:
    return Actor(user=make_user(Role.CASE_OFFICER))


def _open(officer: Actor, received: dt.date) -> Case:
    return services.case_open(
        actor=officer, source=ClueSource.REPORT, summary="群众举报", received_on=received
    )


def test_a_case_goes_from_clue_to_closure(officer) -> None:
    today = timezone.localdate()
    case = _open(officer, today - 20 * DAY)
    assert case.stage == CaseStage.CLUE
    assert case.due_on == today - 13 * DAY
    case = services.case_investigate(actor=officer, case_id=case.pk, started_on=today - 19 * DAY)
    assert case.stage == CaseStage.INVESTIGATION
    assert case.due_on == today + 11 * DAY
    case = services.case_transfer(
        actor=officer,
        case_id=case.pk,
        transfer_to="police",
        receiving_unit="峄城区公安分局",
        reference="峄公移〔2026〕3号",
        transferred_on=today - 5 * DAY,
        findings="查实一名中介",
    )
    assert case.stage == CaseStage.HANDLING
    assert case.receiving_unit == "峄城区公安分局"
    case = services.case_close(
        actor=officer,
        case_id=case.pk,
        closed_on=today,
        result="substantiated",
        result_text="已立案查处",
    )
    assert case.stage == CaseStage.CLOSED
    again = services.case_close(
        actor=officer,
        case_id=case.pk,
        closed_on=today,
        result="substantiated",
        result_text="已立案查处",
    )
    assert again.pk == case.pk


def test_a_step_out_of_order_is_refused(officer) -> None:
    case = _open(officer, timezone.localdate())
    with pytest.raises(Conflict):
        services.case_transfer(
            actor=officer,
            case_id=case.pk,
            transfer_to="health",
            receiving_unit="区卫健局",
            reference="X1",
            transferred_on=timezone.localdate(),
        )


def test_an_open_case_past_its_deadline_is_overdue(officer, client_for) -> None:
    today = timezone.localdate()
    late = _open(officer, today - 30 * DAY)
    fresh = _open(officer, today)
    assert list(selectors.cases(officer.user, overdue_on=today)) == [late]
    assert selectors.is_overdue(late, today)
    assert not selectors.is_overdue(fresh, today)
    page = client_for(officer.user).get(reverse("governance:case_list") + "?overdue=1")
    assert page.status_code == 200
    text = page.content.decode()
    assert late.number in text
    assert fresh.number not in text
    assert "逾期" in text


def test_case_numbers_are_unique_per_street_and_year(officer) -> None:
    first, second = _open(officer, timezone.localdate()), _open(officer, timezone.localdate())
    assert first.number != second.number


def test_a_review_list_dispensing_opens_one_clue_only(officer, make_user, org) -> None:
    from jisheng.governance.models import OutletKind
    from jisheng.governance.services import supervision

    staff = Actor(user=make_user(Role.STREET_STAFF))
    outlet = supervision.outlet_register(
        actor=staff, unit=org.c1, kind=OutletKind.CLINIC, name="个体诊所"
    )
    from conftest import valid_id_number

    dispensing = supervision.dispensing_record(
        actor=staff,
        outlet_id=outlet.pk,
        dispensed_on=timezone.localdate(),
        drug="米非司酮片",
        quantity=1,
        buyer_name="王芳",
        buyer_id_number=valid_id_number(dt.date(1995, 1, 1), "F"),
    )
    case = services.case_open(
        actor=officer,
        source=ClueSource.DISPENSING_REVIEW,
        summary="无处方售药",
        received_on=timezone.localdate(),
        dispensing_id=dispensing.pk,
    )
    assert case.dispensing_id == dispensing.pk
    with pytest.raises(Conflict):
        services.case_open(
            actor=officer,
            source=ClueSource.DISPENSING_REVIEW,
            summary="无处方售药",
            received_on=timezone.localdate(),
            dispensing_id=dispensing.pk,
        )


def test_evidence_is_attached_and_its_download_audited(officer, client_for) -> None:
    from jisheng.audit.models import AuditEvent

    case = _open(officer, timezone.localdate())
    evidence = services.evidence_add(
        actor=officer,
        case_id=case.pk,
        description="现场照片",
        file=SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
    )
    response = client_for(officer.user).get(reverse("governance:evidence_file", args=[evidence.pk]))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, object_type="governance.caseevidence"
    ).exists()
    assert CaseEvidence.objects.count() == 1


def test_the_clue_form_keeps_the_input_on_bad_input(officer, client_for) -> None:
    client = client_for(officer.user)
    response = client.post(
        reverse("governance:case_new"),
        {
            "source": "hotline",
            "received_on": (timezone.localdate() + 5 * DAY).isoformat(),
            "summary": "某B超室夜间营业",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "某B超室夜间营业" in text
    assert not Case.objects.exists()


def test_the_clue_form_sent_twice_records_one_case(officer, client_for) -> None:
    client = client_for(officer.user)
    data = {
        "source": "hotline",
        "received_on": timezone.localdate().isoformat(),
        "summary": "热线举报",
        "request_key": "k1",
    }
    first = client.post(reverse("governance:case_new"), data)
    second = client.post(reverse("governance:case_new"), data)
    assert first.status_code == 302
    assert second.status_code == 302
    assert Case.objects.count() == 1
