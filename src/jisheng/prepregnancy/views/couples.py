"""The worklist, one couple's file, notification (contacts, text messages, letters)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.core.paginator import Page
from django.http import FileResponse, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import JishengError
from jisheng.core.exports import xlsx_response
from jisheng.core.lookups import community_choices
from jisheng.core.pages import (
    is_id_text,
    page_of,
    posted,
    query_id,
    query_without_page,
    submit,
)
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability
from jisheng.prepregnancy import exporting
from jisheng.prepregnancy.forms import (
    ContactForm,
    CoupleFilterForm,
    LettersDeliveredForm,
    PlanningForm,
)
from jisheng.prepregnancy.models import ContactOutcome, Spouse
from jisheng.prepregnancy.models.pregnancies import LIVE_OUTCOMES
from jisheng.prepregnancy.selectors import couples as selectors
from jisheng.prepregnancy.services import contacts, couples
from jisheng.registry import selectors as registry

HEALTH = Capability.VIEW_HEALTH


def _filter_form(request: HttpRequest) -> CoupleFilterForm:
    form = CoupleFilterForm(
        request.GET or None, communities=community_choices(request_user(request))
    )
    if form.is_bound and not form.is_valid():
        raise JishengError(form.errors.as_text(), code="invalid_filter")
    return form


@require_GET
@require_capability(HEALTH)
def couple_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = CoupleFilterForm(request.GET or None, communities=community_choices(user))
    context: dict[str, Any] = {
        "form": form,
        "page": None,
        "query": query_without_page(request),
        # New marriages reach the list through the worker (couples.due_streets_refresh),
        # never while this page waits; the page says how fresh it is (a bad filter too).
        "as_of": selectors.worklist_as_of(user.scope_unit_ids()),
    }
    if form.is_bound and not form.is_valid():
        return render(request, "prepregnancy/couple_list.html", context, status=400)
    filters = form.filters()
    actor = Actor.from_request(request)
    selectors.couple_search_record(actor=actor, filters=filters)
    context["page"] = page_of(
        request,
        selectors.couple_pages(user=user, filters=filters),
        ids_first=True,
        rows=lambda ids: selectors.couple_rows(user=user, ids=ids),
    )
    return render(request, "prepregnancy/couple_list.html", context)


@require_POST
@require_capability(HEALTH)
def couple_refresh(request: HttpRequest) -> HttpResponse:
    result = couples.target_couples_refresh(actor=Actor.from_request(request))
    messages.success(
        request,
        _(
            "Worklist brought up to date with the registry (marriages from %(first)s to "
            "%(last)s): %(created)d new couples, %(updated)d files updated."
        )
        % {
            "first": result.first_day.isoformat(),
            "last": result.last_day.isoformat(),
            "created": result.created,
            "updated": result.updated,
        },
    )
    return redirect("prepregnancy:couple_list")


@require_http_methods(["GET", "POST"])
@require_capability(HEALTH)
def couple_planning(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = PlanningForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            result, status = submit(
                form,
                lambda: couples.couple_mark_planning(
                    actor=Actor.from_request(request),
                    wife=registry.person_by_id_number(user=user, id_number=data["wife_id_number"]),
                    since=data["since"],
                ),
            )
            if result is not None:
                couple, created = result
                messages.success(
                    request,
                    _("The couple is on the worklist.")
                    if created
                    else _("The couple was already on the worklist; marked as planning."),
                )
                return redirect("prepregnancy:couple_detail", couple_id=couple.pk)
    return render(
        request,
        "prepregnancy/form.html",
        {
            "title": _("Add a couple planning a pregnancy"),
            "intro": _("Enter the wife's ID number; her current marriage is used."),
            "form": form,
            "cancel_url": reverse("prepregnancy:couple_list"),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@require_capability(HEALTH)
def couple_detail(request: HttpRequest, couple_id: int) -> HttpResponse:
    """The couple's file; POST logs a contact from the form on the page."""
    contact_form = ContactForm(posted(request))
    status = 200
    if request.method == "POST":
        status = 400
        if contact_form.is_valid():
            data = contact_form.cleaned_data
            user = request_user(request)
            couple = selectors.couple_visible(user=user, couple_id=couple_id)
            contact, status = submit(
                contact_form,
                lambda: contacts.contact_record(
                    actor=Actor.from_request(request),
                    couple=couple,
                    method=data["method"],
                    outcome=data["outcome"],
                    date=data["date"],
                    appointment_date=data["appointment_date"],
                    note=data["note"],
                ),
            )
            if contact is not None:
                messages.success(request, _("Contact logged."))
                return redirect("prepregnancy:couple_detail", couple_id=couple_id)
    file = selectors.couple_file(actor=Actor.from_request(request), couple_id=couple_id)
    return render(
        request,
        "prepregnancy/couple_detail.html",
        {
            "file": file,
            "couple": file.couple,
            "contact_form": contact_form,
            "today": timezone.localdate(),
            "live_outcomes": LIVE_OUTCOMES,
        },
        status=status,
    )


@require_POST
@require_capability(HEALTH)
@submit_once
def couple_sms(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = selectors.couple_visible(user=request_user(request), couple_id=couple_id)
    try:
        contact = contacts.contact_send_sms(actor=Actor.from_request(request), couple=couple)
    except JishengError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, str(exc.message))
    else:
        if contact.outcome == ContactOutcome.SMS_SENT:
            messages.success(request, _("Text message sent."))
        else:
            # Saying "sent" here would have the worker believe the couple was told.
            messages.warning(
                request,
                _(
                    "Text message queued, not sent: no SMS gateway is set up, so it was saved "
                    "in the outbox folder. The couple is not notified yet; tell them another "
                    "way or have the message sent."
                ),
            )
    return redirect("prepregnancy:couple_detail", couple_id=couple_id)


