"""Pages of the annual re-verification (年审): campaigns, their items, decisions."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jisheng.benefits import selectors
from jisheng.benefits.forms import CampaignForm, DecideForm, ItemFilterForm
from jisheng.benefits.models import ReviewItem
from jisheng.benefits.models.reverification import FLAG_KINDS
from jisheng.benefits.services import reverification
from jisheng.core.actors import Actor, request_user
from jisheng.core.pages import page_of, query_without_page, submit
from jisheng.core.permissions import require_capability
from jisheng.core.resubmission import submit_once
from jisheng.core.roles import Capability


def _labelled[T: ReviewItem](items: Iterable[T]) -> list[T]:
    """Each item with its flags' kinds in words, for the row template."""
    shown = list(items)
    for item in shown:
        item.labelled_flags = [  # type: ignore[attr-defined]
            (FLAG_KINDS.get(str(flag.get("kind")), flag.get("kind")), flag) for flag in item.flags
        ]
    return shown


def _campaign_list_page(
    request: HttpRequest, form: CampaignForm, status: int = 200
) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "benefits/review/campaign_list.html",
        {
            "campaigns": selectors.campaign_list(user),
            "form": form,
            "can_create": user.has_capability(Capability.REVIEW_BENEFITS),
        },
        status=status,
    )


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def campaign_list(request: HttpRequest) -> HttpResponse:
    return _campaign_list_page(
        request, CampaignForm(programs=selectors.review_programs(request_user(request)))
    )


@require_POST
@require_capability(Capability.REVIEW_BENEFITS)
@submit_once
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST, programs=selectors.review_programs(request_user(request)))
    if not form.is_valid():
        return _campaign_list_page(request, form, status=400)
    campaign, status = submit(
        form,
        lambda: reverification.campaign_create(
            actor=Actor.from_request(request),
            program=form.cleaned_data["program"],
            year=form.cleaned_data["year"],
        ),
    )
    if campaign is None:
        return _campaign_list_page(request, form, status=status)
    messages.success(request, _("Re-verification opened."))
    return redirect("benefits:campaign_detail", campaign_id=campaign.pk)


@require_GET
@require_capability(Capability.VIEW_PERSONAL)
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = request_user(request)
    campaign = selectors.campaign_detail(user, campaign_id)
    form = ItemFilterForm(request.GET or None)
    flag = decision = ""
    status = 200
    if form.is_bound:
        if form.is_valid():
            flag, decision = form.cleaned_data["flag"], form.cleaned_data["decision"]
        else:
            status = 400
    items = selectors.campaign_items(user, campaign, flag=flag, decision=decision)
    page = page_of(request, items, 100)
    page.object_list = _labelled(page.object_list)
    return render(
        request,
        "benefits/review/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": selectors.campaign_progress(user, campaign),
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "can_decide": user.has_capability(Capability.REVIEW_BENEFITS),
        },
        status=status,
    )


@require_POST
@require_capability(Capability.REVIEW_BENEFITS)
def campaign_confirm_unflagged(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_detail(request_user(request), campaign_id)
    count = reverification.review_items_confirm_unflagged(
        actor=Actor.from_request(request), campaign=campaign
    )
    messages.success(request, _("%(n)d beneficiaries without flags confirmed.") % {"n": count})
    return redirect("benefits:campaign_detail", campaign_id=campaign.pk)


@require_POST
@require_capability(Capability.REVIEW_BENEFITS)
def review_item_decide(request: HttpRequest, review_item_id: int) -> HttpResponse:
    """Decide one item. From htmx: the item's row comes back; else back to the campaign."""
    user = request_user(request)
    item = selectors.review_item_for(user, review_item_id)
    form = DecideForm(request.POST)
    error = ""
    if form.is_valid():
        decided, _status = submit(
            form,
            lambda: reverification.review_item_decide(
                actor=Actor.from_request(request),
                item=item,
                decision=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
            ),
        )
        if decided is None:
            error = " ".join(str(problem) for problem in form.non_field_errors())
    else:
        error = _("Decide to confirm or to stop.")
    if request.headers.get("HX-Request"):
        # htmx swaps only 2xx answers: a refusal comes back as the row with its message.
        return render(
            request,
            "benefits/review/_item_row.html",
            {
                "item": _labelled([selectors.review_item_for(user, review_item_id)])[0],
                "can_decide": True,
                "error": error,
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Decision recorded."))
    target = reverse("benefits:campaign_detail", args=[item.campaign_id])
    anchor = f"#item-{item.pk}"
    # Back to the same filtered page; re-encoded, so nothing but a query string survives.
    next_query = QueryDict(request.POST.get("next", "")).urlencode()
    return redirect(f"{target}{'?' + next_query if next_query else ''}{anchor}")
