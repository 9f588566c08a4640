"""Pages of the monitoring area: pregnancies to their outcome, the reconciliation worklists,
terminations at 14 weeks or more and their review, the sex-ratio monitor."""

from __future__ import annotations

from typing import IO, Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jisheng.benefits.masking import mask_name
from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import JishengError
from jisheng.core.exports import write_xlsx, xlsx_response
from jisheng.core.lookups import visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.pages import form_page, page_of, posted, query_id, query_without_page
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.core.uploads import spooled
from jisheng.governance import periods
from jisheng.governance.forms import (
    LEVEL_LABELS,
    ORDER_LABELS,
    PERIOD_KIND_LABELS,
    RESIDENCE_LABELS,
    OutcomeForm,
    PregnancyReportForm,
    ReviewForm,
    SrbFilterForm,
    TerminationImportForm,
)
from jisheng.governance.selectors import pregnancies as worklists
from jisheng.governance.selectors import srb as srb_selectors
from jisheng.governance.services import pregnancies as services
from jisheng.governance.services import terminations as termination_services
from jisheng.governance.srb import NORMAL_HIGH, NORMAL_LOW, SexRatio, Verdict
from jisheng.registry.models import LifeEvent
from jisheng.registry.picker import scope_residents

HEALTH = Capability.VIEW_HEALTH
TREND_PERIODS = 8


@require_GET
@require_capability(HEALTH)
def pregnancy_list(request: HttpRequest) -> HttpResponse:
    """Open pregnancies of the area, the overdue ones marked."""
    user = request_user(request)
    overdue_before = worklists.overdue_before()
    return render(
        request,
        "governance/monitoring/pregnancy_list.html",
        {
            "page": page_of(request, worklists.pregnancy_list(user)),
            "overdue_before": overdue_before,
            "query": query_without_page(request),
        },
    )


@require_GET
@require_capability(HEALTH)
def overdue_list(request: HttpRequest) -> HttpResponse:
    """Pregnancies past their expected date by the set weeks with no outcome."""
    user = request_user(request)
    return render(
        request,
        "governance/monitoring/overdue_list.html",
        {
            "page": page_of(request, worklists.overdue_pregnancies(user)),
            "weeks": worklists.overdue_weeks(),
            "query": query_without_page(request),
        },
    )


@require_GET
@require_capability(HEALTH)
def unmatched_births(request: HttpRequest) -> HttpResponse:
    """Registry births of the last year that no pregnancy record explains."""
    user = request_user(request)
    return render(
        request,
        "governance/monitoring/unmatched_births.html",
        {
            "page": page_of(
                request,
                worklists.births_without_pregnancy(user),
                ids_first=True,
                rows=lambda ids: worklists.birth_rows(user, ids=ids),
            ),
            "query": query_without_page(request),
        },
    )


@require_http_methods(["GET", "POST"])
@require_capability(HEALTH)
@submit_once
def pregnancy_new(request: HttpRequest) -> HttpResponse:
    form = PregnancyReportForm(posted(request))
    scope_residents(form, request_user(request))

    def operation(actor: Actor, data: dict[str, Any]) -> object:
        return services.pregnancy_open(
            actor=actor,
            woman=data["woman"],
            reported_on=data["reported_on"],
            last_period=data["last_period"],
            source=data["source"],
        )

    return form_page(
        request,
        form=form,
        operation=operation,
        title=_("Report a pregnancy"),
        success=_("Pregnancy recorded; its follow-up visits are scheduled."),
        next_url=lambda pregnancy: reverse(
            "governance:pregnancy_detail",
            args=[pregnancy.pk],  # type: ignore[attr-defined]
        ),
        cancel_url=reverse("governance:pregnancy_list"),
        template="governance/monitoring/form.html",
    )


@require_GET
@require_capability(HEALTH)
def pregnancy_detail(request: HttpRequest, pregnancy_id: int) -> HttpResponse:
    user = request_user(request)
    pregnancy = worklists.pregnancy_visible(user, pregnancy_id)
    return render(
        request,
        "governance/monitoring/pregnancy_detail.html",
        {
            "pregnancy": pregnancy,
            "followups": worklists.open_followups(user, pregnancy),
            "overdue": pregnancy.expected_on is not None
            and pregnancy.expected_on < worklists.overdue_before(),
        },
    )


def _birth_candidates(user: Any, woman_id: int) -> list[LifeEvent]:
    return list(
        LifeEvent.objects.visible_to(user)
        .filter(kind=LifeEvent.Kind.BIRTH, other_person_id=woman_id, reversed_by__isnull=True)
        .select_related("person")
        .order_by("-date")[:10]
    )


