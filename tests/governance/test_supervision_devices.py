"""B-ultrasound supervision and leading groups: devices, inspections, the overdue list,
operators' pledges, and one printable page per level."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, JishengError
from jisheng.core.roles import Role
from jisheng.governance.models import Department, Inspection, UltrasoundDevice
from jisheng.governance.selectors import supervision as selectors
from jisheng.governance.services import supervision as services
from jisheng.targets.models import MeetingKind
from jisheng.targets.services import meeting_create

DAY = dt.timedelta(days=1)
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings, tmp_path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def staff(make_user) -> Actor:
    return Actor(user=make_user(Role.STREET_STAFF))


def _device(staff: Actor, org, serial: str) -> UltrasoundDevice:
    return services.device_register(
        actor=staff,
        unit=org.c1,
        institution="坛山卫生院",
        model_name="GE Voluson",
        serial_number=serial,
        location="二楼B超室",
    )


def test_the_overdue_list_holds_devices_in_use_not_inspected_within_the_interval(
    staff, org, settings
) -> None:
    settings.GOVERNANCE_INSPECTION_DAYS = 90
    today = timezone.localdate()
    never = _device(staff, org, "SN1")
    long_ago = _device(staff, org, "SN2")
    recent = _device(staff, org, "SN3")
    retired = _device(staff, org, "SN4")
    services.inspection_record(
        actor=staff, device_id=long_ago.pk, date=today - 91 * DAY, inspectors="甲"
    )
    services.inspection_record(
        actor=staff, device_id=recent.pk, date=today - 90 * DAY, inspectors="乙"
    )
    services.device_status_set(actor=staff, device_id=retired.pk, status="retired")
    overdue = list(selectors.overdue_devices(staff.user, today=today))
    assert overdue == [never, long_ago]


def test_a_device_registered_twice_is_one_device(staff, org) -> None:
    assert _device(staff, org, "SN1").pk == _device(staff, org, "SN1").pk
    with pytest.raises(Conflict):
        services.device_register(
            actor=staff,
            unit=org.c1,
            institution="坛山卫生院",
            model_name="另一型号",
            serial_number="SN1",
            location="二楼",
        )


def test_an_inspection_sent_twice_is_one_and_its_rectification_can_be_done(staff, org) -> None:
    today = timezone.localdate()
    device = _device(staff, org, "SN1")
    first = services.inspection_record(
        actor=staff,
        device_id=device.pk,
        date=today - 5 * DAY,
        inspectors="甲",
        findings="未张贴禁止非医学需要胎儿性别鉴定标识",
        rectification_due=today - DAY,
    )
    again = services.inspection_record(
        actor=staff, device_id=device.pk, date=today - 5 * DAY, inspectors="甲"
    )
    assert first.pk == again.pk
    assert Inspection.objects.count() == 1
    assert list(selectors.open_rectifications(staff.user)) == [first]
    services.rectification_done(actor=staff, inspection_id=first.pk, done_on=today)
    assert not selectors.open_rectifications(staff.user).exists()


def test_a_pledge_needs_its_scan(staff, org) -> None:
    operator = services.operator_register(
        actor=staff, unit=org.c1, institution="坛山卫生院", name="刘医生", qualification="医师"
    )
    with pytest.raises(JishengError):
        services.pledge_record(
            actor=staff, operator_id=operator.pk, signed_on=timezone.localdate(), scan=None
        )
    pledge = services.pledge_record(
        actor=staff,
        operator_id=operator.pk,
        signed_on=timezone.localdate(),
        scan=SimpleUploadedFile("p.pdf", PDF, content_type="application/pdf"),
    )
    assert selectors.operator_detail(staff.user, operator.pk).last_pledge == pledge.signed_on


def test_the_device_form_shows_again_with_the_input_on_bad_input(staff, org, client_for) -> None:
    response = client_for(staff.user).post(
        reverse("governance:device_new"),
        {"unit": org.c1.pk, "institution": "坛山卫生院", "model_name": "", "serial_number": "X9"},
    )
    assert response.status_code == 400
    assert "坛山卫生院" in response.content.decode()
    assert not UltrasoundDevice.objects.exists()


def test_a_community_worker_cannot_see_devices(staff, org, make_user, client_for) -> None:
    device = _device(staff, org, "SN1")
    worker = make_user(Role.COMMUNITY_WORKER)
    assert not UltrasoundDevice.objects.visible_to(worker).exists()
    client = client_for(worker)
    assert client.get(reverse("governance:device_detail", args=[device.pk])).status_code == 403
    assert client.get("/api/governance/devices").status_code == 403


def test_the_overdue_page_is_chinese_and_printable(staff, org, client_for) -> None:
    _device(staff, org, "SN1")
    text = client_for(staff.user).get(reverse("governance:device_overdue")).content.decode()
    assert "逾期未检查" in text
    assert "SN1" in text
    assert "从未检查" in text
    assert "打印" in text


def test_the_api_registers_and_lists_devices(staff, org, client_for) -> None:
    client = client_for(staff.user)
    body = {
        "unit_id": org.c1.pk,
        "institution": "坛山卫生院",
        "model_name": "M",
        "serial_number": "API-1",
        "location": "一楼",
    }
    created = client.post("/api/governance/devices", body, content_type="application/json")
    assert created.status_code == 201
    again = client.post("/api/governance/devices", body, content_type="application/json")
    assert again.json()["id"] == created.json()["id"]
    listed = client.get("/api/governance/devices/overdue").json()
    assert [device["serial_number"] for device in listed] == ["API-1"]


def test_each_level_has_one_printable_group_page(staff, org, make_user, client_for) -> None:
    today = timezone.localdate()
    group = services.leading_group_set(
        actor=staff, unit=org.street, name="坛山街道综合治理领导小组"
    )
    services.group_member_add(
        actor=staff,
        group=group,
        name="张书记",
        post="组长",
        department=Department.FAMILY_PLANNING,
        from_date=today - 100 * DAY,
    )
    left = services.group_member_add(
        actor=staff,
        group=group,
        name="赵副主任",
        post="副组长",
        department=Department.POLICE,
        from_date=today - 100 * DAY,
    )
    services.group_member_end(actor=staff, member_id=left.pk, to_date=today - DAY)
    services.department_duty_set(
        actor=staff, unit=org.street, department=Department.MARKET_REGULATION, duties="查处违规售药"
    )
    meeting_create(actor=staff, kind=MeetingKind.COORDINATION, date=today, title="综合治理协调会")
    page = client_for(staff.user).get(reverse("governance:group_page", args=[org.street.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "坛山街道综合治理领导小组" in text
    assert "张书记" in text
    assert "药监/市场监管" in text
    assert "综合治理协调会" in text
    members = text.split('data-testid="members"')[1].split("</table>")[0]
    assert "赵副主任" not in members
    worker = client_for(make_user(Role.COMMUNITY_WORKER))
    assert worker.get(reverse("governance:group_page", args=[org.street.pk])).status_code == 404
    assert worker.get(reverse("governance:group_page", args=[org.c1.pk])).status_code == 200