@require_POST
@require_capability(HEALTH)
def couple_sms_opt_out(request: HttpRequest, couple_id: int) -> HttpResponse:
    couple = selectors.couple_visible(user=request_user(request), couple_id=couple_id)
    spouse = request.POST.get("spouse", "")
    opted_out = request.POST.get("opted_out") == "1"
    if spouse not in Spouse.values:
        raise JishengError(_("Choose the wife or the husband."), code="invalid_spouse")
    contacts.sms_opt_out_set(
        actor=Actor.from_request(request), couple=couple, spouse=spouse, opted_out=opted_out
    )
    messages.success(
        request,
        _("No more text messages to this person.") if opted_out else _("Text messages resumed."),
    )
    return redirect("prepregnancy:couple_detail", couple_id=couple_id)


@require_GET
@require_capability(HEALTH)
def couple_letter(request: HttpRequest, couple_id: int) -> HttpResponse:
    """One couple's notice letter, ready to print."""
    selectors.couple_visible(user=request_user(request), couple_id=couple_id)
    chosen = selectors.letter_rows(actor=Actor.from_request(request), ids=[couple_id])
    return _letters_page(
        request, chosen, page=None, back=reverse("prepregnancy:couple_detail", args=[couple_id])
    )


@require_GET
@require_capability(HEALTH)
def letters(request: HttpRequest) -> HttpResponse:
    """Notice letters for the filtered worklist, a page of it at a time in the worklist's
    order (one letter per printed page): a page is printed and logged as handed out, then
    the next; only the page's letters are read and drawn, however long the list. ``start``:
    the list from that couple on (where the letters after a logged page begin)."""
    user = request_user(request)
    actor = Actor.from_request(request)
    filters = _filter_form(request).filters()
    couples = selectors.couple_pages(user=user, filters=filters)
    start = query_id(request, "start")
    started = (
        selectors.couples_from(user=user, filters=filters, couple_id=start)
        if start is not None
        else None
    )
    # Tested against None: a queryset's truth would read every couple it holds.
    if started is not None:
        couples = started
    page = page_of(
        request,
        couples,
        ids_first=True,
        rows=lambda ids: selectors.letter_rows(actor=actor, ids=ids),
    )
    back = reverse("prepregnancy:couple_list") + (
        f"?{query_without_page(request)}" if request.GET else ""
    )
    # Posted back when the page is logged: the letters after it begin there.
    following = selectors.couple_after(couples, page.end_index()) if page.has_next() else None
    return _letters_page(request, list(page), page=page, back=back, following=following)


def _letters_page(
    request: HttpRequest,
    chosen: Sequence[selectors.LetterRow],
    *,
    page: Page[selectors.LetterRow] | None,
    back: str,
    following: int | None = None,
) -> HttpResponse:
    return render(
        request,
        "prepregnancy/letters.html",
        {
            "letters": chosen,
            "page": page,
            "query": query_without_page(request),
            "back_url": back,
            "following": following,
            "delivered_form": LettersDeliveredForm(),
            "today": timezone.localdate(),
        },
    )


@require_POST
@require_capability(HEALTH)
@submit_once
def letters_delivered(request: HttpRequest) -> HttpResponse:
    form = LettersDeliveredForm(request.POST)
    if not form.is_valid():
        raise JishengError(_("Choose the letters handed out and the date."), code="invalid")
    count = contacts.letters_record_delivered(
        actor=Actor.from_request(request),
        couple_ids=form.cleaned_data["couple"],
        date=form.cleaned_data["date"],
    )
    messages.success(
        request, _("%(count)d notice letters logged as handed out.") % {"count": count}
    )
    couple_ids = form.cleaned_data["couple"]
    if "letters_query" in request.POST:  # a page of the worklist's letters
        return redirect(_next_letters(request))
    if len(couple_ids) == 1:
        return redirect("prepregnancy:couple_detail", couple_id=couple_ids[0])
    return redirect("prepregnancy:couple_list")


def _next_letters(request: HttpRequest) -> str:
    """Where the letters after a logged page begin: the same filtered list from the couple
    that followed the page (``start``); the worklist when the page was the last one; the
    letters' first page when the filters posted back are not valid (tampered with)."""
    query = QueryDict(request.POST.get("letters_query", ""))
    form = CoupleFilterForm(query, communities=community_choices(request_user(request)))
    letters = reverse("prepregnancy:letters")
    if not form.is_valid():
        return letters
    kept = query.copy()
    kept.pop("page", None)
    kept.pop("start", None)
    following = request.POST.get("letters_next", "")
    if not is_id_text(following):  # the page was the last: every letter of the list logged
        listed = reverse("prepregnancy:couple_list")
        return f"{listed}?{kept.urlencode()}" if kept else listed
    kept["start"] = following
    return f"{letters}?{kept.urlencode()}"


@require_GET
@require_capability(HEALTH)
def couple_export_xlsx(request: HttpRequest) -> FileResponse:
    rows = exporting.couple_export(
        actor=Actor.from_request(request), filters=_filter_form(request).filters()
    )
    return xlsx_response(
        lambda handle: exporting.write_couples_xlsx(handle, rows),
        filename=f"孕前优生目标人群-{timezone.localdate():%Y%m%d}.xlsx",
    )