@require_http_methods(["GET", "POST"])
@require_capability(HEALTH)
@submit_once
def outcome_record(request: HttpRequest, pregnancy_id: int) -> HttpResponse:
    user = request_user(request)
    pregnancy = worklists.pregnancy_visible(user, pregnancy_id)
    done_url = reverse("governance:pregnancy_detail", args=[pregnancy.pk])
    if pregnancy.closed:
        messages.info(request, _("The outcome of this pregnancy is already recorded."))
        return redirect(done_url)
    form = OutcomeForm(posted(request), births=_birth_candidates(user, pregnancy.woman_id))

    def operation(actor: Actor, data: dict[str, Any]) -> object:
        return services.pregnancy_outcome_record(
            actor=actor,
            pregnancy=pregnancy,
            data=form.outcome_data(),
            done_on=data["done_on"],
            birth_event=form.births.get(data["birth_event"]) if data["birth_event"] else None,
        )

    return form_page(
        request,
        form=form,
        operation=operation,
        title=_("Record the outcome"),
        success=_("Pregnancy outcome recorded."),
        next_url=done_url,
        template="governance/monitoring/form.html",
        context={"pregnancy": pregnancy},
    )


@require_GET
@require_capability(HEALTH)
def termination_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    pending = request.GET.get("review") == "pending"
    rows = worklists.terminations_to_review(user) if pending else worklists.termination_list(user)
    return render(
        request,
        "governance/monitoring/termination_list.html",
        {"page": page_of(request, rows), "pending": pending, "query": query_without_page(request)},
    )


@require_http_methods(["GET", "POST"])
@require_capability(HEALTH)
@submit_once
def termination_review(request: HttpRequest, termination_id: int) -> HttpResponse:
    """The street's finding on a termination without a medical reason."""
    user = request_user(request)
    termination = visible_or_404(worklists.termination_list(user), user=user, pk=termination_id)

    def operation(actor: Actor, data: dict[str, Any]) -> object:
        return termination_services.termination_review(
            actor=actor, termination=termination, note=data["note"]
        )

    return form_page(
        request,
        form=ReviewForm(posted(request)),
        operation=operation,
        title=_("Review a termination"),
        success=_("Review recorded."),
        next_url=reverse("governance:termination_list") + "?review=pending",
        template="governance/monitoring/form.html",
        context={"termination": termination},
    )


MAX_UPLOAD_BYTES = 5 * 1024 * 1024


@require_http_methods(["GET", "POST"])
@require_capability(HEALTH)
@submit_once
def termination_import(request: HttpRequest) -> HttpResponse:
    """A hospital's monthly list of terminations at 14 weeks or more, imported whole."""
    form = TerminationImportForm(posted(request), request.FILES or None)

    def operation(actor: Actor, data: dict[str, Any]) -> object:
        upload = data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise JishengError(_("The file is larger than 5 MB."), code="too_large")
        with spooled(upload) as path:
            batch = termination_services.termination_import(
                actor=actor, institution=data["institution"], file_name=upload.name, path=path
            )
        messages.info(
            request, _("%(count)d terminations on the list.") % {"count": batch.row_count}
        )
        return batch

    return form_page(
        request,
        form=form,
        operation=operation,
        title=_("Import a hospital's list"),
        success=_("The list is imported."),
        next_url=reverse("governance:termination_list"),
        template="governance/monitoring/form.html",
        context={
            "multipart": True,
            "template_header": termination_services.TEMPLATE_HEADER,
            "template_url": reverse("governance:termination_template"),
        },
    )


@require_GET
@require_capability(HEALTH)
def termination_template(request: HttpRequest) -> FileResponse:
    """An empty hospital list: the header row and one example line."""
    header, rows = termination_services.template_rows()

    def write(handle: IO[bytes]) -> None:
        write_xlsx(handle, header, rows, title="引产名单", text_columns=(0, 5), widths={0: 22})

    return xlsx_response(write, filename="中期以上引产名单模板.xlsx")


# --- the sex-ratio monitor ------------------------------------------------------------------


def _filters(request: HttpRequest) -> dict[str, Any]:
    """The monitor's filters from the query string; a bad one is a 400 with the page."""
    form = SrbFilterForm(request.GET)
    if not form.is_valid():
        raise JishengError(_("Choose the figures to show from the lists."), code="invalid_filter")
    data = form.cleaned_data
    month_text = data["month"] or f"{timezone.localdate():%Y-%m}"
    month = periods.parse_period(month_text)
    if month.kind != "month":
        raise JishengError(_("Write the month like 2026-05."), code="invalid_period")
    kind = data["kind"] or "rolling"
    return {
        "level": data["level"] or "community",
        "kind": kind,
        "month": month_text,
        "period": periods.of_month(kind, month.start),
        "order": data["order"],
        "residence": data["residence"],
    }


def _ratio(figure: SexRatio) -> str:
    """Boys per 100 girls to one decimal; "—" when there are no girls to divide by."""
    return "—" if figure.ratio is None else f"{figure.ratio:.1f}"


