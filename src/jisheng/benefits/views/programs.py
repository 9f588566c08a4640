"""Program pages: the catalogue, one program, editing, "find eligible", checking one resident."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jisheng.benefits import selectors
from jisheng.benefits.eligibility import FACTS, OPERATORS_BY_KIND, describe, explain
from jisheng.benefits.forms import DisabilityForm, ProgramForm
from jisheng.benefits.models import Program
from jisheng.benefits.services.programs import EDITABLE_FIELDS, disability_record, program_save
from jisheng.benefits.services.snapshots import applications_from_snapshot, snapshot_refresh
from jisheng.core.actors import Actor, request_user
from jisheng.core.dates import possible_date
from jisheng.core.errors import JishengError
from jisheng.core.lookups import visible_or_404
from jisheng.core.pages import form_page, is_id_text, posted, query_id
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.registry.models import Person
from jisheng.registry.selectors import person_detail


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def program_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    status = request.GET.get("status", "")
    return render(
        request,
        "benefits/program_list.html",
        {
            "programs": selectors.program_list(user, status=status),
            "status": status,
            "statuses": Program.Status.choices,
        },
    )


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def program_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request_user(request)
    program = selectors.program_get(user, code)
    refusal = program.application_refusal()
    return render(
        request,
        "benefits/program_detail.html",
        {
            "program": program,
            "takes_applications": not refusal,
            # A closed program's applications already reviewed still go on a notice.
            "notice_needed": not refusal
            or selectors.reviewable_applications(user, program).exists(),
            "rule_lines": describe(program.rule),
            "tiers": [
                {"label": tier["label"], "amount": tier["amount"], "lines": describe(tier["rule"])}
                for tier in program.amount_tiers
            ],
            "counts": {
                "enrolled": selectors.entitlement_list(
                    user, program=program, status="active"
                ).count(),
                "applications": selectors.application_list(user, program=program).count(),
            },
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.REVIEW_BENEFITS)
@submit_once
def program_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    user = request_user(request)
    program = selectors.program_get(user, code) if code else None
    initial = {field: getattr(program, field) for field in EDITABLE_FIELDS} if program else None
    form = ProgramForm(posted(request), initial=initial)
    facts = [
        {
            "key": fact.key,
            "label": fact.label,
            "ops": " ".join(OPERATORS_BY_KIND[fact.kind]),
            "choices": "、".join(f"{code}={label}" for code, label in fact.choices),
        }
        for fact in FACTS.values()
    ]
    return form_page(
        request,
        form=form,
        operation=lambda actor, _data: program_save(
            actor=actor, program=program, values=form.values()
        ),
        success=_("Program saved."),
        next_url=lambda saved: reverse("benefits:program_detail", kwargs={"code": saved.code}),
        template="benefits/program_form.html",
        context={"program": program, "facts": facts},
    )


def program_refused(
    request: HttpRequest, program: Program, *, title: str, refusal: str, testid: str
) -> HttpResponse:
    """The 409 page of a step the program does not allow now: why, and the way back to it
    (no form, nothing to print)."""
    return render(
        request,
        "benefits/refused.html",
        {"program": program, "title": title, "refusal": refusal, "testid": testid},
        status=409,
    )


def _as_of(raw: str) -> dt.date:
    try:
        as_of = dt.date.fromisoformat(raw) if raw else timezone.localdate()
    except ValueError:
        raise JishengError(_("The date is not valid; write it like 2026-07-01.")) from None
    return possible_date(as_of, future=True)  # a coming date may be asked, 1850 may not


def _find_eligible_url(program: Program, as_of: dt.date) -> str:
    return f"{reverse('benefits:find_eligible', args=[program.code])}?as_of={as_of.isoformat()}"


@require_GET
@require_capability(Capability.APPLY_BENEFITS)
def find_eligible(request: HttpRequest, code: str) -> HttpResponse:
    """Who qualified, read from the latest snapshot of the user's unit: a page by the sort
    key, the stored total, never the rule itself (the worker runs it, on "Refresh")."""
    user = request_user(request)
    program = selectors.program_get(user, code)
    try:
        as_of, as_of_error, status = _as_of(request.GET.get("as_of", "")), "", 200
    except JishengError as bad:
        # The list for today, with the date field saying what was wrong with the one typed.
        as_of, as_of_error, status = timezone.localdate(), str(bad.message), 400
    refusal = program.eligible_search_refusal()
    if refusal:
        # An ended program, or one with no rule: say so instead of a list (an empty rule
        # would list every resident) and offer nothing to refresh or apply from.
        return program_refused(
            request, program, title=_("Find eligible"), refusal=refusal, testid="not-searchable"
        )
    snapshots = selectors.snapshots_for(user, program, as_of)
    current = snapshots.current
    page = None
    if current is not None:
        page = selectors.snapshot_page(
            user, current, after=query_id(request, "after"), before=query_id(request, "before")
        )
        selectors.find_eligible_recorded(
            actor=Actor.from_request(request), program=program, count=current.total
        )
    return render(
        request,
        "benefits/find_eligible.html",
        {
            "program": program,
            "snapshots": snapshots,
            "current": current,
            "stale": current is not None and selectors.snapshot_stale(current),
            "page": page,
            "as_of": as_of,
            "as_of_typed": request.GET.get("as_of", ""),
            "as_of_error": as_of_error,
        },
        status=status,
    )


@require_POST
@require_capability(Capability.APPLY_BENEFITS)
@submit_once
def eligible_refresh(request: HttpRequest, code: str) -> HttpResponse:
    """Queue a new snapshot (one already running is kept) and show its progress."""
    program = selectors.program_get(request_user(request), code)
    as_of = _as_of(request.POST.get("as_of", ""))
    snapshot_refresh(actor=Actor.from_request(request), program=program, as_of=as_of)
    return redirect(_find_eligible_url(program, as_of))


# htmx stops polling when an answer has this status.
_STOP_POLLING = 286


@require_GET
@require_capability(Capability.APPLY_BENEFITS)
def eligible_snapshot(request: HttpRequest, snapshot_id: int) -> HttpResponse:
    """A snapshot's progress, polled by the find-eligible page; once done, back to the list."""
    snapshot = selectors.snapshot_for(request_user(request), snapshot_id)
    target = _find_eligible_url(snapshot.program, snapshot.as_of)
    polled = bool(request.headers.get("HX-Request"))
    if not polled or snapshot.done:
        return HttpResponse(headers={"HX-Redirect": target}) if polled else redirect(target)
    status = _STOP_POLLING if snapshot.progress.finished else 200
    return render(
        request,
        "benefits/_eligible_snapshot.html",
        {"snapshot": snapshot, "progress": snapshot.progress, "program": snapshot.program},
        status=status,
    )


