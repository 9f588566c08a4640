"""Pages of leading groups, B-ultrasound supervision and dispensings: thin; each calls one
selector or one service."""

from __future__ import annotations

from typing import IO, Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jisheng.core.actors import Actor, request_user
from jisheng.core.exports import write_xlsx, xlsx_response
from jisheng.core.pages import form_page, page_of, posted
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.core.uploads import spooled
from jisheng.governance.forms_supervision import (
    DeviceEditForm,
    DeviceForm,
    DeviceStatusForm,
    DispensingForm,
    DispensingImportForm,
    DutyForm,
    GroupForm,
    InspectionForm,
    MemberEndForm,
    MemberForm,
    OperatorForm,
    OutletEditForm,
    OutletForm,
    PledgeForm,
    RectifiedForm,
)
from jisheng.governance.navigation_supervision import GROUP_READERS
from jisheng.governance.selectors import supervision as selectors
from jisheng.governance.services import dispensing_import as importing
from jisheng.governance.services import supervision as services

FORM = "governance/supervision/form.html"
VIEW = Capability.VIEW_SUPERVISION
MANAGE = Capability.MANAGE_SUPERVISION
GROUPS = Capability.MANAGE_LEADING_GROUPS


def _url(name: str, *args: int) -> str:
    return reverse(f"governance:{name}", args=args)


# Leading groups ---------------------------------------------------------------------------


@require_GET
@require_capability(*GROUP_READERS)
def group_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request, "governance/supervision/group_list.html", {"units": selectors.group_units(user)}
    )