def _interval(figure: SexRatio) -> str:
    """The 95% interval as "low–high": one "—" without births, "from low" without an upper
    bound (no girls); a cell too small to judge still shows how wide its interval is."""
    if figure.low is None:
        return "—"
    if figure.high is None:
        return _("%(low).1f or more") % {"low": figure.low}
    return f"{figure.low:.1f}–{figure.high:.1f}"


@require_GET
@require_capability(HEALTH, Capability.VIEW_AGGREGATES)
def srb_monitor(request: HttpRequest) -> HttpResponse:
    """Boys per 100 girls by unit for the chosen period, order and residence, with the
    95% interval and verdict; the high cells as alerts; the trend of recent periods."""
    user = request_user(request)
    chosen = _filters(request)
    period: periods.SrbPeriod = chosen["period"]
    rows = srb_selectors.srb_rows(
        user,
        level=chosen["level"],
        period=period,
        order=chosen["order"],
        residence=chosen["residence"],
    )
    trend_periods = [period.previous(n) for n in range(TREND_PERIODS - 1, -1, -1)]
    trend = srb_selectors.srb_trend(
        user,
        units=[row.unit for row in rows],
        periods=trend_periods,
        order=chosen["order"],
        residence=chosen["residence"],
    )
    may_list = user.has_capability(Capability.VIEW_PERSONAL)

    def births_url(unit: OrgUnit) -> str:
        query = {
            "unit": unit.pk,
            "period": period.key,
            "order": chosen["order"],
            "residence": chosen["residence"],
        }
        return reverse("governance:srb_births") + "?" + urlencode(query)

    table: list[dict[str, Any]] = [
        {
            "unit": row.unit,
            "figure": row.figure,
            "ratio": _ratio(row.figure),
            "interval": _interval(row.figure),
            "url": births_url(row.unit) if may_list and row.figure.births else "",
        }
        for row in rows
    ]
    chart = {
        "categories": [p.label for p in trend_periods],
        "normal": [NORMAL_LOW, NORMAL_HIGH],
        "series": [
            {
                "name": row.unit.name,
                "data": [
                    round(f.ratio, 1) if f.ratio is not None and f.births else None
                    for f in trend[row.unit.pk]
                ],
                "high": [f.verdict == Verdict.HIGH for f in trend[row.unit.pk]],
            }
            for row in rows
            if any(f.births for f in trend[row.unit.pk])
        ],
    }
    return render(
        request,
        "governance/monitoring/srb.html",
        {
            "form": SrbFilterForm(
                {
                    "level": chosen["level"],
                    "kind": chosen["kind"],
                    "month": chosen["month"],
                    "order": chosen["order"],
                    "residence": chosen["residence"],
                }
            ),
            "chosen": chosen,
            "period": period,
            "table": table,
            "alerts": [row for row in table if row["figure"].verdict == Verdict.HIGH],
            "chart": chart,
            "level_label": LEVEL_LABELS[chosen["level"]],
            "order_label": ORDER_LABELS[chosen["order"]],
            "residence_label": RESIDENCE_LABELS[chosen["residence"]],
            "kind_label": PERIOD_KIND_LABELS[chosen["kind"]],
            "normal": (NORMAL_LOW, NORMAL_HIGH),
            "print": request.GET.get("print") == "1",
        },
    )


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def srb_births(request: HttpRequest) -> HttpResponse:
    """The births behind one cell of the monitor, names masked; opening it is audited."""
    user = request_user(request)
    unit_id = query_id(request, "unit")
    if unit_id is None:
        raise JishengError(_("Choose a unit of the monitor."), code="invalid_unit")
    unit = visible_or_404(OrgUnit, user=user, pk=unit_id)
    period = periods.parse_period(request.GET.get("period", ""))
    order = request.GET.get("order", "")
    residence = request.GET.get("residence", "")
    if order not in ORDER_LABELS or residence not in RESIDENCE_LABELS:
        raise JishengError(_("Choose the figures to show from the lists."), code="invalid_filter")
    births = srb_selectors.cell_births(
        actor=Actor.from_request(request),
        unit=unit,
        period=period,
        order=order,
        residence=residence,
    )
    page = page_of(request, births)
    rows = [
        {
            "date": event.date,
            "sex": event.person.get_sex_display(),
            "order": srb_selectors.order_key(event.data.get("birth_order")),
            "mother": mask_name(event.other_person.name) if event.other_person else "—",
            "floating": event.person.is_floating,
            "community": event.community.name,
        }
        for event in page
    ]
    return render(
        request,
        "governance/monitoring/srb_births.html",
        {
            "unit": unit,
            "period": period,
            "order_label": ORDER_LABELS[order],
            "residence_label": RESIDENCE_LABELS[residence],
            "page": page,
            "rows": rows,
            "query": query_without_page(request),
        },
    )
