"""Pages of the targets module: thin; each calls one selector or one service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jisheng.core import modules
from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import Conflict, JishengError, NotFound
from jisheng.core.indicators import Period
from jisheng.core.lookups import visible_or_404
from jisheng.core.pages import form_page, page_of, posted, query_int
from jisheng.core.permissions import may, require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.core.uploads import stored_file_response
from jisheng.targets import selectors, services
from jisheng.targets.forms import (
    ActionItemForm,
    AdjustmentForm,
    BonusBandForm,
    BookForm,
    CopyForm,
    DepartmentForm,
    DoneForm,
    LineForm,
    MeetingForm,
    RunForm,
    SignForm,
    VetoForm,
    VetoItemForm,
    VetoItemsForm,
)
from jisheng.targets.models import (
    ActionItem,
    Adjustment,
    Assessment,
    BonusBand,
    BookLine,
    Department,
    Meeting,
    PartyKind,
    TargetBook,
    VetoFinding,
    VetoItem,
)

FORM_TEMPLATE = "targets/form.html"


def _book_url(book: TargetBook | int) -> str:
    return reverse("targets:book_detail", args=[book if isinstance(book, int) else book.pk])


def _assessment_url(assessment: Assessment | int) -> str:
    pk = assessment if isinstance(assessment, int) else assessment.pk
    return reverse("targets:assessment_detail", args=[pk])


def _period_asked(request: HttpRequest) -> Period:
    today = timezone.localdate()
    year = query_int(request, "year") or today.year
    quarter = query_int(request, "quarter")
    if quarter is None:
        quarter = Period.quarter_of(today).quarter if year == today.year else 4
    try:
        return Period(year, quarter or None)
    except ValueError as exc:
        raise JishengError(_("The period is not valid."), code="invalid_period") from exc


@require_GET
@require_capability(Capability.VIEW_TARGETS)
def overview(request: HttpRequest) -> HttpResponse:
    """The leaders' page: the period's scores and ranking, and the year's trend by quarter."""
    user = request_user(request)
    period = _period_asked(request)
    kind = request.GET.get("kind") or PartyKind.COMMUNITY
    if kind not in PartyKind.values:
        raise JishengError(_("Choose who signs the book."), code="invalid_party")
    rows = selectors.ranking(user, period=period, kind=kind)
    trend = selectors.trend(user, year=period.year, kind=kind)
    chart = {
        "quarters": ["Q1", "Q2", "Q3", "Q4"],
        "series": [
            {"name": name, "data": [float(v) if v is not None else None for v in values]}
            for name, values in trend.items()
        ],
    }
    return render(
        request,
        "targets/overview.html",
        {
            "period": period,
            "kind": kind,
            "kinds": PartyKind.choices,
            "rows": rows,
            "chart": chart,
            "years": range(timezone.localdate().year + 1, timezone.localdate().year - 5, -1),
            "print": request.GET.get("print") == "1",
        },
    )


@require_GET
@require_capability(Capability.VIEW_TARGETS)
def book_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    year = query_int(request, "year")
    return render(
        request,
        "targets/book_list.html",
        {"page": page_of(request, selectors.books(user, year=year)), "year": year},
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_TARGETS)
@submit_once
def book_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = BookForm(
        posted(request),
        communities=selectors.communities(user),
        cadres=selectors.cadre_choices(user),
        departments=selectors.departments(user),
    )

    def create(actor: Actor, data: dict[str, Any]) -> TargetBook:
        return services.book_create(
            actor=actor,
            year=data["year"],
            kind=data["kind"],
            community=data["community"],
            cadre=data["cadre"],
            department=data["department"],
        )

    return form_page(
        request,
        form=form,
        operation=create,
        success=_("Target book drafted."),
        next_url=lambda book: _book_url(book),
        template=FORM_TEMPLATE,
        title=_("Draft a target book"),
        cancel_url=reverse("targets:book_list"),
    )


