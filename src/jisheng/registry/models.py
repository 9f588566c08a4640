"""Residents and the ties between them. ``Person`` stays small: other modules attach by FK."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jisheng.core.divisions import division_name
from jisheng.core.fields import BlindIndexField, DerivedCharField, EncryptedTextField
from jisheng.core.idnumber import normalize_id_number
from jisheng.core.models import OrgUnit
from jisheng.core.scope import ScopedManager, ScopeRule
from jisheng.registry.names import name_initials as name_initials_of


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class MaritalStatus(models.TextChoices):
    """GB/T 2261.2 (codes kept as the standard gives them)."""

    UNMARRIED = "10", _("Unmarried")
    MARRIED = "20", _("Married")
    WIDOWED = "30", _("Widowed")
    DIVORCED = "40", _("Divorced")
    UNSTATED = "90", _("Not stated")


class HukouType(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


class ResidentStatus(models.TextChoices):
    LIVING = "living", _("Living here")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")
    # A record entered by mistake and reversed by a correction: kept, never deleted.
    VOIDED = "voided", _("Voided")
    # A resident's family member who does not live here (a child living elsewhere, or one who
    # died before the registry began): on record for the programs, outside every resident
    # count and list. Alive or not, the facts are in ``NonResident``.
    NON_RESIDENT = "non_resident", _("Family member, not a resident")


class Person(models.Model):
    """One resident of a community (registered here or floating in)."""

    community = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="persons"
    )
    name = models.CharField(_("name"), max_length=50, db_index=True)
    # Pinyin initials of the name (张三明 → "zsm"), so workers can type what they hear;
    # derived on every save and bulk insert, so every way in (page, API, import, demo) fills it.
    name_initials = DerivedCharField(
        max_length=50, db_index=True, source="name", derive=name_initials_of
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), db_index=True)
    id_number = EncryptedTextField(_("ID number"))
    id_number_index = BlindIndexField(source="id_number", normalize=normalize_id_number)
    # Masked forms are what lists and public notices show, so lists never decrypt.
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True)
    phone = EncryptedTextField(_("phone"))
    phone_index = BlindIndexField(source="phone")
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=2, default="01")
    hukou_division = models.CharField(_("registered residence"), max_length=12, blank=True)
    hukou_type = models.CharField(_("hukou type"), max_length=8, choices=HukouType.choices)
    is_floating = models.BooleanField(_("floating resident"), default=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    marital_status = models.CharField(
        _("marital status"),
        max_length=2,
        choices=MaritalStatus.choices,
        default=MaritalStatus.UNMARRIED,
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ResidentStatus.choices,
        default=ResidentStatus.LIVING,
        db_index=True,
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager["Person"]()
    scope_rule = ScopeRule(org_field="community", reporter_field="reported_by")

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=~Q(id_number_index=""),
                name="registry_person_unique_id_number",
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["community", "status"], name="registry_person_comm_status"),
            # The resident list of one community in its order (registry.selectors.person_list);
            # without it a community worker's first page sorted the whole community. With the
            # status, which every list filters on, a page and its capped count read the index
            # alone (migration 0011).
            models.Index(
                fields=["community", "name", "id", "status"], name="registry_person_comm_name"
            ),
            # An age range of the residents of some communities, counted from the index alone
            # (registry.selectors._born_between).
            models.Index(
                fields=["community", "status", "birth_date"], name="registry_person_comm_born"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:person_detail", kwargs={"person_id": self.pk})

    @property
    def hukou_place(self) -> str:
        """The registered residence as a place name (the division code in brackets)."""
        return division_name(self.hukou_division)


class Household(models.Model):
    """A 户: an address in a community with a head and members over time."""

    community = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="households"
    )
    number = models.CharField(_("household number"), max_length=20, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=200)
    head = models.ForeignKey(
        Person,
        verbose_name=_("head of household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The head's name and initials, copied onto the household so that a search by the head
    # is a prefix range of the household's own index (registry.selectors._household_matches),
    # not a list of every matching resident built for each query. The database keeps them:
    # triggers copy them whenever ``head`` is written and whenever the head's name changes
    # (migration 0014), whatever the way in (page, import, bulk write, demo); what Django
    # writes here is replaced. No head: NULL, as ``head`` (nullable also so that adding the
    # columns does not rebuild the table on SQLite, which would drop its search triggers).
    head_name = models.CharField(max_length=50, null=True, blank=True, editable=False)  # noqa: DJ001
    head_initials = models.CharField(max_length=50, null=True, blank=True, editable=False)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["Household"]()
    scope_rule = ScopeRule(org_field="community")

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes: ClassVar[list[models.Index]] = [
            # The household list's order within a community (registry.selectors.household_list).
            models.Index(fields=["community", "number", "id"], name="registry_household_list"),
        ]

    def __str__(self) -> str:
        return self.number or self.address

    def get_absolute_url(self) -> str:
        return reverse("registry:household_detail", kwargs={"household_id": self.pk})


class Relation(models.TextChoices):
    """Relation to the head of household, GB/T 4761 (the codes used here)."""

    HEAD = "02", _("Head")
    SPOUSE = "10", _("Spouse")
    SON = "20", _("Son")
    DAUGHTER = "30", _("Daughter")
    GRANDCHILD = "40", _("Grandchild")
    PARENT = "50", _("Parent")
    OTHER = "99", _("Other")


class HouseholdMember(models.Model):
    """A person's membership of a household between two dates."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    relation = models.CharField(_("relation to head"), max_length=2, choices=Relation.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedManager["HouseholdMember"]()
    scope_rule = ScopeRule(org_field="household__community")

    class Meta:
        verbose_name = _("household member")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(end_date__isnull=True),
                name="registry_member_one_current_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}:{self.person_id}"


