"""Forms of the contraceptive pages: they check shape only; services check the rules."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.accounts.models import User
from jisheng.contraceptives.models import (
    ALLOWED_REASONS,
    ConsultationTopic,
    DistributionPoint,
    Lot,
    Method,
    MoveKind,
    PointKind,
    Product,
    ProductCategory,
    Satisfaction,
    StopReason,
)
from jisheng.contraceptives.services.balances import MoveFacts
from jisheng.core import text
from jisheng.core.forms import ConfirmableForm, DateInput, date_field
from jisheng.core.models import OrgUnit
from jisheng.core.occasions import Occasion, parse_ref
from jisheng.registry.models import Sex
from jisheng.registry.picker import ResidentField

DATE_LABEL = _("Date")
QUANTITY_LABEL = _("Quantity")


def reason_field(kind: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Reason"),
        choices=[(reason.value, reason.label) for reason in ALLOWED_REASONS[kind]],
    )


def quantity_field(label: Any = QUANTITY_LABEL) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=1_000_000)


class LotChoiceField(forms.ModelChoiceField[Lot]):
    """Lots labelled with product, expiry and (when annotated) what the point holds."""

    def label_from_instance(self, obj: Lot) -> str:
        label = f"{obj.product.name} · {obj.number} · {_('expires')} {obj.expiry_date:%Y-%m-%d}"
        on_hand = getattr(obj, "on_hand", None)
        if on_hand is not None:
            label += f" · {_('on hand')} {on_hand} {obj.product.unit}"
        return label


class MoveForm(text.Form):
    """A stock move. The hidden request key makes a double submission post only once."""

    kind: MoveKind
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("request_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)

    def facts(self) -> MoveFacts:
        data = self.cleaned_data
        return MoveFacts(
            occurred_on=data["occurred_on"],
            reason=data.get("reason", ""),
            note=data.get("note", ""),
            document_number=data.get("document_number", ""),
        )

    def fingerprint(self) -> dict[str, object]:
        """What identifies this request (the key aside), to refuse a key reused for another."""
        return {
            name: getattr(value, "pk", value)
            for name, value in self.cleaned_data.items()
            if name != "request_key"
        }


class ReceiptForm(MoveForm):
    kind = MoveKind.RECEIPT
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none())
    lot_number = forms.CharField(label=_("Lot number"), max_length=40)
    expiry_date = forms.DateField(label=_("Expiry date"), widget=DateInput())
    quantity = quantity_field()
    document_number = forms.CharField(
        label=_("Delivery note number"), max_length=50, help_text=_("The district's document.")
    )
    occurred_on = date_field(_("Date received"))
    unit_price = forms.DecimalField(
        label=_("Unit price (yuan)"),
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("Only for stock bought by the office: its cost goes into the funds."),
    )
    reason = reason_field(MoveKind.RECEIPT)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, products: QuerySet[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products  # type: ignore[attr-defined]


class LotMoveForm(MoveForm):
    """A move of one lot already held at the point."""

    lot = LotChoiceField(label=_("Lot"), queryset=Lot.objects.none())
    quantity = quantity_field()

    def __init__(self, *args: Any, lots: QuerySet[Lot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots  # type: ignore[attr-defined]


class TransferForm(LotMoveForm):
    kind = MoveKind.TRANSFER_OUT
    destination = forms.ModelChoiceField(
        label=_("To point"), queryset=DistributionPoint.objects.none()
    )
    document_number = forms.CharField(label=_("Document number"), max_length=50, required=False)
    occurred_on = date_field(DATE_LABEL)
    reason = reason_field(MoveKind.TRANSFER_OUT)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    field_order = ("destination", "lot", "quantity")

    def __init__(
        self, *args: Any, destinations: QuerySet[DistributionPoint], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["destination"].queryset = destinations  # type: ignore[attr-defined]


class IssueForm(LotMoveForm, ConfirmableForm):
    kind = MoveKind.ISSUE
    person = ResidentField(
        label=_("Person supplied"),
        help_text=_("The resident must be registered in your area."),
    )
    occurred_on = date_field(DATE_LABEL)
    reason = reason_field(MoveKind.ISSUE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    field_order = ("person", "lot", "quantity")

    def fingerprint(self) -> dict[str, object]:
        """Confirming the warnings does not make it another request."""
        data = super().fingerprint()
        data.pop("confirm", None)
        return data


class OutgoingForm(LotMoveForm):
    """Anonymous issue, return, write-off or loss: the kind picks the reasons."""

    document_number = forms.CharField(label=_("Document number"), max_length=50, required=False)
    occurred_on = date_field(DATE_LABEL)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, kind: MoveKind, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(*args, **kwargs)
        self.fields["reason"] = reason_field(kind)
        self.order_fields(["lot", "quantity", "reason", "document_number", "occurred_on"])


class ReverseForm(text.Form):
    reason = reason_field(MoveKind.REVERSAL)
    note = forms.CharField(label=_("Explanation"), max_length=200)
    occurred_on = date_field(DATE_LABEL)
    request_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("request_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)

    def facts(self) -> MoveFacts:
        data = self.cleaned_data
        return MoveFacts(occurred_on=data["occurred_on"], reason=data["reason"], note=data["note"])


class CountStartForm(text.Form):
    count_date = date_field(_("Count date"))


class CountLinesForm(text.Form):
    """One counted quantity, reason and note per line of a draft count."""

    def __init__(self, *args: Any, line_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.line_ids = line_ids
        reasons = [("", "—")] + [(r.value, r.label) for r in ALLOWED_REASONS[MoveKind.ADJUSTMENT]]
        for pk in line_ids:
            self.fields[f"counted_{pk}"] = forms.IntegerField(
                label=_("Counted"), min_value=0, max_value=1_000_000, required=False
            )
            self.fields[f"reason_{pk}"] = forms.ChoiceField(
                label=_("Reason"), choices=reasons, required=False
            )
            self.fields[f"note_{pk}"] = forms.CharField(
                label=_("Note"), max_length=200, required=False
            )

    def bound(self, pk: int) -> tuple[forms.BoundField, forms.BoundField, forms.BoundField]:
        return self[f"counted_{pk}"], self[f"reason_{pk}"], self[f"note_{pk}"]


class AddLotForm(text.Form):
    lot = LotChoiceField(label=_("Lot"), queryset=Lot.objects.none())

    def __init__(self, *args: Any, lots: QuerySet[Lot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lot"].queryset = lots  # type: ignore[attr-defined]


class ProductForm(text.Form):
    name = forms.CharField(label=_("Product name"), max_length=100)
    category = forms.ChoiceField(label=_("Category"), choices=ProductCategory.choices)
    unit = forms.CharField(
        label=_("Counting unit"), max_length=10, help_text=_("Box, piece, strip…")
    )
    pack_size = forms.IntegerField(label=_("Pack size"), min_value=1, max_value=10_000, initial=1)
    code = forms.CharField(label=_("Product code"), max_length=30, required=False)
    for_sex = forms.ChoiceField(
        label=_("Meant for"),
        choices=[("", _("Anyone")), *Sex.choices],
        required=False,
        help_text=_("Issuing it to someone else asks the worker to confirm."),
    )
    min_age = forms.IntegerField(
        label=_("Minimum age"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Empty: no minimum age. Issuing it to someone younger asks to confirm."),
    )


class KeeperChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.org_unit})"


class PointForm(text.Form):
    name = forms.CharField(label=_("Point name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=PointKind.choices)
    org_unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none())
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    keeper = KeeperChoiceField(label=_("Keeper"), queryset=User.objects.none(), required=False)

    def __init__(
        self, *args: Any, units: QuerySet[OrgUnit], keepers: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["keeper"].queryset = keepers  # type: ignore[attr-defined]


class PointEditForm(text.Form):
    name = forms.CharField(label=_("Point name"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    keeper = KeeperChoiceField(label=_("Keeper"), queryset=User.objects.none(), required=False)
    is_active = forms.BooleanField(label=_("In service"), required=False)

    def __init__(self, *args: Any, keepers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["keeper"].queryset = keepers  # type: ignore[attr-defined]


class ThresholdsForm(text.Form):
    """A low-stock level per product; empty means no alert for that product."""

    def __init__(self, *args: Any, products: list[Product], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.products = products
        for product in products:
            self.fields[f"product_{product.pk}"] = forms.IntegerField(
                label=product.name, min_value=0, max_value=1_000_000, required=False
            )

    def minimums(self) -> dict[int, int | None]:
        return {p.pk: self.cleaned_data.get(f"product_{p.pk}") for p in self.products}


class RosterEnrollForm(text.Form):
    person = ResidentField(label=_("Person"))
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    start_date = date_field(_("Start date"))
    notes = forms.CharField(
        label=_("Health notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Reproductive history, contraindications. Stored encrypted."),
    )


class FollowUpForm(text.Form):
    date = date_field(DATE_LABEL)
    satisfaction = forms.ChoiceField(label=_("Satisfaction"), choices=Satisfaction.choices)
    side_effects = forms.CharField(
        label=_("Side effects"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    switch_to = forms.ChoiceField(
        label=_("Switch to method"),
        choices=[("", _("No change")), *Method.choices],
        required=False,
    )


class StopForm(text.Form):
    stop_date = date_field(_("Stop date"))
    reason = forms.ChoiceField(label=_("Reason"), choices=StopReason.choices)


class RosterFilterForm(text.Form):
    method = forms.ChoiceField(
        label=_("Method"), choices=[("", _("All methods")), *Method.choices], required=False
    )
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("All communities"),
    )
    include_stopped = forms.BooleanField(label=_("Include stopped"), required=False)

    def __init__(self, *args: Any, communities: QuerySet[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]


class ConsultationForm(text.Form):
    point = forms.ModelChoiceField(
        label=_("Distribution point"), queryset=DistributionPoint.objects.none()
    )
    date = date_field(DATE_LABEL)
    topic = forms.ChoiceField(label=_("Topic"), choices=ConsultationTopic.choices)
    people = forms.IntegerField(label=_("People advised"), min_value=1, max_value=10_000)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, points: QuerySet[DistributionPoint], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points  # type: ignore[attr-defined]


class HandoutForm(text.Form):
    point = forms.ModelChoiceField(
        label=_("Distribution point"), queryset=DistributionPoint.objects.none()
    )
    date = date_field(DATE_LABEL)
    material = forms.CharField(label=_("Material"), max_length=100)
    quantity = forms.IntegerField(label=_("Copies"), min_value=1, max_value=100_000)
    occasion = forms.ChoiceField(label=_("Handed out at activity"), required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        points: QuerySet[DistributionPoint],
        occasions: list[Occasion],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["point"].queryset = points  # type: ignore[attr-defined]
        self.fields["occasion"].choices = [  # type: ignore[attr-defined]
            ("", _("None")),
            *((occasion.ref, occasion.label) for occasion in occasions),
        ]

    def clean_occasion(self) -> tuple[str, int] | None:
        value: str = self.cleaned_data.get("occasion") or ""
        return parse_ref(value) if value else None


class YearForm(text.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)

    def year_or_current(self) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return int(self.cleaned_data["year"])
        return timezone.localdate().year
