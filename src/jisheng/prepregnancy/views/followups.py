"""Pregnancies, their follow-ups, the link to the registered birth, the overdue worklist."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import JishengError
from jisheng.core.pages import form_page, page_of, posted, query_id, query_without_page
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.prepregnancy.forms import (
    BirthLinkForm,
    EarlyFollowUpForm,
    OutcomeFollowUpForm,
    PregnancyForm,
)
from jisheng.prepregnancy.models import FollowUpKind, TaskState
from jisheng.prepregnancy.selectors import couples as couple_selectors
from jisheng.prepregnancy.selectors import worklists
from jisheng.prepregnancy.services import pregnancies

HEALTH = Capability.VIEW_HEALTH


@require_http_methods(["GET", "POST"])
@require_capability(HEALTH)
@submit_once
def pregnancy_new(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = couple_selectors.couple_visible(user=request_user(request), couple_id=couple_id)
    if request.method == "GET":
        couple_selectors.record_form_view(
            actor=Actor.from_request(request), obj=couple, couple_id=couple.pk
        )

    def operation(actor: Actor, data: dict[str, Any]) -> object:
        return pregnancies.pregnancy_report(
            actor=actor,
            couple=couple,
            reported_on=data["reported_on"],
            last_period=data["last_period"],
        )

    return form_page(
        request,
        form=PregnancyForm(posted(request)),
        operation=operation,
        title=_("Report a pregnancy"),
        success=_("Pregnancy recorded; the early-pregnancy follow-up is scheduled."),
        next_url=reverse("prepregnancy:couple_detail", args=[couple.pk]),
        template="prepregnancy/form.html",
        context={"couple": couple},
    )


@require_http_methods(["GET", "POST"])
@require_capability(HEALTH)
@submit_once
def followup_record(request: HttpRequest, pregnancy_followup_id: int) -> HttpResponse:
    user = request_user(request)
    followup = worklists.followup_visible(user=user, followup_id=pregnancy_followup_id)
    done_url = reverse("prepregnancy:couple_detail", args=[followup.couple_id])
    if followup.state != TaskState.OPEN:
        messages.info(request, _("This follow-up has already been recorded."))
        return redirect(done_url)
    if request.method == "GET":
        couple_selectors.record_form_view(
            actor=Actor.from_request(request), obj=followup, couple_id=followup.couple_id
        )
    context = {"couple": followup.couple, "followup": followup}
    if followup.kind == FollowUpKind.EARLY:
        early = EarlyFollowUpForm(posted(request))

        def record_early(actor: Actor, data: dict[str, Any]) -> object:
            return pregnancies.followup_early_record(
                actor=actor, followup=followup, done_on=data["done_on"], findings=early.findings()
            )

        return form_page(
            request,
            form=early,
            operation=record_early,
            title=_("Early-pregnancy follow-up"),
            success=_("Early-pregnancy follow-up recorded."),
            next_url=done_url,
            template="prepregnancy/form.html",
            context=context,
        )
    births = couple_selectors.birth_candidates(user, followup.pregnancy)
    outcome = OutcomeFollowUpForm(posted(request), births=births)

    def record_outcome(actor: Actor, data: dict[str, Any]) -> object:
        return pregnancies.followup_outcome_record(
            actor=actor,
            followup=followup,
            done_on=data["done_on"],
            outcome=data["outcome"],
            outcome_date=data["outcome_date"],
            details=outcome.details(),
            birth_event=outcome.births.get(data["birth_event"]) if data["birth_event"] else None,
        )

    return form_page(
        request,
        form=outcome,
        operation=record_outcome,
        title=_("Pregnancy outcome follow-up"),
        success=_("Pregnancy outcome recorded."),
        next_url=done_url,
        template="prepregnancy/form.html",
        context=context,
    )


@require_POST
@require_capability(HEALTH)
@submit_once
def pregnancy_birth_link(request: HttpRequest, pregnancy_id: int) -> HttpResponse:
    user = request_user(request)
    pregnancy = couple_selectors.pregnancy_visible(user=user, pregnancy_id=pregnancy_id)
    form = BirthLinkForm(request.POST, births=couple_selectors.birth_candidates(user, pregnancy))
    if not form.is_valid():
        raise JishengError(_("Choose a registered birth of this mother."), code="invalid")
    pregnancies.pregnancy_link_birth(
        actor=Actor.from_request(request),
        pregnancy=pregnancy,
        event=form.births[form.cleaned_data["birth_event"]],
    )
    messages.success(request, _("The outcome is linked to the registered birth."))
    return redirect("prepregnancy:couple_detail", couple_id=pregnancy.couple_id)


def _worker_choices(request: HttpRequest) -> tuple[int | None, bool]:
    """The worker the list is narrowed to: ``?worker=me`` (default for workers) or an id."""
    if request.GET.get("worker") == "me":
        return request_user(request).pk, True
    return query_id(request, "worker"), False


@require_GET
@require_capability(HEALTH)
def overdue(request: HttpRequest) -> HttpResponse:
    """Open follow-ups and referrals past their due date, per worker."""
    assignee_id, mine = _worker_choices(request)
    today = timezone.localdate()
    worklists.worklist_viewed(
        actor=Actor.from_request(request),
        object_type="prepregnancy.followup",
        detail={"overdue": True, "worker": assignee_id},
    )
    return render(
        request,
        "prepregnancy/overdue.html",
        {
            "overdue": worklists.overdue(
                user=request_user(request), today=today, assignee_id=assignee_id
            ),
            "today": today,
            "assignee_id": assignee_id,
            "mine": mine,
        },
    )


@require_GET
@require_capability(HEALTH)
def followup_list(request: HttpRequest) -> HttpResponse:
    """Open follow-ups by due date (all kinds), the overdue ones marked, a page at a time: the
    most urgent come first, and a page never builds the whole area's follow-ups."""
    assignee_id, mine = _worker_choices(request)
    worklists.worklist_viewed(
        actor=Actor.from_request(request),
        object_type="prepregnancy.followup",
        detail={"state": "open", "worker": assignee_id},
    )
    user = request_user(request)
    followups = worklists.followup_list(user=user, state=TaskState.OPEN, assignee_id=assignee_id)
    return render(
        request,
        "prepregnancy/followup_list.html",
        {
            "page": page_of(
                request,
                followups,
                ids_first=True,
                rows=lambda ids: worklists.followup_rows(user=user, ids=ids),
            ),
            "query": query_without_page(request),
            "today": timezone.localdate(),
            "mine": mine,
        },
    )