@require_GET
@require_capability(Capability.VIEW_TARGETS)
def book_detail(request: HttpRequest, book_id: int) -> HttpResponse:
    user = request_user(request)
    book = selectors.book_detail(user, book_id)
    lines = list(selectors.book_lines(user, book))
    names = modules.indicators()
    return render(
        request,
        "targets/book_detail.html",
        {
            "book": book,
            "lines": [(line, names.get(line.indicator)) for line in lines],
            "weight_sum": selectors.weight_sum(lines),
            "veto_items": book.veto_items.all(),
            "assessments": selectors.book_assessments(user, book),
            "previous": selectors.previous_book(user, book),
            "copy_form": CopyForm(initial={"year": book.year + 1}),
            "run_form": RunForm(),
            "sign_form": SignForm(
                initial={"party_signatory": str(book.cadre) if book.cadre else ""}
            ),
        },
    )


@require_GET
@require_capability(Capability.VIEW_TARGETS)
def book_print(request: HttpRequest, book_id: int) -> HttpResponse:
    user = request_user(request)
    book = selectors.book_detail(user, book_id)
    names = modules.indicators()
    lines = list(selectors.book_lines(user, book))
    return render(
        request,
        "targets/book_print.html",
        {
            "book": book,
            "lines": [(line, names.get(line.indicator)) for line in lines],
            "weight_sum": selectors.weight_sum(lines),
            "veto_items": book.veto_items.all(),
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_TARGETS)
@submit_once
def book_copy(request: HttpRequest, book_id: int) -> HttpResponse:
    user = request_user(request)
    source = selectors.book_detail(user, book_id)
    form = CopyForm(posted(request), initial={"year": source.year + 1})
    return form_page(
        request,
        form=form,
        operation=lambda actor, data: services.book_copy(
            actor=actor, source=source, year=data["year"]
        ),
        success=_("Book copied; check the targets before signing."),
        next_url=lambda book: _book_url(book),
        template=FORM_TEMPLATE,
        title=_("Copy this book into a new year"),
        cancel_url=_book_url(source),
        context={"book": source},
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_TARGETS)
def book_line(request: HttpRequest, book_id: int) -> HttpResponse:
    """Add an indicator to a draft book, or change its terms (the same indicator again)."""
    user = request_user(request)
    book = selectors.book_detail(user, book_id)
    initial: dict[str, Any] = {}
    line_id = query_int(request, "line")
    if line_id is not None:
        line = visible_or_404(BookLine.objects.filter(book=book), user=user, pk=line_id)
        initial = {
            "indicator": line.indicator,
            "target": line.target,
            "floor": line.floor,
            "scoring": line.scoring,
            "weight": line.weight,
            "responsible": line.responsible_id,
        }
    form = LineForm(
        posted(request),
        initial=initial,
        indicators=selectors.indicator_choices(),
        staff=selectors.staff_choices(user),
    )
    return form_page(
        request,
        form=form,
        operation=lambda actor, data: services.book_line_set(
            actor=actor,
            book=book,
            indicator=data["indicator"],
            target=data["target"],
            floor=data["floor"],
            scoring=data["scoring"],
            weight=data["weight"],
            responsible=data["responsible"],
        ),
        success=_("Indicator saved."),
        next_url=_book_url(book),
        template=FORM_TEMPLATE,
        title=_("Indicator of the book"),
        context={"book": book},
    )


@require_POST
@require_capability(Capability.MANAGE_TARGETS)
def book_line_remove(request: HttpRequest, book_id: int, line_id: int) -> HttpResponse:
    user = request_user(request)
    line = visible_or_404(BookLine.objects.filter(book_id=book_id), user=user, pk=line_id)
    services.book_line_remove(actor=Actor.from_request(request), line=line)
    return redirect(_book_url(book_id))


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_TARGETS)
def book_vetoes(request: HttpRequest, book_id: int) -> HttpResponse:
    user = request_user(request)
    book = selectors.book_detail(user, book_id)
    form = VetoItemsForm(
        posted(request),
        initial={"items": list(book.veto_items.all())},
        items=selectors.veto_items(),
    )
    return form_page(
        request,
        form=form,
        operation=lambda actor, data: services.book_veto_items_set(
            actor=actor, book=book, items=list(data["items"])
        ),
        success=_("Veto items saved."),
        next_url=_book_url(book),
        template=FORM_TEMPLATE,
        title=_("Veto items of the book"),
        context={"book": book},
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_TARGETS)
@submit_once
def book_sign(request: HttpRequest, book_id: int) -> HttpResponse:
    user = request_user(request)
    book = selectors.book_detail(user, book_id)
    form = SignForm(posted(request))
    return form_page(
        request,
        form=form,
        operation=lambda actor, data: services.book_sign(
            actor=actor,
            book=book,
            party_signatory=data["party_signatory"],
            signed_on=data["signed_on"],
        ),
        success=_("The book is signed."),
        next_url=_book_url(book),
        template=FORM_TEMPLATE,
        title=_("Sign the book"),
        context={"book": book},
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_TARGETS)
@submit_once
def assessment_run(request: HttpRequest, book_id: int) -> HttpResponse:
    user = request_user(request)
    book = selectors.book_detail(user, book_id)
    form = RunForm(posted(request))
    return form_page(
        request,
        form=form,
        operation=lambda actor, data: services.assessment_run(
            actor=actor, book=book, period=Period(book.year, data["quarter"] or None)
        ),
        success=_("Assessment computed from the current records."),
        next_url=lambda assessment: _assessment_url(assessment),
        template=FORM_TEMPLATE,
        title=_("Run the assessment"),
        context={"book": book},
    )


