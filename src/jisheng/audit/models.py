"""The audit trail. Rows are only ever inserted and chained by hash: the database refuses
updates, and deletes of any entry the retention purge has not released (``AuditChain``)."""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _

from jisheng.core.db import AppendOnlyRows


class AppendOnlyQuerySet(AppendOnlyRows, models.QuerySet["AuditEvent"]):
    refusal = "The audit trail is append-only"


class AuditEvent(models.Model):
    """One audited action: when (UTC), who, in which role, from where, what, on what, result."""

    class Action(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Login failed")
        LOGOUT = "logout", _("Logout")
        CREATE = "create", _("Create")
        UPDATE = "update", _("Update")
        DELETE = "delete", _("Delete")
        VIEW = "view", _("View")
        SEARCH = "search", _("Search")
        EXPORT = "export", _("Export")
        PERMISSION_CHANGE = "permission_change", _("Permission change")
        DENIED = "denied", _("Access denied")

    class Result(models.TextChoices):
        SUCCESS = "success", _("Success")
        FAILURE = "failure", _("Failure")

    at = models.DateTimeField(_("time"), db_index=True)
    # A plain column, not a foreign key: users are never deleted, and the
    # trail must survive whatever happens to the accounts tables.
    user_id = models.BigIntegerField(_("user ID"), null=True, blank=True, db_index=True)
    username = models.CharField(_("user"), max_length=150, blank=True, db_index=True)
    roles = models.CharField(_("roles"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # The hash chain (audit/chain.py): position, the previous entry's hash, this entry's hash.
    seq = models.BigIntegerField(_("sequence"), unique=True, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    chain_hash = models.CharField(max_length=64, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering: ClassVar[list[str]] = ["-at", "-id"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Integrity guard, not business logic: an existing event is never rewritten.
        if self.pk is not None and not self._state.adding:
            raise PermissionError("The audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise PermissionError("The audit trail is append-only")


class AuditChain(models.Model):
    """The chain's single head row (id 1): the last entry, and the anchor left by purges.

    The database's delete trigger lets through only entries at or below ``anchor_seq``,
    so the table is not managed by Django: a test-database flush must not reset it.
    """

    seq = models.BigIntegerField(default=0)
    chain_hash = models.CharField(max_length=64, blank=True)
    anchor_seq = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        managed = False
        db_table = "audit_chain"

    def __str__(self) -> str:
        return f"audit chain at {self.seq} (anchor {self.anchor_seq})"


class DeniedWindow(models.Model):
    """How many requests of one user (or address) were refused in one minute: the count
    behind the rate limit on ``denied`` rows and the burst alert."""

    key = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    refusals = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["key", "window_start"], name="audit_denied_window"),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.window_start:%H:%M} {self.refusals}"


class SecurityAlert(models.Model):
    """A burst of refused requests from one user or address, shown to the security admin."""

    at = models.DateTimeField(_("time"), db_index=True)
    user_id = models.BigIntegerField(_("user ID"), null=True, blank=True)
    username = models.CharField(_("user"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    key = models.CharField(max_length=80)
    refusals = models.PositiveIntegerField(_("refusals"))
    minutes = models.PositiveIntegerField(_("minutes"))

    class Meta:
        verbose_name = _("security alert")
        verbose_name_plural = _("security alerts")
        ordering: ClassVar[list[str]] = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or self.ip} {self.refusals}"
