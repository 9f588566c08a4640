"""Two-factor sign-in: who must enrol, the code step, lockout, recovery codes, reset, and what a
half-signed-in session can reach (nothing but the sign-in pages)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import pytest
import time_machine
from django.test import Client
from django_otp.oath import TOTP

from jisheng.accounts import two_factor
from jisheng.accounts.models import (
    ApiToken,
    AuthenticatorDevice,
    LoginAttempt,
    RecoveryCode,
    User,
)
from jisheng.accounts.services import LOGIN_LOCKED_MESSAGE
from jisheng.audit.models import AuditEvent
from jisheng.core.actors import Actor
from jisheng.core.roles import Role

PASSWORD = "Test-pass-2026!"  # same as tests/conftest.py
LOGIN_URL = "/accounts/login/"
VERIFY_URL = "/accounts/two-factor/verify/"
ENROL_URL = "/accounts/two-factor/enrol/"
REQUIRED = sorted(two_factor.SECOND_FACTOR_ROLES)
STEP = 30


def code(device: AuthenticatorDevice, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now (or ``steps_ahead`` time steps later)."""
    totp = TOTP(device.bin_key)
    totp.time = time.time() + steps_ahead * STEP
    return f"{totp.token():06d}"


def enrolled(user: User) -> tuple[AuthenticatorDevice, list[str]]:
    """A confirmed device and recovery codes, as the enrolment page leaves them."""
    device = two_factor.enrolment_device(user)
    codes = two_factor.enrol_confirm(
        actor=Actor(user=user), code=code(device), completes_sign_in=False
    )
    device.refresh_from_db()
    return device, codes


def stored_matches(user: User, codes: list[str]) -> int:
    """How many of ``codes`` match a recovery code stored for ``user`` (by digest)."""
    stored = list(RecoveryCode.objects.filter(user=user))
    return sum(
        any(two_factor.recovery_code_digest(c, salt=r.salt) == r.digest for r in stored)
        for c in codes
    )


def password_step(client: Client, user: User, next_url: str = ""):
    url = f"{LOGIN_URL}?next={next_url}" if next_url else LOGIN_URL
    return client.post(url, {"username": user.username, "password": PASSWORD})


@pytest.mark.parametrize("role", REQUIRED)
def test_each_required_role_must_enrol_before_anything_else(
    role: Role, make_user: Callable[..., User]
) -> None:
    user = make_user(role)
    client = Client()
    response = password_step(client, user)
    assert response.status_code == 302
    assert response.url == ENROL_URL
    page = client.get("/accounts/password/")
    assert (page.status_code, page.url) == (302, ENROL_URL)
    assert client.get(ENROL_URL).status_code == 200
    assert not AuditEvent.objects.filter(action="login", username=user.username).exists()


@pytest.mark.parametrize("role", [Role.COMMUNITY_WORKER, Role.PARTNER_REPORTER])
def test_optional_roles_sign_in_with_the_password_alone(
    role: Role, make_user: Callable[..., User]
) -> None:
    user = make_user(role)
    client = Client()
    response = password_step(client, user)
    assert (response.status_code, response.url) == (302, "/")
    assert client.get("/accounts/tokens/").status_code == 200


