"""Benefits forms: shape only (numbers parse, choices exist, JSON is JSON); services check rules."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jisheng.benefits.models import (
    BenefitKind,
    Category,
    Cycle,
    Program,
    Proration,
    ReviewItem,
    Unit,
)
from jisheng.benefits.models.reverification import FLAG_KINDS
from jisheng.core import text
from jisheng.core.forms import DateInput
from jisheng.core.pages import is_id_text
from jisheng.registry.picker import ResidentField


class JSONText(forms.CharField):
    """JSON typed into a text area, shown back pretty-printed."""

    widget = forms.Textarea(attrs={"rows": 8, "class": "mono", "spellcheck": "false"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False, indent=2)
        return value

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("Not valid JSON (line %(line)s): %(msg)s"),
                params={"line": error.lineno, "msg": error.msg},
            ) from None


class ProgramForm(text.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=100)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    status = forms.ChoiceField(label=_("Status"), choices=Program.Status.choices)
    policy_document = forms.CharField(label=_("Policy document"), max_length=300)
    source_note = forms.CharField(
        label=_("Source and notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    verify_locally = forms.BooleanField(
        label=_("Verify against the local document before use"), required=False
    )
    unit = forms.ChoiceField(label=_("Beneficiary unit"), choices=Unit.choices)
    benefit_kind = forms.ChoiceField(label=_("Benefit"), choices=BenefitKind.choices)
    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
    amount_per = forms.ChoiceField(label=_("Amount per"), choices=Cycle.choices)
    cycle = forms.ChoiceField(label=_("Paid"), choices=Cycle.choices)
    proration = forms.ChoiceField(label=_("Proration"), choices=Proration.choices)
    in_kind_description = forms.CharField(
        label=_("Goods or service"), max_length=200, required=False
    )
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=DateInput())
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=DateInput())
    notice_days = forms.IntegerField(
        label=_("Public notice days"), min_value=1, max_value=60, initial=7
    )
    funding_shares = JSONText(
        label=_("Funding shares (percent by level)"),
        required=False,
        help_text=_('For example {"district": 50, "street": 30, "community": 20}'),
    )
    rule = JSONText(label=_("Eligibility rule"), required=False)
    amount_tiers = JSONText(label=_("Amount tiers"), required=False)

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["rule"] = data.get("rule") or {}
        data["funding_shares"] = data.get("funding_shares") or {}
        data["amount_tiers"] = data.get("amount_tiers") or []
        return data


class ApplicationForm(text.Form):
    person_id = ResidentField(label=_("Beneficiary"))
    payee_id = ResidentField(
        label=_("Payee"),
        required=False,
        help_text=_(
            "A child's benefit: the parent or guardian (left empty, the mother or father). "
            "A couple's benefit: the spouse the couple names (left empty, the applicant)."
        ),
    )
    bank_account = forms.CharField(
        label=_("Bank or social security card account"), max_length=40, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class TransitionForm(text.Form):
    action = forms.CharField(max_length=20)
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


class DocumentForm(text.Form):
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG, at most 10 MB)"))


class NoticeForm(text.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("Posted from"), widget=DateInput())
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=60)
    application_ids = forms.TypedMultipleChoiceField(
        label=_("Applications"), coerce=int, choices=()
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application_ids"].choices = choices  # type: ignore[attr-defined]
        self.fields["starts_on"].initial = timezone.localdate()


class ObjectionForm(text.Form):
    application_id = forms.IntegerField(widget=forms.HiddenInput)
    received_on = forms.DateField(label=_("Received on"), widget=DateInput())
    content = forms.CharField(label=_("Objection"), widget=forms.Textarea(attrs={"rows": 3}))
    contact = forms.CharField(
        label=_("Objector's contact (kept encrypted)"), max_length=100, required=False
    )


class ResolveForm(text.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda value: value == "yes",
        choices=(
            ("no", _("Not upheld: the application stands")),
            ("yes", _("Upheld: return the application")),
        ),
    )
    resolution = forms.CharField(label=_("Resolution"), widget=forms.Textarea(attrs={"rows": 3}))


class BatchBuildForm(text.Form):
    period = forms.CharField(
        label=_("Period"),
        max_length=7,
        help_text=_("A year like 2026, a month like 2026-03, or 一次性 for a one-off award."),
    )

    def clean_period(self) -> str:
        # Staff type the period as they say it; the service knows a one-off one as "once".
        period: str = self.cleaned_data["period"].strip()
        return Cycle.ONCE.value if period in {str(Cycle.ONCE.label), "一次性"} else period


class SettleForm(text.Form):
    outcome = forms.ChoiceField(choices=(("paid", _("Paid")), ("failed", _("Failed"))))
    payment_ids = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    all_pending = forms.BooleanField(required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def clean_payment_ids(self) -> list[int]:
        # The lines are checked against the batch by the service; here only the shape.
        values = self.data.getlist("payment_ids") if hasattr(self.data, "getlist") else []
        return [int(value) for value in values if is_id_text(str(value))]


class ReverseForm(text.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class CorrectionForm(text.Form):
    reason = forms.CharField(
        label=_("Reason for paying again"),
        max_length=300,
        help_text=_("Kept on the correction batch and shown to whoever approves it."),
    )


class DisabilityForm(text.Form):
    grade = forms.TypedChoiceField(
        label=_("Disability grade"), coerce=int, choices=[(g, g) for g in range(1, 5)]
    )
    certificate_number = forms.CharField(
        label=_("Certificate number"), max_length=40, required=False
    )
    recorded_on = forms.DateField(label=_("Recorded on"), widget=DateInput())


EXPORT_COLUMNS: dict[str, Any] = {
    "seq": _("No."),
    "payee_name": _("Payee"),
    "payee_id_number": _("Payee ID number"),
    "bank_account": _("Account"),
    "person_name": _("Beneficiary"),
    "person_id_number": _("Beneficiary ID number"),
    "community": _("Community"),
    "program": _("Program"),
    "period": _("Period"),
    "months": _("Months"),
    "amount": _("Amount (yuan)"),
    "status": _("Status"),
    "note": _("Note"),
}
DEFAULT_EXPORT_COLUMNS = (
    "seq",
    "payee_name",
    "payee_id_number",
    "bank_account",
    "person_name",
    "community",
    "months",
    "amount",
)


class ExportForm(text.Form):
    format = forms.ChoiceField(choices=(("xlsx", "Excel (.xlsx)"), ("csv", "CSV")), initial="xlsx")
    columns = forms.MultipleChoiceField(
        label=_("Columns"),
        choices=list(EXPORT_COLUMNS.items()),
        initial=list(DEFAULT_EXPORT_COLUMNS),
        widget=forms.CheckboxSelectMultiple,
    )


# ------------------------------------------------------------------------------- re-verification


class CampaignForm(text.Form):
    program = forms.ModelChoiceField(label=_("program"), queryset=Program.objects.none())
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year


def flag_choices() -> list[tuple[str, Any]]:
    return [
        ("", _("All")),
        ("flagged", _("With flags")),
        ("unflagged", _("Without flags")),
        *FLAG_KINDS.items(),
    ]


class ItemFilterForm(text.Form):
    flag = forms.ChoiceField(label=_("flag"), choices=flag_choices, required=False)
    decision = forms.ChoiceField(
        label=_("decision"), choices=[("", _("All")), *ReviewItem.Decision.choices], required=False
    )


class DecideForm(text.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[
            (ReviewItem.Decision.CONFIRM, _("Confirm")),
            (ReviewItem.Decision.STOP, _("Stop")),
        ],
    )
    comment = forms.CharField(label=_("comment"), max_length=300, required=False)


class HistoryImportForm(text.Form):
    """A past period's payments of one program, from a workbook."""

    program = forms.ModelChoiceField(label=_("Program"), queryset=Program.objects.none())
    period = forms.CharField(
        label=_("Period"),
        max_length=7,
        help_text=_("The year paid, like 2013 (a month like 2013-05 for a monthly program)."),
    )
    file = forms.FileField(
        label=_("Workbook (.xlsx)"),
        help_text=_("Columns: ID number, name, amount (yuan), date paid."),
    )

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["program"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = programs
