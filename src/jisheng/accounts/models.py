"""Users, their roles, login attempts, API tokens and second factors."""

from __future__ import annotations

import time
from base64 import b32encode
from functools import cached_property
from typing import ClassVar
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, DeviceManager, TimestampMixin
from django_otp.oath import TOTP

from jisheng.core.fields import EncryptedTextField
from jisheng.core.models import OrgUnit
from jisheng.core.roles import ROLE_CAPABILITIES, SEPARATED_ROLES, Capability, Role


# The stubs cannot type the reverse relation from AuthenticatorDevice (its base is untyped).
class User(AbstractUser):  # type: ignore[django-manager-missing]
    """A person who signs in. Attached to one org unit, which bounds what they see."""

    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    # Moves forward whenever what the user may see could change (roles, the org tree): a
    # session's resolved access (accounts/access.py) is trusted only while it matches.
    access_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            # "Wang" and "wang" are one name to the people who type them.
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r) for r in self.roles.values_list("role", flat=True))

    def has_capability(self, capability: Capability) -> bool:
        return self.is_active and any(
            capability in ROLE_CAPABILITIES[role] for role in self.role_set
        )

    def scope_unit_ids(self) -> list[int]:
        """IDs of the user's unit and every unit below it (empty without a unit)."""
        cached: list[int] | None = getattr(self, "_scope_unit_ids", None)
        if cached is None:
            unit = self.org_unit
            cached = (
                []
                if unit is None
                else list(
                    OrgUnit.objects.filter(path__startswith=unit.path).values_list("id", flat=True)
                )
            )
            self._scope_unit_ids = cached
        return cached

    @property
    def role_labels(self) -> str:
        return "、".join(str(role.label) for role in sorted(self.role_set))


class UserRole(models.Model):
    """One role held by one user; granted and revoked only by the security administrator."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("role assignment")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "role"], name="accounts_userrole_unique"),
            # The database itself refuses a second separated role for one user.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(role__in=sorted(SEPARATED_ROLES)),
                name="accounts_userrole_one_separated_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class LoginAttempt(models.Model):
    """Every sign-in try, kept to lock an account after repeated failures."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField()
    # Tries made while locked do not extend the lock.
    during_lock = models.BooleanField(default=False)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["username", "at"], name="accounts_login_user_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M} {self.succeeded}"


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class AuthenticatorDevice(TimestampMixin, Device):  # type: ignore[misc]  # django-otp is untyped
    """A user's TOTP authenticator; its key is SM4 ciphertext at rest, so a dump gives no codes.

    Used in place of django-otp's ``TOTPDevice``, which keeps the key as plain hex. The fields
    besides the key mean what they mean there (``last_t`` refuses a time step used before).
    """

    # Redeclared from Device (an untyped base) for a typed manager and a named reverse relation.
    objects: ClassVar[models.Manager[AuthenticatorDevice]] = DeviceManager()
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="authenticators")
    key = EncryptedTextField(_("key"))  # hex, as django_otp.util.random_hex gives it
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):  # type: ignore[misc]
        verbose_name = _("authenticator")

    def __str__(self) -> str:
        return f"{self.user} ({self.name})"

    @property
    def bin_key(self) -> bytes:
        return bytes.fromhex(self.key or "")

    def verify_token(self, token: str) -> bool:
        """True for a right code at a later time step than the last one accepted (then saved)."""
        if not (token.isascii() and token.isdigit()):
            return False
        totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        if not totp.verify(int(token), self.tolerance, self.last_t + 1):
            return False
        self.last_t = totp.t()
        self.drift = totp.drift  # follows a phone clock that runs steadily fast or slow
        self.set_last_used_timestamp(commit=False)
        self.save(update_fields=["last_t", "drift", "last_used_at"])
        return True

    def was_accepted(self, token: str) -> bool:
        """True for the code of a time step already accepted and still shown now (a second
        sign-in within the same 30 s): right, but used up; nothing is saved."""
        if self.last_t < 0 or not (token.isascii() and token.isdigit()):
            return False
        totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
        totp.time = time.time()
        if not totp.verify(int(token), self.tolerance):
            return False
        matched: int = totp.t()
        return matched <= self.last_t

    @property
    def config_url(self) -> str:
        """The ``otpauth://`` URL an authenticator app scans (Key Uri Format)."""
        label = f"{settings.OTP_TOTP_ISSUER}:{self.user.get_username()}"
        params = urlencode(
            {
                "secret": b32encode(self.bin_key).decode(),
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
                "issuer": settings.OTP_TOTP_ISSUER,
            },
            quote_via=quote,
        )
        return f"otpauth://totp/{quote(label)}?{params}"


class RecoveryCode(models.Model):
    """One unused recovery code, kept only as a salted keyed digest (shown once, at creation)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    salt = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("recovery code")

    def __str__(self) -> str:
        return f"{self.user} #{self.pk}"