class Marriage(models.Model):
    """A marriage between two residents, ended by divorce or death; the marriage event
    keeps its history (reversing that event removes the row)."""

    class EndReason(models.TextChoices):
        DIVORCE = "divorce", _("Divorce")
        DEATH = "death", _("Death of a spouse")

    community = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    husband = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    wife = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date of marriage"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=16, choices=EndReason.choices, blank=True
    )

    objects = ScopedManager["Marriage"]()
    scope_rule = ScopeRule(org_field="community")

    class Meta:
        verbose_name = _("marriage")

    def __str__(self) -> str:
        return f"{self.husband_id}+{self.wife_id} {self.date}"


class ParentLink(models.Model):
    """Parent → child."""

    parent = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="child_links")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="parent_links")

    objects = ScopedManager["ParentLink"]()
    scope_rule = ScopeRule(org_field="child__community")

    class Meta:
        verbose_name = _("parent link")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["parent", "child"], name="registry_parent_link_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.parent_id}->{self.child_id}"


class NonResident(models.Model):
    """What the programs need about a family member who is not a resident here: whether and
    when they died, and their disability grade (where they live is ``Person.address``)."""

    person = models.OneToOneField(
        Person, primary_key=True, on_delete=models.PROTECT, related_name="non_resident"
    )
    death_date = models.DateField(_("date of death"), null=True, blank=True)
    disability_grade = models.PositiveSmallIntegerField(
        _("disability grade"), null=True, blank=True
    )

    objects = ScopedManager["NonResident"]()
    scope_rule = ScopeRule(org_field="person__community")

    class Meta:
        verbose_name = _("family member not living here")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.CheckConstraint(
                condition=Q(disability_grade__isnull=True)
                | Q(disability_grade__gte=1, disability_grade__lte=4),
                name="registry_nonresident_disability_grade",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person_id)


class LifeEvent(models.Model):
    """Something that happened to a resident; the only way registry state changes.

    ``before`` keeps what the event overwrote so that a correction can reverse it;
    events themselves are never edited or deleted.
    """

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("Registration")
        BIRTH = "birth", _("Birth")
        DEATH = "death", _("Death")
        MOVE_IN = "move_in", _("Move in")
        MOVE_OUT = "move_out", _("Move out")
        MARRIAGE = "marriage", _("Marriage")
        DIVORCE = "divorce", _("Divorce")
        HOUSEHOLD_CHANGE = "household_change", _("Household change")
        CORRECTION = "correction", _("Correction")

    kind = models.CharField(_("event"), max_length=20, choices=Kind.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="events")
    # The other person of a marriage, divorce or birth (the mother), shown on both timelines.
    other_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    before = models.JSONField(default=dict, blank=True)
    reverses = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["LifeEvent"]()
    scope_rule = ScopeRule(org_field="community")

    class Meta:
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["person", "recorded_at"], name="registry_event_person"),
            # Events of a kind, newest first (read backwards): the births of the last year
            # that governance matches to pregnancies are read in page order and stop at
            # the page, instead of every event of the area being tested and sorted; the
            # community is tested in the index, before a row is read.
            models.Index(
                fields=["kind", "date", "id", "community"], name="registry_event_kind_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id} {self.date}"


class DuplicateFlag(models.Model):
    """Two records that may be one person, waiting for a worker's decision."""

    class Reason(models.TextChoices):
        NAME_BIRTH_DATE = "name_birth_date", _("Same name and birth date")
        NAME_PHONE = "name_phone", _("Same name and phone")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")
        MERGED = "merged", _("Merged")

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.OPEN, db_index=True
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["DuplicateFlag"]()
    scope_rule = ScopeRule(org_field="community")

    class Meta:
        verbose_name = _("possible duplicate")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["person", "candidate"], name="registry_dup_pair_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}~{self.candidate_id}"


class PersonImport(models.Model):
    """One uploaded resident file: validated whole, then loaded all-or-nothing."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        VALIDATING = "validating", _("Validating")
        INVALID = "invalid", _("Has errors")
        LOADING = "loading", _("Loading")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Rows without a community column go here."),
    )
    file_name = models.CharField(_("file"), max_length=255)
    # The upload in the instance folder while the import runs; once the import has errors
    # it is kept encrypted (``.enc``) for the bad-rows download, and deleted at every other end.
    stored_file = models.CharField(max_length=255)
    # The process running the import (core.workers.process_identity): a dead one is recovered.
    runner = models.CharField(max_length=64, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    error_rows = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=255, blank=True)
    progress = models.ForeignKey(
        "core.TaskProgress", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["PersonImport"]()
    scope_rule = ScopeRule(org_field="community")

    class Meta:
        verbose_name = _("resident import")

    def __str__(self) -> str:
        return self.file_name
