"""Second factor at sign-in (MLPS 2.0 level 3): TOTP devices and one-time recovery codes.

A session passes through these states, kept server-side under ``SESSION_KEY``:
``verify`` (password given, code expected) or ``enrol`` (password given, the role needs a
device and there is none) until ``done``. ``LoginRequiredMiddleware`` lets a session without
``done`` reach the sign-in pages only, so a session missing the key is never trusted.
"""

from __future__ import annotations

import re
from base64 import b32encode
from binascii import unhexlify
from enum import StrEnum

import qrcode
import qrcode.image.svg
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from jisheng.accounts.models import LoginAttempt, User
from jisheng.audit import services as audit
from jisheng.audit.services import Action
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
    }
)
RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "recovery"
TOTP_DEVICE_NAME = "totp"
SESSION_KEY = "jisheng_sign_in_step"
WRONG_CODE_MESSAGE = _("The code is wrong or has already been used.")


class Step(StrEnum):
    VERIFY = "verify"
    ENROL = "enrol"
    DONE = "done"


def requires_second_factor(user: User) -> bool:
    return bool(user.role_set & SECOND_FACTOR_ROLES)


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def step_after_password(user: User) -> Step:
    """What a user must do after a right password: a device once set up is always asked for."""
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return Step.VERIFY
    return Step.ENROL if requires_second_factor(user) else Step.DONE


def session_step(session: SessionBase) -> Step | None:
    """The sign-in step a session is at; ``None`` for a session this module never marked."""
    value = session.get(SESSION_KEY)
    return Step(value) if isinstance(value, str) and value in set(Step) else None


def secret_text(device: TOTPDevice) -> str:
    """The key as base32 in groups of four, as authenticator apps accept it typed."""
    raw = b32encode(unhexlify(device.key)).decode()
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """An inline SVG QR code of the ``otpauth://`` URL, drawn here (no outside service)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=16, border=2
    )
    svg: str = image.to_string(encoding="unicode")
    return svg


def enrolment_device(user: User) -> TOTPDevice:
    """The user's unconfirmed device: the same secret on every visit until it is confirmed."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def enrol_confirm(*, actor: Actor, code: str, completes_sign_in: bool) -> list[str]:
    """Confirm the pending device with its first code; returns the new recovery codes (shown once).

    ``completes_sign_in``: enrolment was the sign-in's last step (recorded as the sign-in).
    A second submit finds no pending device and is refused.
    """
    user = actor.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None or not device.verify_token(_normalise(code)):
            raise JishengError(WRONG_CODE_MESSAGE, code="wrong_code")
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
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
    left: int = StaticToken.objects.filter(device__user=user).count()
    return left


def code_matches(user: User, code: str) -> str | None:
    """``totp`` or ``recovery_code`` when the code is right (it is then used up), else None.

    Call inside a transaction: the device rows are locked, so two submits of one code cannot
    both pass (TOTP refuses a time step already used; a recovery code is deleted).
    """
    text = _normalise(code)
    totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    recovery = StaticDevice.objects.select_for_update().filter(user=user).first()
    if totp is not None and text.isascii() and text.isdigit() and totp.verify_token(text):
        return "totp"
    if recovery is not None and text and recovery.verify_token(text):
        return "recovery_code"
    return None


def second_factor_reset(*, actor: Actor | None, user: User) -> None:
    """Remove a user's device and recovery codes: the security administrator's duty (三权分立);
    ``actor=None`` only from the CLI (a security administrator who lost their own)."""
    if actor is not None:
        require(actor, Capability.MANAGE_ROLES)
        if user.pk == actor.user.pk:
            raise Forbidden(_("You cannot reset your own second factor."))
    with transaction.atomic():
        removed, _rows = TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
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
    TOTPDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, key=hex_key, confirmed=True)
