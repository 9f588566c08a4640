"""Leading groups and department duties; B-ultrasound devices; abortion-drug dispensing."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jisheng.core.fields import BlindIndexField, EncryptedTextField
from jisheng.core.idnumber import normalize_id_number
from jisheng.core.models import OrgUnit
from jisheng.core.roles import Capability
from jisheng.core.scope import ScopedManager, ScopeRule
from jisheng.registry.models import Person

# Officials' names and posts are public duties, not personal records: any user of the unit
# (or above) reads its leading group; writing needs MANAGE_LEADING_GROUPS.
GROUP_RULE = ScopeRule(org_field="org_unit", personal=False)
# Supervision records name institutions; the capability is their guard.
SUPERVISION_RULE = ScopeRule(
    org_field="org_unit", personal=False, capability=Capability.VIEW_SUPERVISION
)


class Department(models.TextChoices):
    FAMILY_PLANNING = "family_planning", _("Population and family planning")
    HEALTH = "health", _("Health commission")
    MARKET_REGULATION = "market_regulation", _("Drug and market regulation")
    POLICE = "police", _("Public security")
    HOUSING = "housing", _("Housing administration")
    INDUSTRY_COMMERCE = "industry_commerce", _("Industry and commerce")
    PROPERTY = "property", _("Property management")
    OTHER = "other", _("Other department")


class LeadingGroup(models.Model):
    """The leading group (领导小组) of one unit: district, street or community; one per unit."""

    org_unit = models.OneToOneField(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["LeadingGroup"]()
    scope_rule = GROUP_RULE

    class Meta:
        verbose_name = _("leading group")

    def __str__(self) -> str:
        return self.name


class GroupMember(models.Model):
    """One member of a leading group, with their post and department, for a stretch of time."""

    group = models.ForeignKey(LeadingGroup, on_delete=models.PROTECT, related_name="members")
    name = models.CharField(_("name"), max_length=50)
    post = models.CharField(_("post in the group"), max_length=50)
    department = models.CharField(_("department"), max_length=24, choices=Department.choices)
    title = models.CharField(_("title in the department"), max_length=100, blank=True)
    from_date = models.DateField(_("from"))
    to_date = models.DateField(_("to"), null=True, blank=True)

    objects = ScopedManager["GroupMember"]()
    scope_rule = ScopeRule(org_field="group__org_unit", personal=False)

    class Meta:
        verbose_name = _("group member")
        ordering: ClassVar[list[str]] = ["group", "from_date", "pk"]

    def __str__(self) -> str:
        return self.name


class DepartmentDuty(models.Model):
    """What one department does in one unit's governance work: duties are data, not code."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField(_("department"), max_length=24, choices=Department.choices)
    duties = models.TextField(_("duties"))

    objects = ScopedManager["DepartmentDuty"]()
    scope_rule = GROUP_RULE

    class Meta:
        verbose_name = _("department duty")
        ordering: ClassVar[list[str]] = ["org_unit", "department"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["org_unit", "department"], name="governance_one_duty_per_department"
            )
        ]

    def __str__(self) -> str:
        return self.get_department_display()


class DeviceStatus(models.TextChoices):
    IN_USE = "in_use", _("In use")
    SUSPENDED = "suspended", _("Suspended")
    RETIRED = "retired", _("Retired")


