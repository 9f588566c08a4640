"""Consultations and materials: one page with the year's totals, both logs and both forms."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.contraceptives.forms import ConsultationForm, HandoutForm, YearForm
from jisheng.contraceptives.selectors import reports, stock
from jisheng.contraceptives.services import outreach
from jisheng.contraceptives.views.common import year_from
from jisheng.core.actors import Actor, request_user
from jisheng.core.occasions import occasion_choices, occasions_visible
from jisheng.core.pages import submit
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability

LOG_LENGTH = 50


def _page(
    request: HttpRequest,
    *,
    consultation_form: ConsultationForm | None = None,
    handout_form: HandoutForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request_user(request)
    points = stock.point_list(user).filter(is_active=True)
    year = year_from(YearForm(request.GET or None))
    handouts = list(reports.handout_list(user)[:LOG_LENGTH])
    # Each handout's activity, when the user may see it (the activity's app decides).
    at = occasions_visible(user, ((h.occasion_kind, h.occasion_id) for h in handouts))
    return render(
        request,
        "contraceptives/outreach.html",
        {
            "year": year,
            "totals": reports.outreach_totals(user=user, year=year),
            "consultations": reports.consultation_list(user)[:LOG_LENGTH],
            "handouts": [
                (handout, at.get((handout.occasion_kind, handout.occasion_id or 0)))
                for handout in handouts
            ],
            "consultation_form": consultation_form or ConsultationForm(points=points),
            "handout_form": handout_form
            or HandoutForm(points=points, occasions=occasion_choices(user)),
        },
        status=status,
    )


@require_GET
@require_capability(Capability.MANAGE_STOCK)
def outreach_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@require_capability(Capability.MANAGE_STOCK)
@submit_once
def consultation_new(request: HttpRequest) -> HttpResponse:
    points = stock.point_list(request_user(request)).filter(is_active=True)
    form = ConsultationForm(request.POST, points=points)
    if form.is_valid():
        data = form.cleaned_data
        done, status = submit(
            form,
            lambda: outreach.consultation_record(
                actor=Actor.from_request(request),
                point=data["point"],
                date=data["date"],
                topic=data["topic"],
                people=data["people"],
                note=data["note"],
            ),
        )
        if done is not None:
            messages.success(request, _("Consultation recorded."))
            return redirect("contraceptives:outreach")
        return _page(request, consultation_form=form, status=status)
    return _page(request, consultation_form=form, status=400)


@require_POST
@require_capability(Capability.MANAGE_STOCK)
@submit_once
def handout_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    points = stock.point_list(user).filter(is_active=True)
    form = HandoutForm(request.POST, points=points, occasions=occasion_choices(user))
    if form.is_valid():
        data = form.cleaned_data
        done, status = submit(
            form,
            lambda: outreach.material_handout_record(
                actor=Actor.from_request(request),
                point=data["point"],
                date=data["date"],
                material=data["material"],
                quantity=data["quantity"],
                note=data["note"],
                occasion=data["occasion"],
            ),
        )
        if done is not None:
            messages.success(request, _("Handout recorded."))
            return redirect("contraceptives:outreach")
        return _page(request, handout_form=form, status=status)
    return _page(request, handout_form=form, status=400)
