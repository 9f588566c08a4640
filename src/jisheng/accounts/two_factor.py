"""Second factor at sign-in (MLPS 2.0 level 3): TOTP devices and one-time recovery codes.

A session passes through these states, kept server-side under ``SESSION_KEY``:
``verify`` (password given, code expected) or ``enrol`` (password given, the role needs a
device and there is none) until ``done``. ``LoginRequiredMiddleware`` lets a session without
``done`` reach the sign-in pages only, so a session missing the key is never trusted.
"""

from __future__ import annotations

import re
import secrets
from base64 import b32encode
from enum import StrEnum

import qrcode
import qrcode.image.svg
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.util import random_hex

from jisheng.accounts.models import AuthenticatorDevice, LoginAttempt, RecoveryCode, User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
from jisheng.core import crypto
from jisheng.core.actors import Actor
from jisheng.core.errors import Forbidden, JishengError
from jisheng.core.permissions import require
from jisheng.core.roles import Capability, Role

# Administrators and every role that sees the whole street or more (DESIGN.md: MLPS level 3).
SECOND_FACTOR_ROLES = frozenset(
    {
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,
        Role.SECURITY_AUDITOR,
        Role.STREET_STAFF,
        Role.LEADER,
        Role.DISTRICT_SUPERVISOR,
        Role.CASE_OFFICER,
    }
)
RECOVERY_CODE_COUNT = 10
# 80 random bits as 16 base32 letters: out of reach of guessing even with the digests in hand.
RECOVERY_CODE_BYTES = 10
# Frozen: migration 0003 hashed the codes it moved with it; changing it voids every stored code.
RECOVERY_CODE_CONTEXT = "accounts.RecoveryCode.digest"
TOTP_DEVICE_NAME = "totp"
SESSION_KEY = "jisheng_sign_in_step"
WRONG_CODE_MESSAGE = _("The code is wrong or has already been used.")
USED_CODE_MESSAGE = _(
    "This code has just been used to sign in. Wait for the next code in your authenticator "
    "app and enter that one."
)


class Step(StrEnum):
    VERIFY = "verify"
    ENROL = "enrol"
    DONE = "done"


def requires_second_factor(user: User) -> bool:
    return bool(user.role_set & SECOND_FACTOR_ROLES)


def confirmed_totp(user: User) -> AuthenticatorDevice | None:
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()


def step_after_password(user: User) -> Step:
    """What a user must do after a right password: a device once set up is always asked for."""
    if AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists():
        return Step.VERIFY
    return Step.ENROL if requires_second_factor(user) else Step.DONE


def session_step(session: SessionBase) -> Step | None:
    """The sign-in step a session is at; ``None`` for a session this module never marked."""
    value = session.get(SESSION_KEY)
    return Step(value) if isinstance(value, str) and value in set(Step) else None


def secret_text(device: AuthenticatorDevice) -> str:
    """The key as base32 in groups of four, as authenticator apps accept it typed."""
    raw = b32encode(device.bin_key).decode()
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: AuthenticatorDevice) -> str:
    """An inline SVG QR code of the ``otpauth://`` URL, drawn here (no outside service)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=16, border=2
    )
    svg: str = image.to_string(encoding="unicode")
    return svg


def enrolment_device(user: User) -> AuthenticatorDevice:
    """The user's unconfirmed device: the same secret on every visit until it is confirmed."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        device = AuthenticatorDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = AuthenticatorDevice.objects.create(
                user=user, name=TOTP_DEVICE_NAME, key=random_hex(20), confirmed=False
            )
    return device


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def recovery_code_digest(code: str, *, salt: str) -> str:
    """The stored form of a recovery code: a keyed HMAC (key folder) over a per-code salt."""
    return crypto.blind_index(f"{salt}:{code}", context=RECOVERY_CODE_CONTEXT)


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [
        b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode().lower()
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    salts = [secrets.token_hex(16) for _ in codes]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(user=user, salt=salt, digest=recovery_code_digest(code, salt=salt))
        for code, salt in zip(codes, salts, strict=True)
    )
    return codes


