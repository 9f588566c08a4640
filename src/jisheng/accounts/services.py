"""Account writes: sign-in policy, users, role grants (三权分立), API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jisheng.accounts import two_factor
from jisheng.accounts.access import access_changed
from jisheng.accounts.models import ApiToken, LoginAttempt, User, UserRole
from jisheng.accounts.two_factor import Step
from jisheng.audit import services as audit
from jisheng.audit.services import Action, Result
from jisheng.core.actors import Actor
from jisheng.core.errors import Conflict, Forbidden, JishengError, NotFound
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require
from jisheng.core.roles import (
    ROLE_UNIT_KINDS,
    SEPARATED_ROLES,
    Capability,
    Role,
    roles_combine,
)

LOGIN_FAILED_MESSAGE = _("Wrong user name or password.")
LOGIN_LOCKED_MESSAGE = _("Too many failed sign-ins. Try again in 15 minutes.")
USERNAME_TAKEN_MESSAGE = _(
    "This user name is taken (user names do not distinguish capital and small letters)."
)
TOKEN_PREFIX = "jst_"  # noqa: S105 - a public marker, not a secret


class LoginRefused(JishengError):
    code = "login_refused"
    status = 401


def login_is_locked(username: str) -> bool:
    """Locked for LOCK seconds after the failure that made LIMIT failures within WINDOW.

    Failures made while locked, or before the last success, do not count.
    """
    now = timezone.now()
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    lock = timedelta(seconds=settings.LOGIN_LOCK_SECONDS)
    last_success = (
        LoginAttempt.objects.filter(username=username, succeeded=True)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    failures = LoginAttempt.objects.filter(
        username=username, succeeded=False, during_lock=False, at__gte=now - window - lock
    )
    if last_success is not None:
        failures = failures.filter(at__gt=last_success)
    recent = list(
        failures.order_by("-at").values_list("at", flat=True)[: settings.LOGIN_FAILURE_LIMIT]
    )
    if len(recent) < settings.LOGIN_FAILURE_LIMIT:
        return False
    newest, oldest = recent[0], recent[-1]
    return newest - oldest <= window and now - newest < lock


def login_refusal_record(
    *, username: str, ip: str | None, reason: str, during_lock: bool = False
) -> None:
    """A failed sign-in step: it counts toward the lockout (unless made while locked), audited."""
    with transaction.atomic():
        LoginAttempt.objects.create(
            username=username, ip=ip, succeeded=False, during_lock=during_lock, at=timezone.now()
        )
        audit.record(
            action=Action.LOGIN_FAILED,
            username=username,
            ip=ip,
            result=Result.FAILURE,
            detail={"reason": reason},
        )


class SignIn(NamedTuple):
    user: User
    step: Step


def login_check(*, username: str, password: str, ip: str | None) -> SignIn:
    """Check a sign-in's password; the same message for unknown users and wrong passwords.

    When a second factor follows, the sign-in is recorded as a success only once it is given:
    a right password must not reset the failure count a wrong code builds up.
    """
    if login_is_locked(username):
        login_refusal_record(username=username, ip=ip, reason="locked", during_lock=True)
        raise LoginRefused(LOGIN_LOCKED_MESSAGE, code="login_locked")
    user = authenticate(username=username, password=password)
    if user is None or not isinstance(user, User):
        login_refusal_record(username=username, ip=ip, reason="credentials")
        raise LoginRefused(LOGIN_FAILED_MESSAGE)
    step = two_factor.step_after_password(user)
    if step is Step.DONE:
        with transaction.atomic():
            LoginAttempt.objects.create(username=username, ip=ip, succeeded=True, at=timezone.now())
            audit.record(action=Action.LOGIN, actor=Actor(user=user, ip=ip))
    return SignIn(user, step)


def second_factor_check(*, user: User, code: str, ip: str | None) -> None:
    """Complete a sign-in with a TOTP code or a recovery code (each usable once).

    A wrong code is a failed sign-in: it counts toward the lockout and is audited. The code
    already accepted for this time step (a second sign-in within 30 s) is refused with its
    own message and audited, but is no failure: whoever typed it knew the right code.
    """
    if login_is_locked(user.username):
        login_refusal_record(username=user.username, ip=ip, reason="locked", during_lock=True)
        raise LoginRefused(LOGIN_LOCKED_MESSAGE, code="login_locked")
    with transaction.atomic():
        method = two_factor.code_matches(user, code)
        if method is not None:
            LoginAttempt.objects.create(
                username=user.username, ip=ip, succeeded=True, at=timezone.now()
            )
            audit.record(
                action=Action.LOGIN, actor=Actor(user=user, ip=ip), detail={"second_factor": method}
            )
            return
        reused = two_factor.code_already_used(user, code)
    if reused:
        audit.record(
            action=Action.LOGIN_FAILED,
            username=user.username,
            ip=ip,
            result=Result.FAILURE,
            detail={"reason": "code_reused"},
        )
        raise LoginRefused(two_factor.USED_CODE_MESSAGE, code="code_reused")
    login_refusal_record(username=user.username, ip=ip, reason="second_factor")
    raise LoginRefused(two_factor.WRONG_CODE_MESSAGE, code="wrong_code")


def logout_record(*, actor: Actor) -> None:
    audit.record(action=Action.LOGOUT, actor=actor)


@transaction.atomic
def user_create(
    *,
    actor: Actor | None,
    username: str,
    password: str,
    org_unit: OrgUnit | None,
    full_name: str = "",
) -> User:
    """Create an account (system administrator's duty; ``actor=None`` only from the CLI)."""
    if actor is not None:
        require(actor, Capability.MANAGE_USERS)
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(USERNAME_TAKEN_MESSAGE, code="username_taken")
    user = User(username=username, full_name=full_name, org_unit=org_unit)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise JishengError(" ".join(exc.messages), code="weak_password") from exc
    user.set_password(password)
    try:
        # A savepoint: a concurrent creation of the same name fails here, not as a 500.
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise Conflict(USERNAME_TAKEN_MESSAGE, code="username_taken") from exc
    audit.record(action=Action.CREATE, actor=actor, username="" if actor else "cli", obj=user)
    return user


@transaction.atomic
def user_set_active(*, actor: Actor, user: User, active: bool) -> User:
    require(actor, Capability.MANAGE_USERS)
    if user.pk == actor.user.pk:
        raise Forbidden(_("You cannot deactivate your own account."))
    if user.role_set & SEPARATED_ROLES:
        # 三权分立: the system administrator must not be able to silence the other two.
        raise Forbidden(
            _("Separated administrators are not switched off by the system administrator.")
        )
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record(action=Action.UPDATE, actor=actor, obj=user, detail={"is_active": active})
    return user


def _check_role_fits(user: User, role: Role) -> None:
    held = set(user.role_set)
    if role in held:
        raise Conflict(_("The user already holds this role."), code="role_held")
    if role in SEPARATED_ROLES and held:
        raise Conflict(
            _(
                "System administrator, security administrator and security auditor "
                "must each be the only role of their holder."
            ),
            code="separation_of_duties",
        )
    if held & SEPARATED_ROLES:
        raise Conflict(
            _("This user holds a separated administrative role and can hold no other."),
            code="separation_of_duties",
        )
    if not roles_combine(held, role):
        raise Conflict(
            _(
                "An account holds one role: this user is already %(held)s. Revoke that role "
                "first, or create a second account for the other duty."
            )
            % {"held": "、".join(str(r.label) for r in sorted(held))},
            code="role_combination",
        )
    kinds = ROLE_UNIT_KINDS[role]
    if kinds is not None and (user.org_unit is None or user.org_unit.kind not in kinds):
        raise JishengError(
            _("This role needs an account attached to a unit of the right level."),
            code="wrong_unit_level",
        )


def role_grant(*, actor: Actor | None, user: User, role: Role) -> UserRole:
    """Grant a role (security administrator's duty; ``actor=None`` only from the CLI)."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if actor is not None:
            require(actor, Capability.MANAGE_ROLES)
            if locked.pk == actor.user.pk:
                raise Forbidden(_("You cannot change your own roles."))
        _check_role_fits(locked, role)
        grant = UserRole.objects.create(
            user=locked, role=role, granted_by=actor.user if actor else None
        )
        audit.record(
            action=Action.PERMISSION_CHANGE,
            actor=actor,
            username="" if actor else "cli",
            obj=locked,
            detail={"granted": str(role)},
        )
        access_changed(User.objects.filter(pk=locked.pk))
    user.__dict__.pop("role_set", None)
    return grant


@transaction.atomic
def role_revoke(*, actor: Actor, user: User, role: Role) -> None:
    require(actor, Capability.MANAGE_ROLES)
    if user.pk == actor.user.pk:
        raise Forbidden(_("You cannot change your own roles."))
    deleted, _rows = UserRole.objects.filter(user=user, role=role).delete()
    if not deleted:
        raise Conflict(_("The user does not hold this role."), code="role_not_held")
    audit.record(
        action=Action.PERMISSION_CHANGE, actor=actor, obj=user, detail={"revoked": str(role)}
    )
    access_changed(User.objects.filter(pk=user.pk))
    user.__dict__.pop("role_set", None)


@transaction.atomic
def password_change(*, actor: Actor, old_password: str, new_password: str) -> None:
    user = actor.user
    if not user.check_password(old_password):
        raise JishengError(_("The current password is wrong."), code="wrong_password")
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise JishengError(" ".join(exc.messages), code="weak_password") from exc
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(action=Action.UPDATE, actor=actor, obj=user, detail={"field": "password"})


@transaction.atomic
def token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens; it stops working at once."""
    token = ApiToken.objects.filter(pk=token_id, user=actor.user, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound()
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(action=Action.PERMISSION_CHANGE, actor=actor, obj=token, detail={"revoked": True})
    return token


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str, actor: Actor | None = None) -> tuple[ApiToken, str]:
    """Issue a token; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:12], digest=_token_digest(raw)
    )
    audit.record(
        action=Action.PERMISSION_CHANGE,
        actor=actor,
        username="" if actor else "cli",
        obj=token,
        detail={"token_for": user.pk},
    )
    return token, raw


def token_user(raw: str) -> User | None:
    """The user a bearer token belongs to, or ``None`` while the account is inactive or its
    sign-in is locked (a token must not outlast what stops the password)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_token_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active or login_is_locked(token.user.username):
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