@require_POST
@require_capability(Capability.APPLY_BENEFITS)
@submit_once
def apply_for_selected(request: HttpRequest, code: str) -> HttpResponse:
    """Applications for the residents ticked on a snapshot's page (the form names it)."""
    user = request_user(request)
    program = selectors.program_get(user, code)
    ids = [int(value) for value in request.POST.getlist("person_ids") if is_id_text(value)]
    snapshot_id = request.POST.get("snapshot", "")
    result = applications_from_snapshot(
        actor=Actor.from_request(request),
        program=program,
        snapshot_id=int(snapshot_id) if is_id_text(snapshot_id) else None,
        person_ids=ids,
    )
    messages.success(
        request,
        _("%(created)d applications taken, %(refused)d refused.")
        % {"created": len(result.created), "refused": len(result.refused)},
    )
    for person, reason in result.refused[:20]:
        messages.warning(request, f"{person.name}: {reason}")
    return redirect(f"{reverse('benefits:application_list')}?program={program.code}")


@require_GET
@require_capability(Capability.APPLY_BENEFITS)
def person_benefits(request: HttpRequest, person_id: int) -> HttpResponse:
    """One resident: what they receive, what they applied for, and each open program's verdict."""
    actor = Actor.from_request(request)
    person = person_detail(actor=actor, person_id=person_id)
    today = timezone.localdate()
    verdicts = [
        {"program": program, "explanation": explain(program.rule, person, today)}
        for program in selectors.program_list(actor.user, status=Program.Status.OPEN)
    ]
    return render(
        request,
        "benefits/person_benefits.html",
        {
            "person": person,
            "verdicts": verdicts,
            "disabilities": selectors.person_disabilities(actor.user, person),
            "disability_form": DisabilityForm(initial={"recorded_on": today}),
            **selectors.person_benefits(actor.user, person),
        },
    )


@require_POST
@require_capability(Capability.APPLY_BENEFITS)
@submit_once
def disability_new(request: HttpRequest, person_id: int) -> HttpResponse:
    """A disability certificate's grade: a registry fact the benefit rules test."""
    user = request_user(request)
    person = visible_or_404(Person, user=user, pk=person_id)
    form = DisabilityForm(request.POST)
    if not form.is_valid():
        raise JishengError(_("Choose the grade and the date."))
    disability_record(
        actor=Actor.from_request(request),
        person=person,
        grade=form.cleaned_data["grade"],
        certificate_number=form.cleaned_data["certificate_number"],
        recorded_on=form.cleaned_data["recorded_on"],
    )
    messages.success(request, _("Disability grade recorded."))
    return redirect("benefits:person_benefits", person_id=person.pk)
