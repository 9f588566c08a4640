"""Publicity pages: activities, assets, trainings, photos (served only in scope), coverage."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import JishengError
from jisheng.core.pages import form_page, page_of, posted, query_int, query_without_page, submit
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.core.uploads import stored_file_response
from jisheng.publicity import selectors, services
from jisheng.publicity.forms import (
    ActivityForm,
    AssetEditForm,
    AssetForm,
    CostForm,
    PhotoForm,
    TrainingForm,
)
from jisheng.publicity.models import FIVE_ONES, Activity, Asset, Training
from jisheng.publicity.services import PhotoUpload

RECORD = Capability.RECORD_PUBLICITY
MANAGE = Capability.MANAGE_PUBLICITY
FIVE_ONE_LABELS = {
    "population_school": gettext_lazy("Population school"),
    "culture_yard": gettext_lazy("Population culture yard"),
    "culture_street": gettext_lazy("Childbearing culture street"),
    "troupe": gettext_lazy("Arts troupe / village theatre"),
    "column": gettext_lazy("TV or web column"),
}


def _year(request: HttpRequest) -> int:
    year = query_int(request, "year")
    if year is None:
        return timezone.localdate().year
    if not 1900 <= year <= 2100:
        raise JishengError(_("Choose a year between 1900 and 2100."), code="invalid_input")
    return year


def _photos(form: ActivityForm | PhotoForm) -> list[PhotoUpload]:
    upload = form.cleaned_data.get("photo")
    return [PhotoUpload(upload, form.cleaned_data.get("caption") or "")] if upload else []


def _file_response(file: FieldFile) -> HttpResponseBase:
    """A stored photo's bytes, never cached, never a public URL."""
    response = stored_file_response(file)
    response["Content-Disposition"] = "inline"
    return response


def _photo_add[R: (Activity, Asset)](
    request: HttpRequest,
    record: R,
    *,
    attach: Callable[[Actor, R, list[PhotoUpload]], object],
    show: Callable[..., HttpResponse],
    detail: str,
) -> HttpResponse:
    """Attach the posted photo to ``record``, then its page; a refusal shows the page again
    with the photo form's input and message."""
    form = PhotoForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        done, status = submit(
            form, lambda: attach(Actor.from_request(request), record, _photos(form))
        )
        if done is not None:
            messages.success(request, _("Photo attached."))
            return redirect(detail, record.pk)
    return show(request, record, photo_form=form, status=status)


def _cost_correct[R: (Activity, Training)](
    request: HttpRequest,
    record: R,
    *,
    correct: Callable[[Actor, R, Decimal], object],
    show: Callable[..., HttpResponse],
    detail: str,
) -> HttpResponse:
    """Correct ``record``'s cost to the posted amount, then its page; a refusal shows the
    page again with the cost form's input and message."""
    form = CostForm(request.POST)
    status = 400
    if form.is_valid():
        done, status = submit(
            form,
            lambda: correct(Actor.from_request(request), record, form.cleaned_data["cost"]),
        )
        if done is not None:
            messages.success(request, _("Cost corrected."))
            return redirect(detail, record.pk)
    return show(request, record, cost_form=form, status=status)


# ------------------------------------------------------------------------------ activities