@require_GET
@require_capability(Capability.VIEW_TARGETS)
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    user = request_user(request)
    assessment = selectors.assessment_detail(user, assessment_id)
    names = modules.indicators()
    return render(
        request,
        "targets/assessment_detail.html",
        {
            "assessment": assessment,
            "book": assessment.book,
            "lines": [(line, names.get(line.indicator)) for line in assessment.lines.all()],
            "adjustments": assessment.adjustments.all(),
            "vetoes": assessment.vetoes.all(),
            "print": request.GET.get("print") == "1",
        },
    )


@require_GET
@require_capability(Capability.VIEW_TARGETS)
def adjustment_evidence(request: HttpRequest, adjustment_id: int) -> HttpResponseBase:
    """The evidence file of an adjustment in the user's scope, downloaded; the read audited."""
    adjustment = selectors.adjustment_evidence(Actor.from_request(request), adjustment_id)
    suffix = Path(adjustment.evidence.name or "").suffix.lower()
    return stored_file_response(
        adjustment.evidence, download_name=f"adjustment-{adjustment.pk}-evidence{suffix}"
    )


@require_GET
@require_capability(Capability.VIEW_TARGETS)
def assessment_line_records(request: HttpRequest, assessment_id: int, line_id: int) -> HttpResponse:
    """What is behind one value: the records the user may read."""
    user = request_user(request)
    assessment = selectors.assessment_detail(user, assessment_id)
    line = next((row for row in assessment.lines.all() if row.pk == line_id), None)
    if line is None:
        raise NotFound()
    indicator, records = selectors.line_records(user, assessment, line)
    return render(
        request,
        "targets/line_records.html",
        {"assessment": assessment, "line": line, "indicator": indicator, "records": records},
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_TARGETS)
@submit_once
def assessment_adjust(request: HttpRequest, assessment_id: int) -> HttpResponse:
    user = request_user(request)
    assessment = selectors.assessment_detail(user, assessment_id)
    title = _("Adjust the score")
    try:
        services.assessment_check_open(actor=Actor.from_request(request), assessment=assessment)
    except Conflict as exc:
        # Refused before the upload is read: the page says so instead of taking a file.
        return render(
            request,
            FORM_TEMPLATE,
            {
                "title": title,
                "assessment": assessment,
                "refusal": exc.message,
                "cancel_url": _assessment_url(assessment),
            },
            status=exc.status,
        )
    form = AdjustmentForm(posted(request), request.FILES or None)

    def adjust(actor: Actor, data: dict[str, Any]) -> Adjustment:
        return services.assessment_adjust(
            actor=actor,
            assessment=assessment,
            points=data["points"],
            reason=data["reason"],
            evidence=data["evidence"],
        )

    return form_page(
        request,
        form=form,
        operation=adjust,
        success=_("Adjustment recorded."),
        next_url=_assessment_url(assessment),
        template=FORM_TEMPLATE,
        title=title,
        context={"assessment": assessment, "multipart": True},
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_TARGETS)
@submit_once
def assessment_veto(request: HttpRequest, assessment_id: int) -> HttpResponse:
    user = request_user(request)
    assessment = selectors.assessment_detail(user, assessment_id)
    form = VetoForm(posted(request), items=assessment.book.veto_items.all())

    def veto(actor: Actor, data: dict[str, Any]) -> VetoFinding:
        return services.assessment_veto(
            actor=actor, assessment=assessment, veto_item=data["veto_item"], reason=data["reason"]
        )

    return form_page(
        request,
        form=form,
        operation=veto,
        success=_("Veto recorded: the total is zero."),
        next_url=_assessment_url(assessment),
        template=FORM_TEMPLATE,
        title=_("Record a veto item"),
        context={"assessment": assessment},
    )