def _use_recovery_code(user: User, text: str) -> bool:
    """Delete and accept the user's code whose digest matches (every one compared in constant
    time, so the time taken tells nothing about which came close)."""
    found = None
    for stored in RecoveryCode.objects.select_for_update().filter(user=user):
        if crypto.digests_equal(recovery_code_digest(text, salt=stored.salt), stored.digest):
            found = stored
    if found is None:
        return False
    found.delete()
    return True


def enrol_confirm(*, actor: Actor, code: str, completes_sign_in: bool) -> list[str]:
    """Confirm the pending device with its first code; returns the new recovery codes (shown once).

    ``completes_sign_in``: enrolment was the sign-in's last step (recorded as the sign-in).
    A second submit finds no pending device and is refused.
    """
    user = actor.user
    with transaction.atomic():
        device = (
            AuthenticatorDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .first()
        )
        if device is None or not device.verify_token(_normalise(code)):
            raise JishengError(WRONG_CODE_MESSAGE, code="wrong_code")
        AuthenticatorDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        audit.record(
            action=Action.UPDATE, actor=actor, obj=user, detail={"second_factor": "enrolled"}
        )
        if completes_sign_in:
            LoginAttempt.objects.create(
                username=user.username, ip=actor.ip, succeeded=True, at=timezone.now()
            )
            audit.record(action=Action.LOGIN, actor=actor, detail={"second_factor": "enrolled"})
    return codes


def recovery_codes_renew(*, actor: Actor) -> list[str]:
    """New recovery codes for a user with a device; the old ones stop working."""
    user = actor.user
    with transaction.atomic():
        if confirmed_totp(user) is None:
            raise JishengError(_("Set up two-factor sign-in first."), code="no_second_factor")
        codes = _new_recovery_codes(user)
        audit.record(
            action=Action.UPDATE,
            actor=actor,
            obj=user,
            detail={"second_factor": "recovery_codes_renewed"},
        )
    return codes


def recovery_codes_left(user: User) -> int:
    left: int = RecoveryCode.objects.filter(user=user).count()
    return left


def code_matches(user: User, code: str) -> str | None:
    """``totp`` or ``recovery_code`` when the code is right (it is then used up), else None.

    Call inside a transaction: the device rows are locked, so two submits of one code cannot
    both pass (TOTP refuses a time step already used; a recovery code is deleted).
    """
    text = _normalise(code)
    totp = AuthenticatorDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if totp is not None and text.isascii() and text.isdigit() and totp.verify_token(text):
        return "totp"
    if text and _use_recovery_code(user, text):
        return "recovery_code"
    return None


def code_already_used(user: User, code: str) -> bool:
    """True when ``code`` is the user's TOTP code already accepted for this time step: the
    code was right, so it is no guess and does not count toward the lockout."""
    text = _normalise(code)
    totp = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
    return totp is not None and totp.was_accepted(text)


def second_factor_reset(*, actor: Actor | None, user: User) -> None:
    """Remove a user's device and recovery codes: the security administrator's duty (三权分立);
    ``actor=None`` only from the CLI (a security administrator who lost their own)."""
    if actor is not None:
        require(actor, Capability.MANAGE_ROLES)
        if user.pk == actor.user.pk:
            raise Forbidden(_("You cannot reset your own second factor."))
    with transaction.atomic():
        removed, _rows = AuthenticatorDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        if not removed:
            raise JishengError(
                _("This user has not set up two-factor sign-in."), code="no_second_factor"
            )
        audit.record(
            action=Action.PERMISSION_CHANGE,
            actor=actor,
            username="" if actor else "cli",
            obj=user,
            detail={"second_factor": "reset"},
        )


def demo_enrol(user: User, *, hex_key: str) -> None:
    """Give a demo account a confirmed device with a published key (demo seeding only)."""
    AuthenticatorDevice.objects.filter(user=user).delete()
    AuthenticatorDevice.objects.create(
        user=user, name=TOTP_DEVICE_NAME, key=hex_key, confirmed=True
    )