@require_GET
@require_capability(RECORD)
def activity_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    year = _year(request)
    return render(
        request,
        "publicity/activity_list.html",
        {
            "year": year,
            "page": page_of(request, selectors.activity_list(user, year=year)),
            "query": query_without_page(request),
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(RECORD)
@submit_once
def activity_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = ActivityForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        units=selectors.unit_choices(user),
    )

    def record(actor: Actor, data: dict[str, Any]) -> Activity:
        return services.activity_record(
            actor=actor,
            org_unit=data["org_unit"],
            date=data["date"],
            kind=data["kind"],
            title=data["title"],
            organiser=data["organiser"],
            partners=data["partners"].splitlines(),
            audience=data["audience"],
            materials=data["materials"],
            materials_note=data["materials_note"],
            cost=data["cost"],
            note=data["note"],
            photos=_photos(form),
        )

    return form_page(
        request,
        form=form,
        operation=record,
        success=_("Activity recorded."),
        next_url=lambda activity: reverse("publicity:activity_detail", args=[activity.pk]),
        template="publicity/form.html",
        title=_("Record an activity"),
        cancel_url=reverse("publicity:activity_list"),
        context={"multipart": True, "form_testid": "activity-form"},
    )


def _activity_page(
    request: HttpRequest,
    activity: Activity,
    *,
    photo_form: PhotoForm | None = None,
    cost_form: CostForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    handed_out = selectors.materials_at(user, activity)
    return render(
        request,
        "publicity/activity_detail.html",
        {
            "activity": activity,
            "photos": selectors.photos_of(user, activity),
            "handed_out": handed_out,
            "handed_out_copies": sum(record.quantity for record in handed_out),
            "photo_form": photo_form or PhotoForm(),
            "cost_form": cost_form or CostForm(initial={"cost": activity.cost}),
            "can_change": activity.org_unit.kind != "street" or user.has_capability(MANAGE),
        },
        status=status,
    )


@require_GET
@require_capability(RECORD)
def activity_detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_detail(actor=Actor.from_request(request), activity_id=activity_id)
    return _activity_page(request, activity)


@require_POST
@require_capability(RECORD)
@submit_once
def activity_photo_add(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_detail(actor=Actor.from_request(request), activity_id=activity_id)
    return _photo_add(
        request,
        activity,
        attach=lambda actor, record, uploads: services.activity_photos_attach(
            actor=actor, activity=record, uploads=uploads
        ),
        show=_activity_page,
        detail="publicity:activity_detail",
    )


@require_POST
@require_capability(RECORD)
@submit_once
def activity_cost(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_detail(actor=Actor.from_request(request), activity_id=activity_id)
    return _cost_correct(
        request,
        activity,
        correct=lambda actor, record, cost: services.activity_cost_correct(
            actor=actor, activity=record, cost=cost
        ),
        show=_activity_page,
        detail="publicity:activity_detail",
    )


@require_GET
@require_capability(RECORD)
def photo(request: HttpRequest, photo_id: int) -> HttpResponseBase:
    """The photo, only to users whose scope holds its community."""
    found = selectors.photo_for(actor=Actor.from_request(request), photo_id=photo_id)
    return _file_response(found.file)


@require_GET
@require_capability(RECORD)
def photo_thumbnail(request: HttpRequest, photo_id: int) -> HttpResponseBase:
    found = selectors.photo_for(actor=Actor.from_request(request), photo_id=photo_id)
    return _file_response(found.thumbnail)


# ---------------------------------------------------------------------------------- assets


@require_GET
@require_capability(RECORD)
def asset_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "publicity/asset_list.html",
        {
            "page": page_of(request, selectors.asset_list(user)),
            "query": query_without_page(request),
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(MANAGE)
@submit_once
def asset_create(request: HttpRequest) -> HttpResponse:
    form = AssetForm(posted(request), units=selectors.unit_choices(request_user(request)))

    def create(actor: Actor, data: dict[str, Any]) -> Asset:
        return services.asset_create(
            actor=actor,
            org_unit=data["org_unit"],
            kind=data["kind"],
            name=data["name"],
            location=data["location"],
            status=data["status"],
            opened_on=data["opened_on"],
            closed_on=data["closed_on"],
            note=data["note"],
        )

    return form_page(
        request,
        form=form,
        operation=create,
        success=_("Asset registered."),
        next_url=lambda asset: reverse("publicity:asset_detail", args=[asset.pk]),
        template="publicity/form.html",
        title=_("Register an asset"),
        cancel_url=reverse("publicity:asset_list"),
        context={"form_testid": "asset-form"},
    )


def _asset_page(
    request: HttpRequest,
    asset: Asset,
    *,
    edit_form: AssetEditForm | None = None,
    photo_form: PhotoForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    initial = {
        field: getattr(asset, field)
        for field in ("name", "location", "status", "opened_on", "closed_on", "note")
    }
    return render(
        request,
        "publicity/asset_detail.html",
        {
            "asset": asset,
            "photos": selectors.photos_of(user, asset),
            "edit_form": edit_form or AssetEditForm(initial=initial),
            "photo_form": photo_form or PhotoForm(),
            "can_manage": user.has_capability(MANAGE),
        },
        status=status,
    )


@require_GET
@require_capability(RECORD)
def asset_detail(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = selectors.asset_detail(actor=Actor.from_request(request), asset_id=asset_id)
    return _asset_page(request, asset)


@require_POST
@require_capability(MANAGE)
@submit_once
def asset_edit(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = selectors.asset_detail(actor=Actor.from_request(request), asset_id=asset_id)
    form = AssetEditForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        done, status = submit(
            form,
            lambda: services.asset_update(
                actor=Actor.from_request(request),
                asset=asset,
                name=data["name"],
                location=data["location"],
                status=data["status"],
                opened_on=data["opened_on"],
                closed_on=data["closed_on"],
                note=data["note"],
            ),
        )
        if done is not None:
            messages.success(request, _("Asset saved."))
            return redirect("publicity:asset_detail", asset_id=asset.pk)
    return _asset_page(request, asset, edit_form=form, status=status)


@require_POST
@require_capability(MANAGE)
@submit_once
def asset_photo_add(request: HttpRequest, asset_id: int) -> HttpResponse:
    asset = selectors.asset_detail(actor=Actor.from_request(request), asset_id=asset_id)
    return _photo_add(
        request,
        asset,
        attach=lambda actor, record, uploads: services.asset_photos_attach(
            actor=actor, asset=record, uploads=uploads
        ),
        show=_asset_page,
        detail="publicity:asset_detail",
    )


# ------------------------------------------------------------------------------- trainings


@require_GET
@require_capability(MANAGE)
def training_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    year = _year(request)
    return render(
        request,
        "publicity/training_list.html",
        {
            "year": year,
            "share": selectors.trained_share(user, year),
            "page": page_of(request, selectors.training_list(user, year=year)),
            "query": query_without_page(request),
            "staff": selectors.staff_in_scope(user),
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(MANAGE)
@submit_once
def training_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = TrainingForm(
        posted(request), units=selectors.unit_choices(user), staff=selectors.staff_in_scope(user)
    )

    def record(actor: Actor, data: dict[str, Any]) -> Training:
        return services.training_record(
            actor=actor,
            org_unit=data["org_unit"],
            topic=data["topic"],
            trainer=data["trainer"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            hours=data["hours"],
            attendees=list(data["attendees"]),
            cost=data["cost"],
            note=data["note"],
        )

    return form_page(
        request,
        form=form,
        operation=record,
        success=_("Training recorded."),
        next_url=lambda training: reverse("publicity:training_detail", args=[training.pk]),
        template="publicity/form.html",
        title=_("Record a training"),
        cancel_url=reverse("publicity:training_list"),
        context={"form_testid": "training-form"},
    )


def _training_page(
    request: HttpRequest,
    training: Training,
    *,
    cost_form: CostForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "publicity/training_detail.html",
        {
            "training": training,
            "attendees": training.attendees.select_related("org_unit").order_by("username"),
            "cost_form": cost_form or CostForm(initial={"cost": training.cost}),
        },
        status=status,
    )


@require_GET
@require_capability(MANAGE)
def training_detail(request: HttpRequest, training_id: int) -> HttpResponse:
    training = selectors.training_detail(actor=Actor.from_request(request), training_id=training_id)
    return _training_page(request, training)


@require_POST
@require_capability(MANAGE)
@submit_once
def training_cost(request: HttpRequest, training_id: int) -> HttpResponse:
    training = selectors.training_detail(actor=Actor.from_request(request), training_id=training_id)
    return _cost_correct(
        request,
        training,
        correct=lambda actor, record, cost: services.training_cost_correct(
            actor=actor, training=record, cost=cost
        ),
        show=_training_page,
        detail="publicity:training_detail",
    )


@require_GET
@require_capability(MANAGE)
def staff_trainings(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = Actor.from_request(request)
    member = selectors.staff_member(actor=actor, user_id=user_id)
    return render(
        request,
        "publicity/staff_trainings.html",
        {"member": member, "trainings": selectors.training_history(actor.user, member)},
    )


# -------------------------------------------------------------------------------- coverage


@require_GET
@require_capability(RECORD, Capability.VIEW_AGGREGATES)
def coverage(request: HttpRequest) -> HttpResponse:
    """Activities per community per quarter and the yearly "五个一" checklist; printable."""
    user = request_user(request)
    year = _year(request)
    return render(
        request,
        "publicity/coverage.html",
        {
            "year": year,
            "coverage": selectors.coverage_for(user, year),
            "share": selectors.trained_share(user, year),
            "five_ones": [(key, FIVE_ONE_LABELS[key]) for key, _kinds in FIVE_ONES],
        },
    )