@require_GET
@require_capability(*GROUP_READERS)
def group_page(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = request_user(request)
    today = timezone.localdate()
    return render(
        request,
        "governance/supervision/group_page.html",
        {"page": selectors.group_page(user, unit_id, on=today), "today": today},
    )


@require_http_methods(["GET", "POST"])
@require_capability(GROUPS)
@submit_once
def group_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = request_user(request)
    page = selectors.group_page(user, unit_id, on=timezone.localdate())
    initial = (
        {"name": page.group.name, "established_on": page.group.established_on}
        if (page.group)
        else {"name": f"{page.unit.name}综合治理领导小组"}
    )
    form = GroupForm(posted(request), initial=initial)

    def save(actor: Actor, data: dict[str, Any]) -> object:
        return services.leading_group_set(
            actor=actor, unit=page.unit, name=data["name"], established_on=data["established_on"]
        )

    return form_page(
        request,
        form=form,
        operation=save,
        success=_("Leading group saved."),
        next_url=_url("group_page", unit_id),
        template=FORM,
        title=_("Leading group of %(unit)s") % {"unit": page.unit.name},
    )


@require_http_methods(["GET", "POST"])
@require_capability(GROUPS)
@submit_once
def member_new(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = request_user(request)
    page = selectors.group_page(user, unit_id, on=timezone.localdate())
    form = MemberForm(posted(request))

    def add(actor: Actor, data: dict[str, Any]) -> object:
        group = page.group or services.leading_group_set(
            actor=actor, unit=page.unit, name=f"{page.unit.name}综合治理领导小组"
        )
        return services.group_member_add(actor=actor, group=group, **data)

    return form_page(
        request,
        form=form,
        operation=add,
        success=_("Member added."),
        next_url=_url("group_page", unit_id),
        template=FORM,
        title=_("Add a member to the leading group of %(unit)s") % {"unit": page.unit.name},
    )


@require_http_methods(["GET", "POST"])
@require_capability(GROUPS)
@submit_once
def member_end(request: HttpRequest, member_id: int) -> HttpResponse:
    user = request_user(request)
    member = selectors.member_detail(user, member_id)
    form = MemberEndForm(posted(request))

    def end(actor: Actor, data: dict[str, Any]) -> object:
        return services.group_member_end(actor=actor, member_id=member.pk, to_date=data["to_date"])

    return form_page(
        request,
        form=form,
        operation=end,
        success=_("Member's end date saved."),
        next_url=_url("group_page", member.group.org_unit_id),
        template=FORM,
        title=_("%(name)s leaves the leading group") % {"name": member.name},
    )


@require_http_methods(["GET", "POST"])
@require_capability(GROUPS)
@submit_once
def duty_set(request: HttpRequest, unit_id: int) -> HttpResponse:
    user = request_user(request)
    page = selectors.group_page(user, unit_id, on=timezone.localdate())
    form = DutyForm(posted(request))

    def save(actor: Actor, data: dict[str, Any]) -> object:
        return services.department_duty_set(actor=actor, unit=page.unit, **data)

    return form_page(
        request,
        form=form,
        operation=save,
        success=_("Department duties saved."),
        next_url=_url("group_page", unit_id),
        template=FORM,
        title=_("Department duties in %(unit)s") % {"unit": page.unit.name},
    )


# B-ultrasound ----------------------------------------------------------------------------


@require_GET
@require_capability(VIEW)
def device_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "governance/supervision/device_list.html",
        {"page": page_of(request, selectors.devices(user)), "today": timezone.localdate()},
    )


@require_GET
@require_capability(VIEW)
def device_overdue(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    today = timezone.localdate()
    return render(
        request,
        "governance/supervision/device_overdue.html",
        {
            "devices": selectors.overdue_devices(user, today=today),
            "rectifications": selectors.open_rectifications(user),
            "interval": selectors.inspection_interval_days(),
            "today": today,
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(MANAGE)
@submit_once
def device_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = DeviceForm(posted(request), units=selectors.managed_units(user))

    def create(actor: Actor, data: dict[str, Any]) -> Any:
        return services.device_register(actor=actor, **data)

    return form_page(
        request,
        form=form,
        operation=create,
        success=_("Device registered."),
        next_url=lambda device: _url("device_detail", device.pk),
        template=FORM,
        title=_("Register a B-ultrasound device"),
        cancel_url=_url("device_list"),
    )


@require_http_methods(["GET", "POST"])
@require_capability(MANAGE)
@submit_once
def device_edit(request: HttpRequest, device_id: int) -> HttpResponse:
    device = selectors.device_detail(request_user(request), device_id)
    initial = {key: getattr(device, key) for key in DeviceEditForm.base_fields}
    form = DeviceEditForm(posted(request), initial=initial)

    def update(actor: Actor, data: dict[str, Any]) -> object:
        return services.device_update(actor=actor, device_id=device.pk, **data)

    return form_page(
        request,
        form=form,
        operation=update,
        success=_("Device saved."),
        next_url=_url("device_detail", device.pk),
        template=FORM,
        title=_("Edit %(device)s") % {"device": device},
    )


@require_GET
@require_capability(VIEW)
def device_detail(request: HttpRequest, device_id: int) -> HttpResponse:
    user = request_user(request)
    device = selectors.device_detail(user, device_id)
    return render(
        request,
        "governance/supervision/device_detail.html",
        {
            "device": device,
            "inspections": selectors.device_inspections(user, device),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(MANAGE)
@submit_once
def device_status(request: HttpRequest, device_id: int) -> HttpResponse:
    device = selectors.device_detail(request_user(request), device_id)
    form = DeviceStatusForm(posted(request), initial={"status": device.status})

    def change(actor: Actor, data: dict[str, Any]) -> object:
        return services.device_status_set(actor=actor, device_id=device.pk, status=data["status"])

    return form_page(
        request,
        form=form,
        operation=change,
        success=_("Status saved."),
        next_url=_url("device_detail", device.pk),
        template=FORM,
        title=str(device),
    )


@require_http_methods(["GET", "POST"])
@require_capability(MANAGE)
@submit_once
def inspection_new(request: HttpRequest, device_id: int) -> HttpResponse:
    device = selectors.device_detail(request_user(request), device_id)
    form = InspectionForm(posted(request))

    def record(actor: Actor, data: dict[str, Any]) -> object:
        return services.inspection_record(actor=actor, device_id=device.pk, **data)

    return form_page(
        request,
        form=form,
        operation=record,
        success=_("Inspection recorded."),
        next_url=_url("device_detail", device.pk),
        template=FORM,
        title=_("Inspection of %(device)s") % {"device": device},
    )


@require_http_methods(["GET", "POST"])
@require_capability(MANAGE)
@submit_once
def rectification_done(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = selectors.inspection_detail(request_user(request), inspection_id)
    form = RectifiedForm(posted(request))

    def done(actor: Actor, data: dict[str, Any]) -> object:
        return services.rectification_done(
            actor=actor, inspection_id=inspection.pk, done_on=data["done_on"]
        )

    return form_page(
        request,
        form=form,
        operation=done,
        success=_("Rectification recorded."),
        next_url=_url("device_detail", inspection.device_id),
        template=FORM,
        title=_("Rectification after the inspection of %(date)s")
        % {"date": inspection.date.isoformat()},
    )


@require_GET
@require_capability(VIEW)
def operator_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "governance/supervision/operator_list.html",
        {"page": page_of(request, selectors.operators(user))},
    )


@require_http_methods(["GET", "POST"])
@require_capability(MANAGE)
@submit_once
def operator_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = OperatorForm(posted(request), units=selectors.managed_units(user))

    def create(actor: Actor, data: dict[str, Any]) -> Any:
        return services.operator_register(actor=actor, **data)

    return form_page(
        request,
        form=form,
        operation=create,
        success=_("Operator saved."),
        next_url=lambda operator: _url("operator_detail", operator.pk),
        template=FORM,
        title=_("Register a B-ultrasound operator"),
        cancel_url=_url("operator_list"),
    )


@require_GET
@require_capability(VIEW)
def operator_detail(request: HttpRequest, operator_id: int) -> HttpResponse:
    user = request_user(request)
    operator = selectors.operator_detail(user, operator_id)
    return render(
        request,
        "governance/supervision/operator_detail.html",
        {"operator": operator, "pledges": selectors.operator_pledges(user, operator)},
    )


@require_http_methods(["GET", "POST"])
@require_capability(MANAGE)
@submit_once
def pledge_new(request: HttpRequest, operator_id: int) -> HttpResponse:
    operator = selectors.operator_detail(request_user(request), operator_id)
    form = PledgeForm(posted(request), request.FILES or None)

    def record(actor: Actor, data: dict[str, Any]) -> object:
        return services.pledge_record(
            actor=actor, operator_id=operator.pk, signed_on=data["signed_on"], scan=data["scan"]
        )

    return form_page(
        request,
        form=form,
        operation=record,
        success=_("Pledge recorded."),
        next_url=_url("operator_detail", operator.pk),
        template=FORM,
        title=_("Signed pledge of %(name)s") % {"name": operator.name},
        context={"multipart": True},
    )


@require_GET
@require_capability(VIEW)
def pledge_scan(request: HttpRequest, pledge_id: int) -> FileResponse:
    pledge = selectors.pledge_detail(request_user(request), pledge_id)
    response = FileResponse(pledge.scan.open("rb"), as_attachment=True)
    response["Cache-Control"] = "no-store"
    return response


# Dispensings ------------------------------------------------------------------------------


@require_GET
@require_capability(VIEW)
def outlet_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "governance/supervision/outlet_list.html",
        {"page": page_of(request, selectors.outlets(user))},
    )


@require_http_methods(["GET", "POST"])
@require_capability(MANAGE)
@submit_once
def outlet_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = OutletForm(posted(request), units=selectors.managed_units(user))

    def create(actor: Actor, data: dict[str, Any]) -> Any:
        return services.outlet_register(actor=actor, **data)

    return form_page(
        request,
        form=form,
        operation=create,
        success=_("Pharmacy or clinic saved."),
        next_url=lambda outlet: _url("outlet_detail", outlet.pk),
        template=FORM,
        title=_("Register a pharmacy or clinic"),
        cancel_url=_url("outlet_list"),
    )


@require_http_methods(["GET", "POST"])
@require_capability(MANAGE)
@submit_once
def outlet_edit(request: HttpRequest, outlet_id: int) -> HttpResponse:
    outlet = selectors.outlet_detail(request_user(request), outlet_id)
    initial = {key: getattr(outlet, key) for key in OutletEditForm.base_fields}
    form = OutletEditForm(posted(request), initial=initial)

    def update(actor: Actor, data: dict[str, Any]) -> object:
        return services.outlet_update(actor=actor, outlet_id=outlet.pk, **data)

    return form_page(
        request,
        form=form,
        operation=update,
        success=_("Pharmacy or clinic saved."),
        next_url=_url("outlet_detail", outlet.pk),
        template=FORM,
        title=_("Edit %(outlet)s") % {"outlet": outlet.name},
    )


@require_GET
@require_capability(VIEW)
def outlet_detail(request: HttpRequest, outlet_id: int) -> HttpResponse:
    user = request_user(request)
    outlet = selectors.outlet_detail(user, outlet_id)
    return render(
        request,
        "governance/supervision/outlet_detail.html",
        {"outlet": outlet, "page": page_of(request, selectors.dispensings(user, outlet=outlet))},
    )


@require_http_methods(["GET", "POST"])
@require_capability(MANAGE)
@submit_once
def dispensing_new(request: HttpRequest, outlet_id: int) -> HttpResponse:
    outlet = selectors.outlet_detail(request_user(request), outlet_id)
    form = DispensingForm(posted(request))

    def record(actor: Actor, data: dict[str, Any]) -> object:
        return services.dispensing_record(actor=actor, outlet_id=outlet.pk, **data)

    return form_page(
        request,
        form=form,
        operation=record,
        success=_("Dispensing recorded."),
        next_url=_url("outlet_detail", outlet.pk),
        template=FORM,
        title=_("Record a dispensing at %(outlet)s") % {"outlet": outlet.name},
    )


@require_http_methods(["GET", "POST"])
@require_capability(MANAGE)
@submit_once
def dispensing_upload(request: HttpRequest, outlet_id: int) -> HttpResponse:
    outlet = selectors.outlet_detail(request_user(request), outlet_id)
    form = DispensingImportForm(posted(request), request.FILES or None)

    def run(actor: Actor, data: dict[str, Any]) -> object:
        upload = data["file"]
        with spooled(upload) as path:
            rows = importing.read_table(path, upload.name or "")
        return importing.dispensing_import(
            actor=actor, outlet_id=outlet.pk, rows=rows, file_name=upload.name or ""
        )

    return form_page(
        request,
        form=form,
        operation=run,
        success=_("The list was imported."),
        next_url=_url("outlet_detail", outlet.pk),
        template=FORM,
        title=_("Import the monthly list of %(outlet)s") % {"outlet": outlet.name},
        context={"multipart": True, "template_url": _url("dispensing_template")},
    )


@require_GET
@require_capability(MANAGE)
def dispensing_template(request: HttpRequest) -> FileResponse:
    """An empty dispensing list: the header row and one example line."""
    header, rows = importing.template_rows()

    def write(handle: IO[bytes]) -> None:
        write_xlsx(
            handle, header, rows, title="售药清单", text_columns=(4, 6), widths={1: 16, 4: 22}
        )

    return xlsx_response(write, filename="流引产药物售药清单模板.xlsx")


@require_GET
@require_capability(VIEW)
def review_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "governance/supervision/review_list.html",
        {"entries": selectors.review_list(user), "today": timezone.localdate()},
    )