def test_enrolment_shows_the_secret_and_qr_and_a_first_code_confirms_it(
    make_user: Callable[..., User],
) -> None:
    user = make_user(Role.STREET_STAFF)
    client = Client()
    password_step(client, user, next_url="/accounts/tokens/")
    page = client.get(ENROL_URL).content.decode()
    device = AuthenticatorDevice.objects.get(user=user, confirmed=False)
    assert two_factor.secret_text(device) in page
    assert "<svg" in page
    assert client.get(ENROL_URL).content.decode().count(two_factor.secret_text(device)) == 1

    wrong = client.post(ENROL_URL, {"code": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    posted = client.post(ENROL_URL, {"code": code(device)})
    # Post, then redirect: Back or refresh never resubmits; the codes are shown once.
    assert posted.status_code == 302
    response = client.get(posted["Location"])
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    shown = response.context["codes"]
    assert client.get(posted["Location"]).status_code == 302
    assert len(shown) == two_factor.RECOVERY_CODE_COUNT
    assert len(set(shown)) == RecoveryCode.objects.filter(user=user).count()
    assert stored_matches(user, shown) == len(shown)
    assert response.context["next_url"] == "/accounts/tokens/"
    assert client.get("/accounts/tokens/").status_code == 200
    assert AuditEvent.objects.filter(
        action="update", object_id=str(user.pk), detail__second_factor="enrolled"
    ).exists()
    assert AuditEvent.objects.filter(
        action="login", username=user.username, detail__second_factor="enrolled"
    ).exists()


def test_an_enrolled_user_is_asked_for_a_code_and_a_right_one_completes_the_sign_in(
    make_user: Callable[..., User],
) -> None:
    user = make_user(Role.LEADER)
    device, _codes = enrolled(user)
    client = Client()
    response = password_step(client, user, next_url="/accounts/tokens/")
    assert (response.status_code, response.url) == (302, VERIFY_URL)
    response = client.post(VERIFY_URL, {"code": code(device, steps_ahead=1)})
    assert (response.status_code, response.url) == (302, "/accounts/tokens/")
    assert client.get("/accounts/tokens/").status_code == 200
    event = AuditEvent.objects.filter(action="login", username=user.username).get()
    assert event.detail == {"second_factor": "totp"}


def test_an_optional_user_who_enrolled_is_asked_for_the_code_too(
    make_user: Callable[..., User],
) -> None:
    user = make_user(Role.COMMUNITY_WORKER)
    enrolled(user)
    response = password_step(Client(), user)
    assert (response.status_code, response.url) == (302, VERIFY_URL)


def test_a_half_signed_in_session_reaches_no_page_no_api_and_cannot_make_a_token(
    make_user: Callable[..., User],
) -> None:
    user = make_user(Role.STREET_STAFF)
    enrolled(user)
    client = Client()
    password_step(client, user)
    for url in ["/", "/registry/persons/", "/accounts/tokens/", "/accounts/two-factor/"]:
        response = client.get(url)
        assert (response.status_code, response.url) == (302, VERIFY_URL), url
    api = client.get("/api/me")
    assert api.status_code == 401
    assert api.json()["code"] == "unauthenticated"
    made = client.post("/accounts/tokens/", {"name": "sneaky"})
    assert made.status_code == 302
    assert not ApiToken.objects.filter(user=user).exists()
    # The enrolment page is no way round the code step either.
    assert client.get(ENROL_URL).url == VERIFY_URL


def test_a_session_signed_in_without_the_sign_in_steps_is_not_trusted(
    make_user: Callable[..., User],
) -> None:
    user = make_user(Role.COMMUNITY_WORKER)
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)  # skips the login page
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


def test_a_wrong_code_is_refused_counted_toward_the_lockout_and_audited(
    make_user: Callable[..., User],
) -> None:
    user = make_user(Role.SECURITY_AUDITOR)
    device, _codes = enrolled(user)
    right = code(device, steps_ahead=1)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    client = Client()
    password_step(client, user)
    response = client.post(VERIFY_URL, {"code": wrong})
    assert response.status_code == 401
    assert client.get("/").url == VERIFY_URL
    assert LoginAttempt.objects.filter(username=user.username, succeeded=False).count() == 1
    assert AuditEvent.objects.filter(
        action="login_failed", username=user.username, detail__reason="second_factor"
    ).exists()


def test_five_wrong_codes_lock_the_account_even_when_the_password_is_given_again(
    make_user: Callable[..., User],
) -> None:
    user = make_user(Role.SYSTEM_ADMIN)
    device, _codes = enrolled(user)
    right = code(device, steps_ahead=1)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    client = Client()
    for _try in range(5):
        # A right password in between must not wipe the wrong codes off the count.
        password_step(client, user)
        client.post(VERIFY_URL, {"code": wrong})
    response = client.post(VERIFY_URL, {"code": right})
    assert response.status_code == 401
    assert response.context["error"] == LOGIN_LOCKED_MESSAGE
    response = password_step(client, user)
    assert response.status_code == 401
    assert response.context["error"] == LOGIN_LOCKED_MESSAGE


def test_the_right_code_is_refused_while_the_account_is_locked(
    make_user: Callable[..., User],
) -> None:
    user = make_user(Role.STREET_STAFF)
    device, _codes = enrolled(user)
    right = code(device, steps_ahead=1)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    client = Client()
    password_step(client, user)
    for _try in range(5):
        client.post(VERIFY_URL, {"code": wrong})
    response = client.post(VERIFY_URL, {"code": right})
    assert response.status_code == 401
    assert response.context["error"] == LOGIN_LOCKED_MESSAGE
    assert client.get("/accounts/tokens/").url.startswith(LOGIN_URL)


def test_a_recovery_code_works_once(make_user: Callable[..., User]) -> None:
    user = make_user(Role.DISTRICT_SUPERVISOR)
    _device, codes = enrolled(user)
    first = Client()
    password_step(first, user)
    response = first.post(VERIFY_URL, {"code": codes[0].upper()})
    assert (response.status_code, response.url) == (302, "/")
    assert AuditEvent.objects.filter(
        action="login", username=user.username, detail__second_factor="recovery_code"
    ).exists()
    again = Client()
    password_step(again, user)
    assert again.post(VERIFY_URL, {"code": codes[0]}).status_code == 401
    assert RecoveryCode.objects.filter(user=user).count() == len(codes) - 1


def test_new_recovery_codes_replace_the_old_ones_and_are_audited(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    user = make_user(Role.STREET_STAFF)
    _device, old = enrolled(user)
    response = client_for(user).post("/accounts/two-factor/", follow=True)
    new = response.context["codes"]
    assert len(new) == two_factor.RECOVERY_CODE_COUNT
    assert RecoveryCode.objects.filter(user=user).count() == len(new)
    assert stored_matches(user, new) == len(new)
    assert stored_matches(user, old) == 0
    assert AuditEvent.objects.filter(detail__second_factor="recovery_codes_renewed").exists()


def test_the_security_administrator_resets_a_second_factor_and_it_is_audited(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    user = make_user(Role.STREET_STAFF)
    enrolled(user)
    security = make_user(Role.SECURITY_ADMIN)
    page = client_for(security).get("/accounts/roles/")
    assert f"/accounts/roles/{user.pk}/reset-second-factor/" in page.content.decode()
    response = client_for(security).post(f"/accounts/roles/{user.pk}/reset-second-factor/")
    assert response.status_code == 302
    assert not AuthenticatorDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="permission_change", detail__second_factor="reset")
    assert (event.username, event.object_id) == (security.username, str(user.pk))
    assert password_step(Client(), user).url == ENROL_URL


def test_the_system_administrator_cannot_reset_a_second_factor(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    user = make_user(Role.STREET_STAFF)
    enrolled(user)
    admin = make_user(Role.SYSTEM_ADMIN)
    response = client_for(admin).post(f"/accounts/roles/{user.pk}/reset-second-factor/")
    assert response.status_code == 403
    assert AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()


def test_the_security_administrator_cannot_reset_their_own(
    make_user: Callable[..., User], client_for: Callable[[User], Client]
) -> None:
    security = make_user(Role.SECURITY_ADMIN)
    enrolled(security)
    client_for(security).post(f"/accounts/roles/{security.pk}/reset-second-factor/")
    assert AuthenticatorDevice.objects.filter(user=security, confirmed=True).exists()


def test_a_bearer_token_still_reaches_the_api_for_an_enrolled_user(
    make_user: Callable[..., User],
) -> None:
    from jisheng.accounts.services import token_create

    user = make_user(Role.STREET_STAFF)
    enrolled(user)
    _token, raw = token_create(user=user, name="desk")
    response = Client().get("/api/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200


def test_the_cli_resets_a_second_factor_and_it_is_audited(make_user: Callable[..., User]) -> None:
    from django.core.management import CommandError, call_command

    security = make_user(Role.SECURITY_ADMIN)
    enrolled(security)
    call_command("second_factor", "reset", "--user", security.username)
    assert not AuthenticatorDevice.objects.filter(user=security).exists()
    assert AuditEvent.objects.filter(username="cli", detail__second_factor="reset").exists()
    with pytest.raises(CommandError):
        call_command("second_factor", "reset", "--user", security.username)


def test_a_session_signed_in_without_the_steps_cannot_reach_the_enrolment_page(
    make_user: Callable[..., User],
) -> None:
    user = make_user(Role.STREET_STAFF)
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    assert client.get(ENROL_URL).url.startswith(LOGIN_URL)
    assert not AuthenticatorDevice.objects.filter(user=user).exists()


def test_enrolled_meanwhile_in_another_sign_in_sends_this_one_to_the_code_step(
    make_user: Callable[..., User],
) -> None:
    user = make_user(Role.STREET_STAFF)
    client = Client()
    password_step(client, user)
    enrolled(user)
    assert client.get(ENROL_URL).url == VERIFY_URL
    assert client.get("/").url == VERIFY_URL


def test_reset_while_waiting_for_the_code_sends_a_required_role_to_enrol(
    make_user: Callable[..., User],
) -> None:
    user = make_user(Role.LEADER)
    enrolled(user)
    client = Client()
    password_step(client, user)
    two_factor.second_factor_reset(actor=None, user=user)
    assert client.get(VERIFY_URL).url == ENROL_URL
    assert client.get("/").url == ENROL_URL


# The clock stands still 10 s into a time step: the test signs in a dozen times (Argon2),
# which on a busy machine took longer than the codes' window and failed now and then.
@time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, 10, tzinfo=dt.UTC), tick=False)
def test_the_code_just_used_is_refused_again_without_counting_toward_the_lockout(
    make_user: Callable[..., User], settings
) -> None:
    """Signing in twice within 30 s with the code the app still shows: a clear message, an
    audit entry, no failed attempt; the next code signs in."""
    user = make_user(Role.STREET_STAFF)
    device, _codes = enrolled(user)
    now = code(device, steps_ahead=1)
    first = Client()
    password_step(first, user)
    assert first.post(VERIFY_URL, {"code": now}).status_code == 302
    for _try in range(settings.LOGIN_FAILURE_LIMIT + 1):
        second = Client()
        password_step(second, user)
        response = second.post(VERIFY_URL, {"code": now})
        assert response.status_code == 401
        assert response.context["error"] == two_factor.USED_CODE_MESSAGE
        assert "刚刚已用于登录" in response.content.decode()
        assert second.get("/").url == VERIFY_URL
    assert not LoginAttempt.objects.filter(username=user.username, succeeded=False).exists()
    assert (
        AuditEvent.objects.filter(
            action="login_failed", username=user.username, detail__reason="code_reused"
        ).count()
        == settings.LOGIN_FAILURE_LIMIT + 1
    )
    # Not locked: the next code completes the sign-in.
    response = second.post(VERIFY_URL, {"code": code(device, steps_ahead=2)})
    assert response.status_code == 302
    # A wrong code still counts.
    third = Client()
    password_step(third, user)
    wrong = f"{(int(now) + 1) % 1_000_000:06d}"
    assert third.post(VERIFY_URL, {"code": wrong}).status_code == 401
    assert LoginAttempt.objects.filter(username=user.username, succeeded=False).count() == 1
