"""Forms of visits and certifications: shape only; services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.benefits.care.selectors import CertificationFilters, VisitFilters
from jisheng.benefits.models import Certification, Program
from jisheng.core import text
from jisheng.core.forms import DateInput
from jisheng.core.models import OrgUnit
from jisheng.registry.picker import ResidentField


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one input; each is checked by the service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleImageInput(attrs={"accept": ".jpg,.jpeg,.png,image/jpeg,image/png"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        items = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not items:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        single = super().clean
        return [single(item, initial) for item in items]


def _year_choices(years: list[int]) -> list[tuple[str, Any]]:
    today = timezone.localdate()
    shown = sorted({today.year, *years}, reverse=True)
    return [("", _("All")), *((str(year), str(year)) for year in shown)]


class ResidentFields(text.Form):
    """Who: a resident picked by name, pinyin initials or ID number, or reached from a link."""

    person = ResidentField(label=_("Resident"))


# ------------------------------------------------------------------------------- visits


class VisitFilterForm(text.Form):
    program = forms.ModelChoiceField(
        label=_("program"), queryset=Program.objects.none(), required=False, empty_label=_("All")
    )
    year = forms.TypedChoiceField(label=_("year"), coerce=int, required=False, empty_value=None)
    community = forms.ModelChoiceField(
        label=_("community"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(
        self,
        *args: Any,
        programs: QuerySet[Program],
        communities: QuerySet[OrgUnit],
        years: list[int],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["year"].choices = _year_choices(years)  # type: ignore[attr-defined]

    def filters(self) -> VisitFilters:
        if not self.is_bound or not self.is_valid():
            return VisitFilters()
        data = self.cleaned_data
        return VisitFilters(
            program_id=data["program"].pk if data["program"] else None,
            year=data["year"],
            community_id=data["community"].pk if data["community"] else None,
        )


class VisitForm(ResidentFields):
    program = forms.ModelChoiceField(label=_("program"), queryset=Program.objects.none())
    with_household = forms.BooleanField(
        label=_("The whole household"),
        required=False,
        help_text=_("Record the visit for the resident's current household."),
    )
    date = forms.DateField(label=_("date"), widget=DateInput)
    visitors = forms.CharField(
        label=_("visitors"), max_length=200, help_text=_("Who went, e.g. 街道 王主任、社区 李专干")
    )
    given = forms.CharField(label=_("what was given"), max_length=300, required=False)
    cost = forms.DecimalField(
        label=_("cost (yuan)"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    note = forms.CharField(label=_("note"), widget=forms.Textarea, required=False)
    photos = MultipleImageField(label=_("photos"), required=False, help_text=_("JPEG or PNG"))

    field_order = ("program", "id_number", "person", "with_household", "date", "visitors")

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]
        if programs.count() == 1:
            self.fields["program"].initial = programs.first()


class PhotoForm(text.Form):
    photos = MultipleImageField(label=_("photos"), help_text=_("JPEG or PNG"))


# ------------------------------------------------------------------------------- certifications


class CertificationFilterForm(text.Form):
    program = forms.ModelChoiceField(
        label=_("program"), queryset=Program.objects.none(), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(
        label=_("status"), choices=[("", _("All")), *Certification.Status.choices], required=False
    )
    community = forms.ModelChoiceField(
        label=_("community"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(
        self, *args: Any, programs: QuerySet[Program], communities: QuerySet[OrgUnit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]

    def filters(self) -> CertificationFilters:
        if not self.is_bound or not self.is_valid():
            return CertificationFilters()
        data = self.cleaned_data
        return CertificationFilters(
            program_id=data["program"].pk if data["program"] else None,
            status=data["status"],
            community_id=data["community"].pk if data["community"] else None,
        )


class CertificationForm(ResidentFields):
    program = forms.ModelChoiceField(label=_("program"), queryset=Program.objects.none())
    purpose = forms.CharField(
        label=_("purpose"),
        max_length=200,
        help_text=_("What the certificate is for, e.g. 2026年中考升学加分"),
    )
    details = forms.CharField(label=_("details"), widget=forms.Textarea, required=False)
    issued_on = forms.DateField(label=_("issued on"), widget=DateInput)

    field_order = ("program", "id_number", "person", "purpose", "details", "issued_on")

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]
        self.fields["issued_on"].initial = timezone.localdate()


class RevokeForm(text.Form):
    reason = forms.CharField(label=_("reason"), max_length=300)


class VerifyForm(text.Form):
    number = forms.CharField(
        label=_("verification number"),
        max_length=40,
        help_text=_("As printed on the certificate, e.g. JS-2026-7KQ4M2XA"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
