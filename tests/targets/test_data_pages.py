"""Pages for the targets data: departments, veto items and bonus bands. Street staff list,
add and edit them; bad input comes back on the form with what was typed; a second submit
writes once; another street's rows are not found; other roles are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from jisheng.audit.models import AuditEvent
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Role
from jisheng.targets.models import BonusBand, Department, VetoItem

LISTS = ("targets:department_list", "targets:veto_item_list", "targets:bonus_band_list")
NEW = ("targets:department_new", "targets:veto_item_new", "targets:bonus_band_new")


@pytest.fixture
def other_street(org) -> OrgUnit:
    return OrgUnit.objects.create(
        name="榴园街道", kind=OrgUnit.Kind.STREET, code="370404099", parent=org.district
    )


def test_street_staff_add_and_edit_a_department(staff, client_for) -> None:
    client = client_for(staff.user)
    assert client.get(reverse("targets:department_list")).status_code == 200
    created = client.post(reverse("targets:department_new"), {"name": "街道妇联", "active": "on"})
    assert created.status_code == 302
    again = client.post(reverse("targets:department_new"), {"name": "街道妇联", "active": "on"})
    assert again.status_code in {302, 409}
    department = Department.objects.get()
    assert (department.name, department.active, department.street) == (
        "街道妇联",
        True,
        staff.user.org_unit,
    )
    edited = client.post(
        reverse("targets:department_edit", args=[department.pk]), {"name": "街道妇联（计生）"}
    )
    assert edited.status_code == 302
    department.refresh_from_db()
    assert (department.name, department.active) == ("街道妇联（计生）", False)
    assert AuditEvent.objects.filter(object_type__endswith="department").count() == 2
    listed = client.get(reverse("targets:department_list")).content.decode()
    assert "街道妇联（计生）" in listed


def test_a_department_of_the_same_name_comes_back_on_the_form(staff, client_for) -> None:
    client = client_for(staff.user)
    Department.objects.create(street=staff.user.org_unit, name="司法所")
    response = client.post(reverse("targets:department_new"), {"name": "司法所", "note": "x"})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'value="司法所"' in html
    assert "该部门已存在" in html
    blank = client.post(reverse("targets:department_new"), {"name": "  "})
    assert blank.status_code == 400
    assert Department.objects.count() == 1


def test_street_staff_add_and_edit_a_veto_item(staff, client_for) -> None:
    client = client_for(staff.user)
    response = client.post(
        reverse("targets:veto_item_new"),
        {"name": "瞒报两非案件", "description": "经查实", "active": "on"},
    )
    assert response.status_code == 302
    item = VetoItem.objects.get()
    edit_page = client.get(reverse("targets:veto_item_edit", args=[item.pk])).content.decode()
    assert "瞒报两非案件" in edit_page
    edited = client.post(
        reverse("targets:veto_item_edit", args=[item.pk]),
        {"name": "瞒报两非案件", "description": "经上级查实"},
    )
    assert edited.status_code == 302
    item.refresh_from_db()
    assert (item.description, item.active) == ("经上级查实", False)
    refused = client.post(reverse("targets:veto_item_new"), {"name": "", "description": "留着"})
    assert refused.status_code == 400
    assert "留着" in refused.content.decode()
    assert VetoItem.objects.count() == 1


def test_street_staff_add_and_edit_a_bonus_band(staff, client_for) -> None:
    client = client_for(staff.user)
    response = client.post(
        reverse("targets:bonus_band_new"), {"min_score": "90", "coefficient": "1.20"}
    )
    assert response.status_code == 302
    band = BonusBand.objects.get()
    assert (band.min_score, band.coefficient) == (Decimal(90), Decimal("1.20"))
    too_high = client.post(
        reverse("targets:bonus_band_edit", args=[band.pk]),
        {"min_score": "90", "coefficient": "12"},
    )
    assert too_high.status_code == 400
    assert 'value="12"' in too_high.content.decode()
    edited = client.post(
        reverse("targets:bonus_band_edit", args=[band.pk]),
        {"min_score": "95", "coefficient": "1.30"},
    )
    assert edited.status_code == 302
    duplicate = client.post(
        reverse("targets:bonus_band_new"), {"min_score": "95", "coefficient": "1.00"}
    )
    assert duplicate.status_code == 409
    assert "该分数已有档次" in duplicate.content.decode()
    band.refresh_from_db()
    assert (band.min_score, band.coefficient) == (Decimal(95), Decimal("1.30"))
    assert BonusBand.objects.count() == 1
    assert "1.30" in client.get(reverse("targets:bonus_band_list")).content.decode()


def test_another_streets_rows_are_not_found(staff, client_for, other_street) -> None:
    department = Department.objects.create(street=other_street, name="他街道司法所")
    band = BonusBand.objects.create(
        street=other_street, min_score=Decimal(80), coefficient=Decimal(1)
    )
    client = client_for(staff.user)
    for url in (
        reverse("targets:department_edit", args=[department.pk]),
        reverse("targets:bonus_band_edit", args=[band.pk]),
    ):
        assert client.get(url).status_code == 404
        assert (
            client.post(url, {"name": "改", "min_score": "1", "coefficient": "1"}).status_code
            == 404
        )
    assert "他街道司法所" not in client.get(reverse("targets:department_list")).content.decode()
    department.refresh_from_db()
    assert department.name == "他街道司法所"


@pytest.mark.parametrize("role", [Role.COMMUNITY_WORKER, Role.LEADER])
def test_other_roles_cannot_reach_the_data_pages(role, make_user, client_for, org) -> None:
    client = client_for(make_user(role))
    item = VetoItem.objects.create(name="数据泄露")
    for name in (*LISTS, *NEW):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("targets:department_new"), {"name": "x"}).status_code == 403
    assert (
        client.post(reverse("targets:veto_item_edit", args=[item.pk]), {"name": "改"}).status_code
        == 403
    )
    assert not Department.objects.exists()
    assert VetoItem.objects.get().name == "数据泄露"