class UltrasoundDevice(models.Model):
    """A B-ultrasound machine of an institution in the street: inspected at a set interval."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    institution = models.CharField(_("institution"), max_length=100)
    model_name = models.CharField(_("model"), max_length=100)
    serial_number = models.CharField(_("serial number"), max_length=64)
    location = models.CharField(_("location"), max_length=200)
    licence = models.CharField(_("licence"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.IN_USE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["UltrasoundDevice"]()
    scope_rule = SUPERVISION_RULE

    class Meta:
        verbose_name = _("ultrasound device")
        ordering: ClassVar[list[str]] = ["institution", "serial_number"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["institution", "serial_number"], name="governance_one_device_per_serial"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} {self.model_name} {self.serial_number}"


class UltrasoundOperator(models.Model):
    """Someone who operates B-ultrasound machines at an institution: qualification, training."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    institution = models.CharField(_("institution"), max_length=100)
    name = models.CharField(_("name"), max_length=50)
    qualification = models.CharField(_("qualification"), max_length=100)
    trained_on = models.DateField(_("last trained on"), null=True, blank=True)
    training_due = models.DateField(_("next training due"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["UltrasoundOperator"]()
    scope_rule = SUPERVISION_RULE

    class Meta:
        verbose_name = _("ultrasound operator")
        ordering: ClassVar[list[str]] = ["institution", "name"]

    def __str__(self) -> str:
        return self.name


class Pledge(models.Model):
    """A signed 不做非医学需要胎儿性别鉴定承诺书 of one operator, with its scan."""

    operator = models.ForeignKey(
        UltrasoundOperator, on_delete=models.PROTECT, related_name="pledges"
    )
    signed_on = models.DateField(_("signed on"))
    scan = models.FileField(_("signed pledge"), upload_to="governance/pledges/%Y/%m/")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Pledge"]()
    scope_rule = ScopeRule(
        org_field="operator__org_unit", personal=False, capability=Capability.VIEW_SUPERVISION
    )

    class Meta:
        verbose_name = _("pledge")
        ordering: ClassVar[list[str]] = ["-signed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.operator_id} {self.signed_on}"


class Inspection(models.Model):
    """One inspection of a device: findings, and the rectification asked for and done."""

    device = models.ForeignKey(
        UltrasoundDevice, on_delete=models.PROTECT, related_name="inspections"
    )
    date = models.DateField(_("inspection date"))
    inspectors = models.CharField(_("inspectors"), max_length=200)
    findings = models.TextField(_("findings"), blank=True)
    rectification_due = models.DateField(_("rectification due"), null=True, blank=True)
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Inspection"]()
    scope_rule = ScopeRule(
        org_field="device__org_unit", personal=False, capability=Capability.VIEW_SUPERVISION
    )

    class Meta:
        verbose_name = _("inspection")
        ordering: ClassVar[list[str]] = ["-date", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # A second submit of the same inspection finds the first.
            models.UniqueConstraint(
                fields=["device", "date"], name="governance_one_inspection_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.device_id} {self.date}"


class OutletKind(models.TextChoices):
    PHARMACY = "pharmacy", _("Pharmacy")
    CLINIC = "clinic", _("Clinic")


class Outlet(models.Model):
    """A pharmacy or clinic that may dispense abortion drugs (流引产药物)."""

    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=OutletKind.choices)
    name = models.CharField(_("name"), max_length=100)
    licence = models.CharField(_("licence"), max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Outlet"]()
    scope_rule = SUPERVISION_RULE

    class Meta:
        verbose_name = _("pharmacy or clinic")
        ordering: ClassVar[list[str]] = ["name"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["org_unit", "name"], name="governance_outlet_name")
        ]

    def __str__(self) -> str:
        return self.name


class DispensingImport(models.Model):
    """One imported monthly file of an outlet; the same rows again find this import."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="imports")
    digest = models.CharField(max_length=64)
    file_name = models.CharField(_("file"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["DispensingImport"]()
    scope_rule = ScopeRule(
        org_field="outlet__org_unit", personal=False, capability=Capability.VIEW_SUPERVISION
    )

    class Meta:
        verbose_name = _("dispensing import")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["outlet", "digest"], name="governance_import_once")
        ]

    def __str__(self) -> str:
        return self.file_name


class Dispensing(models.Model):
    """One real-name dispensing of an abortion drug: who bought what, on whose prescription.

    The buyer's ID number is encrypted and searched by its blind index; ``buyer`` is the
    resident with that number when the registry holds one (for the review list)."""

    outlet = models.ForeignKey(Outlet, on_delete=models.PROTECT, related_name="dispensings")
    dispensed_on = models.DateField(_("date dispensed"))
    drug = models.CharField(_("drug"), max_length=100)
    quantity = models.PositiveIntegerField(_("quantity"))
    buyer_name = models.CharField(_("buyer"), max_length=50)
    buyer_id_number = EncryptedTextField(_("buyer's ID number"))
    buyer_id_index = BlindIndexField(source="buyer_id_number", normalize=normalize_id_number)
    buyer_id_masked = models.CharField(_("buyer's ID number"), max_length=18)
    buyer = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    prescriber = models.CharField(_("prescriber"), max_length=50, blank=True)
    prescription_ref = models.CharField(_("prescription reference"), max_length=64, blank=True)
    source = models.ForeignKey(
        DispensingImport,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispensings",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Dispensing"]()
    scope_rule = ScopeRule(
        org_field="outlet__org_unit", personal=False, capability=Capability.VIEW_SUPERVISION
    )

    class Meta:
        verbose_name = _("dispensing")
        ordering: ClassVar[list[str]] = ["-dispensed_on", "-pk"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # The same line entered twice (a second submit, a row in two files) is one line.
            models.UniqueConstraint(
                fields=["outlet", "dispensed_on", "buyer_id_index", "drug", "prescription_ref"],
                name="governance_one_dispensing_line",
            )
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["outlet", "dispensed_on"],
                condition=Q(prescription_ref=""),
                name="governance_no_prescription",
            )
        ]

    def __str__(self) -> str:
        return f"{self.drug} {self.dispensed_on}"
