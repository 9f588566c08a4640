"""The exchange between instances: peers, the transactional outbox, the idempotent inbox,
the notices (通报) with their feedback deadline on both sides, and the queries (异地查询)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jisheng.core.fields import EncryptedTextField
from jisheng.core.models import OrgUnit
from jisheng.core.scope import ScopedManager, ScopeRule
from jisheng.migrants.models.records import MigrantRecord
from jisheng.registry.models import Person


class MessageKind(models.TextChoices):
    NOTIFY = "notify", _("Notice")  # 通报
    FEEDBACK = "feedback", _("Feedback")  # 反馈
    QUERY = "query", _("Query")  # 异地查询
    ANSWER = "answer", _("Answer")
    TEST = "test", _("Test message")


class Direction(models.TextChoices):
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received")


class Movement(models.TextChoices):
    """What a notice tells the other region about its person."""

    ARRIVED = "arrived", _("Arrived here")  # from your region, now living here
    LEFT = "left", _("Left here for your region")
    ENDED = "ended", _("No longer here")  # the record was ended: moved on or came back


class Peer(models.Model):
    """Another deployment we exchange with: its region, address and signing key."""

    region_code = models.CharField(_("region code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    base_url = models.URLField(_("base URL"), max_length=200)
    # Named so that a national algorithm (SM2) can sit beside Ed25519 later.
    algorithm = models.CharField(_("signature algorithm"), max_length=16, default="ed25519")
    public_key = models.CharField(_("public key"), max_length=200)  # base64 of the raw key
    added_at = models.DateTimeField(auto_now_add=True)

    # Configuration of the deployment, not anyone's personal data: readable by every role
    # that reads the exchange pages; changed only by the operator (`jisheng peer add`).
    objects = ScopedManager["Peer"]()
    scope_rule = ScopeRule(org_field=None, personal=False)

    class Meta:
        verbose_name = _("exchange peer")
        verbose_name_plural = _("exchange peers")

    def __str__(self) -> str:
        return f"{self.name} ({self.region_code})"


class OutboxState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    REFUSED = "refused", _("Refused by the peer")


class OutboxMessage(models.Model):
    """A message to a peer, written in the transaction of the change that causes it and
    sent (signed at each attempt) by the worker until the peer acknowledges it."""

    message_id = models.UUIDField(unique=True)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=MessageKind.choices)
    body = EncryptedTextField()  # JSON; holds ID numbers and names
    state = models.CharField(
        max_length=12, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A sender holds a message until then, so two drains never send it at the same time.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim = models.UUIDField(null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager["OutboxMessage"]()
    scope_rule = ScopeRule(org_field=None)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["state", "next_attempt_at"], name="migrants_outbox_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id}"


class InboxMessage(models.Model):
    """A message a peer sent us, kept once: its id is unique, so a repeat is never applied."""

    message_id = models.UUIDField(unique=True)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=MessageKind.choices)
    body = EncryptedTextField()
    signed_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager["InboxMessage"]()
    scope_rule = ScopeRule(org_field=None)

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id}"


class Notice(models.Model):
    """A notice (通报) sent or received, and the feedback (反馈) that answers it.

    Sent: our record's person went to or came from the peer's region; we wait for their
    feedback. Received: the peer tells us; the community (the street's list when the person
    is not in our registry) answers with feedback by ``due_on``.
    """

    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    peer = models.ForeignKey(
        Peer, verbose_name=_("peer"), on_delete=models.PROTECT, related_name="+"
    )
    message_id = models.UUIDField()
    movement = models.CharField(_("movement"), max_length=8, choices=Movement.choices)
    community = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    record = models.ForeignKey(
        MigrantRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = EncryptedTextField(_("name"))
    id_number = EncryptedTextField(_("ID number"))
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True)
    moved_on = models.DateField(_("moved on"))
    notified_on = models.DateField(_("notified on"))
    due_on = models.DateField(_("feedback due on"))
    feedback_on = models.DateField(_("feedback on"), null=True, blank=True)
    feedback = EncryptedTextField(_("feedback"))
    feedback_message_id = models.UUIDField(null=True, blank=True, unique=True)

    objects = ScopedManager["Notice"]()
    scope_rule = ScopeRule(org_field="community")

    class Meta:
        verbose_name = _("exchange notice")
        verbose_name_plural = _("exchange notices")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["direction", "message_id"], name="migrants_notice_once"
            ),
        ]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(
                fields=["direction", "peer", "notified_on"], name="migrants_notice_period"
            ),
            models.Index(
                fields=["community", "direction", "feedback_on"],
                condition=Q(feedback_on__isnull=True),
                name="migrants_notice_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.message_id}"

    @property
    def answered_in_days(self) -> int | None:
        return None if self.feedback_on is None else (self.feedback_on - self.notified_on).days


class Query(models.Model):
    """One 异地查询: a person's service status asked of (or by) a peer, with its legal basis."""

    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    peer = models.ForeignKey(
        Peer, verbose_name=_("peer"), on_delete=models.PROTECT, related_name="+"
    )
    message_id = models.UUIDField()
    # Who asked (sent) or the street that answered (received): scope.
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    id_number = EncryptedTextField(_("ID number"))
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=200)
    asked_at = models.DateTimeField(_("asked at"))
    answer = EncryptedTextField(_("answer"))  # JSON
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = ScopedManager["Query"]()
    scope_rule = ScopeRule(org_field="org_unit")

    class Meta:
        verbose_name = _("exchange query")
        verbose_name_plural = _("exchange queries")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["direction", "message_id"], name="migrants_query_once"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.message_id}"