@require_POST
@require_capability(Capability.APPROVE_ASSESSMENTS)
@submit_once
def assessment_approve(request: HttpRequest, assessment_id: int) -> HttpResponse:
    user = request_user(request)
    assessment = selectors.assessment_detail(user, assessment_id)
    services.assessment_approve(actor=Actor.from_request(request), assessment=assessment)
    return redirect(_assessment_url(assessment))


@require_GET
@require_capability(Capability.VIEW_TARGETS)
def staff_page(request: HttpRequest, user_id: int) -> HttpResponse:
    """What a staff member answers for, and where each stands."""
    user = request_user(request)
    staff = selectors.staff_choices(user).filter(pk=user_id).first()
    if staff is None and user_id == user.pk:
        staff = user
    if staff is None:
        raise NotFound()
    return render(
        request,
        "targets/staff.html",
        {"staff": staff, "rows": selectors.responsibilities(user, staff)},
    )


@require_GET
@require_capability(Capability.MANAGE_TARGETS)
def meeting_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request, "targets/meeting_list.html", {"page": page_of(request, selectors.meetings(user))}
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_TARGETS)
@submit_once
def meeting_new(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = MeetingForm(posted(request), staff=selectors.staff_choices(user))

    def create(actor: Actor, data: dict[str, Any]) -> Meeting:
        return services.meeting_create(
            actor=actor,
            kind=data["kind"],
            date=data["date"],
            title=data["title"],
            chair=data["chair"],
            attendees=list(data["attendees"]),
            other_attendees=data["other_attendees"],
            topics=data["topics"],
            decisions=data["decisions"],
        )

    return form_page(
        request,
        form=form,
        operation=create,
        success=_("Meeting recorded."),
        next_url=lambda meeting: reverse("targets:meeting_detail", args=[meeting.pk]),
        template=FORM_TEMPLATE,
        title=_("Record a meeting"),
        cancel_url=reverse("targets:meeting_list"),
    )


@require_GET
@require_capability(Capability.MANAGE_TARGETS)
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = request_user(request)
    meeting = selectors.meeting_detail(user, meeting_id)
    return render(
        request,
        "targets/meeting_detail.html",
        {"meeting": meeting, "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_TARGETS)
@submit_once
def action_item_new(request: HttpRequest, meeting_id: int) -> HttpResponse:
    user = request_user(request)
    meeting = selectors.meeting_detail(user, meeting_id)
    form = ActionItemForm(posted(request), staff=selectors.staff_choices(user))

    def add(actor: Actor, data: dict[str, Any]) -> ActionItem:
        return services.action_item_add(
            actor=actor,
            meeting=meeting,
            description=data["description"],
            owner=data["owner"],
            due_on=data["due_on"],
        )

    return form_page(
        request,
        form=form,
        operation=add,
        success=_("Task added."),
        next_url=reverse("targets:meeting_detail", args=[meeting.pk]),
        template=FORM_TEMPLATE,
        title=_("Add a task"),
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.VIEW_TARGETS, Capability.MANAGE_TARGETS)
def action_item_done(request: HttpRequest, item_id: int) -> HttpResponse:
    user = request_user(request)
    item = selectors.action_item_for(user, item_id)
    form = DoneForm(posted(request))
    return form_page(
        request,
        form=form,
        operation=lambda actor, data: services.action_item_done(
            actor=actor, item=item, done_on=data["done_on"]
        ),
        success=_("Task marked done."),
        next_url=reverse("reports:home")
        if not may(user, Capability.MANAGE_TARGETS)
        else reverse("targets:meeting_detail", args=[item.meeting_id]),
        template=FORM_TEMPLATE,
        title=_("Mark the task done"),
        context={"intro": item.description},
    )


# ------------------------------------------------- departments, veto items, bonus bands (data)


@require_GET
@require_capability(Capability.MANAGE_TARGETS)
def department_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "targets/department_list.html",
        {"page": page_of(request, selectors.all_departments(user))},
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_TARGETS)
@submit_once
def department_edit(request: HttpRequest, department_id: int | None = None) -> HttpResponse:
    """A new department (no id) or one of the user's street."""
    user = request_user(request)
    found = (
        None
        if department_id is None
        else visible_or_404(selectors.all_departments(user), user=user, pk=department_id)
    )
    initial = {} if found is None else {"name": found.name, "active": found.active}
    form = DepartmentForm(posted(request), initial=initial)

    def save(actor: Actor, data: dict[str, Any]) -> Department:
        if found is None:
            return services.department_create(actor=actor, name=data["name"], active=data["active"])
        return services.department_update(
            actor=actor, department=found, name=data["name"], active=data["active"]
        )

    return form_page(
        request,
        form=form,
        operation=save,
        success=_("Department saved."),
        next_url=reverse("targets:department_list"),
        template=FORM_TEMPLATE,
        title=_("New department") if found is None else _("Edit department"),
        context={"form_testid": "department-form"},
    )


@require_GET
@require_capability(Capability.MANAGE_TARGETS)
def veto_item_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "targets/veto_item_list.html",
        {"page": page_of(request, selectors.all_veto_items(user))},
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_TARGETS)
@submit_once
def veto_item_edit(request: HttpRequest, veto_item_id: int | None = None) -> HttpResponse:
    """A new veto item (no id) or an existing one."""
    user = request_user(request)
    found = (
        None
        if veto_item_id is None
        else visible_or_404(selectors.all_veto_items(user), user=user, pk=veto_item_id)
    )
    initial = (
        {}
        if found is None
        else {"name": found.name, "description": found.description, "active": found.active}
    )
    form = VetoItemForm(posted(request), initial=initial)

    def save(actor: Actor, data: dict[str, Any]) -> VetoItem:
        if found is None:
            return services.veto_item_create(
                actor=actor,
                name=data["name"],
                description=data["description"],
                active=data["active"],
            )
        return services.veto_item_update(
            actor=actor,
            item=found,
            name=data["name"],
            description=data["description"],
            active=data["active"],
        )

    return form_page(
        request,
        form=form,
        operation=save,
        success=_("Veto item saved."),
        next_url=reverse("targets:veto_item_list"),
        template=FORM_TEMPLATE,
        title=_("New veto item") if found is None else _("Edit veto item"),
        context={"form_testid": "veto-item-form"},
    )


@require_GET
@require_capability(Capability.MANAGE_TARGETS)
def bonus_band_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "targets/bonus_band_list.html",
        {"page": page_of(request, selectors.bonus_bands(user))},
    )


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_TARGETS)
@submit_once
def bonus_band_edit(request: HttpRequest, band_id: int | None = None) -> HttpResponse:
    """A new band of the user's street (no id) or one of its bands."""
    user = request_user(request)
    found = (
        None
        if band_id is None
        else visible_or_404(selectors.bonus_bands(user), user=user, pk=band_id)
    )
    initial = (
        {} if found is None else {"min_score": found.min_score, "coefficient": found.coefficient}
    )
    form = BonusBandForm(posted(request), initial=initial)

    def save(actor: Actor, data: dict[str, Any]) -> BonusBand:
        if found is None:
            return services.bonus_band_create(
                actor=actor, min_score=data["min_score"], coefficient=data["coefficient"]
            )
        return services.bonus_band_update(
            actor=actor, band=found, min_score=data["min_score"], coefficient=data["coefficient"]
        )

    return form_page(
        request,
        form=form,
        operation=save,
        success=_("Bonus band saved."),
        next_url=reverse("targets:bonus_band_list"),
        template=FORM_TEMPLATE,
        title=_("New bonus band") if found is None else _("Edit bonus band"),
        context={
            "form_testid": "bonus-band-form",
            "intro": _(
                "Assessments already approved keep the coefficient they were approved with."
            ),
        },
    )
