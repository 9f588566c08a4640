"""Editing a B-ultrasound device and a pharmacy or clinic: audited, a duplicate is a 409 on the
form, another street's record a 404, a role that may only read a 403."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jisheng.accounts.org_units import org_unit_create
from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Role
from jisheng.governance.models import Outlet, OutletKind, UltrasoundDevice
from jisheng.governance.services import supervision as services


@pytest.fixture
def staff(make_user) -> Actor:
    return Actor(user=make_user(Role.STREET_STAFF))


@pytest.fixture
def other_street(org) -> OrgUnit:
    return org_unit_create(
        actor=None,
        name="榴园街道",
        kind="street",
        code=org.street.code[:-1] + "9",
        parent=org.district,
    )


def _device(staff: Actor, org, serial: str) -> UltrasoundDevice:
    return services.device_register(
        actor=staff,
        unit=org.c1,
        institution="坛山卫生院",
        model_name="GE Voluson",
        serial_number=serial,
        location="二楼B超室",
    )


def _outlet(staff: Actor, unit: OrgUnit, name: str) -> Outlet:
    return services.outlet_register(actor=staff, unit=unit, kind=OutletKind.PHARMACY, name=name)


DEVICE_FORM = {
    "institution": "坛山卫生院",
    "model_name": "GE Voluson E8",
    "serial_number": "SN1",
    "location": "三楼B超室",
    "licence": "鲁卫B-001",
}


def _audits(obj: object) -> int:
    return AuditEvent.objects.filter(
        action="update", object_type=obj._meta.label_lower, object_id=str(obj.pk)
    ).count()


def test_the_device_form_shows_the_device_and_saves_the_change_once(staff, org, client_for) -> None:
    device = _device(staff, org, "SN1")
    client = client_for(staff.user)
    url = reverse("governance:device_edit", args=[device.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="二楼B超室"' in page.content.decode()
    assert client.post(url, DEVICE_FORM).status_code == 302
    device.refresh_from_db()
    assert (device.model_name, device.location, device.licence) == (
        "GE Voluson E8",
        "三楼B超室",
        "鲁卫B-001",
    )
    assert _audits(device) == 1
    # Back and the same form saved again: nothing changes, nothing more is audited.
    again = client.post(url, {**DEVICE_FORM, "save_again": "1"})
    assert again.status_code == 302
    assert _audits(device) == 1
    detail = client.get(reverse("governance:device_detail", args=[device.pk])).content.decode()
    assert url in detail


def test_another_devices_serial_is_a_409_on_the_form_with_the_input_kept(
    staff, org, client_for
) -> None:
    device, _other = _device(staff, org, "SN1"), _device(staff, org, "SN2")
    response = client_for(staff.user).post(
        reverse("governance:device_edit", args=[device.pk]),
        {**DEVICE_FORM, "serial_number": "SN2"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "该机构已登记了这个出厂编号的设备" in page
    assert 'value="三楼B超室"' in page
    device.refresh_from_db()
    assert device.serial_number == "SN1"


def test_an_empty_field_is_a_400_on_the_form(staff, org, client_for) -> None:
    device = _device(staff, org, "SN1")
    response = client_for(staff.user).post(
        reverse("governance:device_edit", args=[device.pk]), {**DEVICE_FORM, "location": " "}
    )
    assert response.status_code == 400
    device.refresh_from_db()
    assert device.location == "二楼B超室"


def test_another_streets_device_and_outlet_are_404(
    staff, org, other_street, make_user, client_for
) -> None:
    device = _device(staff, org, "SN1")
    outlet = _outlet(staff, org.c1, "仁和大药房")
    stranger = client_for(make_user(Role.STREET_STAFF, other_street))
    for url in (
        reverse("governance:device_edit", args=[device.pk]),
        reverse("governance:outlet_edit", args=[outlet.pk]),
    ):
        assert stranger.get(url).status_code == 404
    response = stranger.post(reverse("governance:device_edit", args=[device.pk]), DEVICE_FORM)
    assert response.status_code == 404
    device.refresh_from_db()
    assert device.location == "二楼B超室"


@pytest.mark.parametrize("role", [Role.LEADER, Role.CASE_OFFICER, Role.COMMUNITY_WORKER])
def test_who_may_not_manage_supervision_cannot_edit(
    role, staff, org, make_user, client_for
) -> None:
    device = _device(staff, org, "SN1")
    outlet = _outlet(staff, org.c1, "仁和大药房")
    client = client_for(make_user(role))
    assert client.get(reverse("governance:device_edit", args=[device.pk])).status_code == 403
    posted = client.post(reverse("governance:outlet_edit", args=[outlet.pk]), {"name": "改名"})
    assert posted.status_code == 403
    outlet.refresh_from_db()
    assert outlet.name == "仁和大药房"


def test_the_outlet_form_saves_the_change_and_refuses_a_neighbours_name(
    staff, org, client_for
) -> None:
    outlet = _outlet(staff, org.c1, "仁和大药房")
    _outlet(staff, org.c1, "同仁堂")
    elsewhere = _outlet(staff, org.c2, "益丰大药房")
    client = client_for(staff.user)
    url = reverse("governance:outlet_edit", args=[outlet.pk])
    assert 'value="仁和大药房"' in client.get(url).content.decode()
    form = {"kind": OutletKind.CLINIC, "name": "同仁堂", "licence": "", "address": "新华路 1 号"}
    clash = client.post(url, form)
    assert clash.status_code == 409
    assert 'value="新华路 1 号"' in clash.content.decode()
    # The same name in another community is another outlet's business, not a clash.
    assert client.post(url, {**form, "name": "益丰大药房"}).status_code == 302
    outlet.refresh_from_db()
    assert (outlet.name, outlet.kind, outlet.address) == ("益丰大药房", "clinic", "新华路 1 号")
    assert elsewhere.name == "益丰大药房"
    assert _audits(outlet) == 1
    assert client.post(url, {**form, "name": "益丰大药房", "save_again": "1"}).status_code == 302
    assert _audits(outlet) == 1
