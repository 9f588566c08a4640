"""Checkups, referrals and the list of risk factors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import JishengError
from jisheng.core.pages import form_page, page_of, posted, query_without_page, submit
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.prepregnancy import health
from jisheng.prepregnancy.forms import CheckupForm, ReferralCompleteForm, RiskFactorForm
from jisheng.prepregnancy.models import Spouse, TaskState
from jisheng.prepregnancy.selectors import couples as couple_selectors
from jisheng.prepregnancy.selectors import risk_factors as factor_selectors
from jisheng.prepregnancy.selectors import worklists
from jisheng.prepregnancy.services import checkups

HEALTH = Capability.VIEW_HEALTH


@require_http_methods(["GET", "POST"])
@require_capability(HEALTH)
@submit_once
def checkup_new(request: HttpRequest, couple_id: int) -> HttpResponse:
    user = request_user(request)
    couple = couple_selectors.couple_visible(user=user, couple_id=couple_id)
    spouse = request.GET.get("spouse", "")
    if spouse not in Spouse.values:
        raise JishengError(_("Choose the wife or the husband."), code="invalid_spouse")
    form = CheckupForm(
        posted(request),
        spouse=spouse,
        factors=factor_selectors.risk_factor_list(user=user, active=True),
    )
    if request.method == "GET":
        couple_selectors.record_form_view(
            actor=Actor.from_request(request), obj=couple, couple_id=couple.pk
        )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            checkup, status = submit(
                form,
                lambda: checkups.checkup_record(
                    actor=Actor.from_request(request),
                    couple=couple,
                    spouse=spouse,
                    data=form.checkup_data(),
                ),
            )
            if checkup is not None:
                messages.success(request, _("Checkup recorded."))
                if checkup.risk_level == "high":
                    messages.warning(request, _("High risk: a referral task was created."))
                return redirect("prepregnancy:couple_detail", couple_id=couple.pk)
    return render(
        request,
        "prepregnancy/checkup_form.html",
        {
            "couple": couple,
            "spouse": spouse,
            "person": couple.spouse(spouse),
            "form": form,
            "lab_fields": [form[name] for name in form.lab_fields],
            "history_fields": [form[name] for name in form.history_fields],
        },
        status=status,
    )


@require_GET
@require_capability(HEALTH)
def checkup_detail(request: HttpRequest, checkup_id: int) -> HttpResponse:
    view = couple_selectors.checkup_detail(actor=Actor.from_request(request), checkup_id=checkup_id)
    spouse = view.checkup.spouse
    results = [
        (
            test.label,
            dict(test.choices).get(view.results[test.code], view.results[test.code]),
            view.results[test.code] in test.abnormal,
        )
        for test in health.LAB_TESTS
        if test.code in view.results
    ]
    items = [item.label for item in health.SERVICE_ITEMS if item.code in view.checkup.items]
    history = (
        [(label, getattr(view.history, code)) for code, label in health.HISTORY_FIELDS]
        if view.history
        else []
    )
    factor_names = factor_selectors.risk_factor_names(view.factor_codes)
    return render(
        request,
        "prepregnancy/checkup_detail.html",
        {
            "view": view,
            "checkup": view.checkup,
            "couple": view.checkup.couple,
            "person": view.checkup.couple.spouse(spouse),
            "results": results,
            "items": items,
            "history": history,
            "history_note": view.history.note if view.history else "",
            "factors": factor_names,
        },
    )


@require_GET
@require_capability(HEALTH)
def referral_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", TaskState.OPEN)
    if state not in ("", *TaskState.values):
        # A hand-edited or stale link: the list again, with its filter and what was wrong.
        problem = _("There is no such state: choose one from the list.")
        context = {"page": None, "state": "", "states": TaskState.choices, "problem": problem}
        return render(request, "prepregnancy/referral_list.html", context, status=400)
    worklists.worklist_viewed(
        actor=Actor.from_request(request),
        object_type="prepregnancy.referral",
        detail={"state": state},
    )
    user = request_user(request)
    referrals = worklists.referral_list(user=user, state=state)
    return render(
        request,
        "prepregnancy/referral_list.html",
        {
            "page": page_of(
                request,
                referrals,
                ids_first=True,
                rows=lambda ids: worklists.referral_rows(user=user, ids=ids),
            ),
            "query": query_without_page(request),
            "state": state,
            "states": TaskState.choices,
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(HEALTH)
@submit_once
def referral_complete(request: HttpRequest, checkup_referral_id: int) -> HttpResponse:
    referral = worklists.referral_visible(
        user=request_user(request), referral_id=checkup_referral_id
    )
    if request.method == "GET":
        couple_selectors.record_form_view(
            actor=Actor.from_request(request), obj=referral, couple_id=referral.couple_id
        )

    def operation(actor: Actor, data: dict[str, Any]) -> object:
        return checkups.referral_complete(
            actor=actor,
            referral=referral,
            completed_on=data["completed_on"],
            result=data["result"],
        )

    return form_page(
        request,
        form=ReferralCompleteForm(posted(request)),
        operation=operation,
        title=_("Complete the referral"),
        success=_("Referral completed."),
        next_url=reverse("prepregnancy:couple_detail", args=[referral.couple_id]),
        template="prepregnancy/form.html",
        context={"couple": referral.couple},
    )


@require_http_methods(["GET", "POST"])
@require_capability(HEALTH)
def risk_factor_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    can_edit = checkups.is_list_keeper(user)
    form = RiskFactorForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            factor, status = submit(
                form,
                lambda: checkups.risk_factor_create(
                    actor=Actor.from_request(request), **form.cleaned_data
                ),
            )
            if factor is not None:
                messages.success(request, _("Risk factor added."))
                return redirect("prepregnancy:risk_factor_list")
    return render(
        request,
        "prepregnancy/risk_factor_list.html",
        {
            "factors": factor_selectors.risk_factor_list(user=user),
            "form": form if can_edit else None,
            "can_edit": can_edit,
        },
        status=status,
    )


@require_POST
@require_capability(HEALTH)
def risk_factor_active(request: HttpRequest, risk_factor_id: int) -> HttpResponse:
    factor = factor_selectors.risk_factor_or_404(
        user=request_user(request), risk_factor_id=risk_factor_id
    )
    checkups.risk_factor_set_active(
        actor=Actor.from_request(request), factor=factor, active=request.POST.get("active") == "1"
    )
    messages.success(request, _("The list of risk factors was updated."))
    return redirect("prepregnancy:risk_factor_list")
