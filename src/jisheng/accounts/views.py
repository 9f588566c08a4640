from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jisheng.accounts import selectors, services, two_factor
from jisheng.accounts.forms import (
    LoginForm,
    OrgUnitForm,
    PasswordChangeForm,
    RoleGrantForm,
    SecondFactorForm,
    TokenCreateForm,
    UserCreateForm,
)
from jisheng.accounts.middleware import STEP_PAGES
from jisheng.accounts.org_units import org_unit_create
from jisheng.accounts.two_factor import Step
from jisheng.core.actors import Actor, client_ip, request_user
from jisheng.core.errors import JishengError
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require_capability
from jisheng.core.roles import Capability, Role

NEXT_SESSION_KEY = "jisheng_sign_in_next"


def _safe_next(request: HttpRequest, target: str) -> str:
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


def _finish_sign_in(request: HttpRequest) -> str:
    """Mark the session fully signed in (under a new key) and return where to go next."""
    target = str(request.session.pop(NEXT_SESSION_KEY, "/"))
    request.session.cycle_key()
    request.session[two_factor.SESSION_KEY] = Step.DONE.value
    return target


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            user, step = services.login_check(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
            )
        except services.LoginRefused as exc:
            error = exc.message
        else:
            login(request, user)
            request.session[two_factor.SESSION_KEY] = step.value
            target = _safe_next(request, request.GET.get("next", ""))
            if step is Step.DONE:
                return HttpResponseRedirect(target)
            request.session[NEXT_SESSION_KEY] = target
            return redirect(STEP_PAGES[step])
    return render(
        request, "accounts/login.html", {"form": form, "error": error}, status=401 if error else 200
    )


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The code step: a TOTP code or a recovery code; wrong ones count toward the lockout."""
    user = request_user(request)
    step = two_factor.session_step(request.session)
    if step is Step.ENROL:
        return redirect("accounts:two_factor_enrol")
    if step is not Step.VERIFY:
        return redirect("/")
    if two_factor.confirmed_totp(user) is None:
        # Reset while this sign-in waited: set up a new one, or sign in again without.
        if two_factor.requires_second_factor(user):
            request.session[two_factor.SESSION_KEY] = Step.ENROL.value
            return redirect("accounts:two_factor_enrol")
        logout(request)
        return redirect("accounts:login")
    form: SecondFactorForm | None = SecondFactorForm(request.POST or None)
    error = None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.second_factor_check(
                user=user, code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except services.LoginRefused as exc:
            if exc.code == "login_locked":
                logout(request)
                form = None
            error = exc.message
        else:
            return HttpResponseRedirect(_finish_sign_in(request))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "error": error, "nav_sections": []},
        status=401 if error else 200,
    )


@never_cache  # a secret or recovery codes: never kept by the browser or a proxy
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up a TOTP device: the secret as text and QR, confirmed by a first code."""
    user = request_user(request)
    step = two_factor.session_step(request.session)
    if step is Step.VERIFY:
        return redirect("accounts:two_factor_verify")
    if two_factor.confirmed_totp(user) is not None:
        if step is Step.ENROL:
            # Set up meanwhile in another sign-in: this one now needs a code.
            request.session[two_factor.SESSION_KEY] = Step.VERIFY.value
            return redirect("accounts:two_factor_verify")
        return redirect("accounts:two_factor")
    device = two_factor.enrolment_device(user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.enrol_confirm(
                actor=Actor.from_request(request),
                code=form.cleaned_data["code"],
                completes_sign_in=step is Step.ENROL,
            )
        except JishengError as exc:
            form.add_error("code", str(exc.message))
        else:
            target = (
                _finish_sign_in(request) if step is Step.ENROL else reverse("accounts:two_factor")
            )
            return _show_codes_once(request, codes, next_url=target)
    context: dict[str, object] = {
        "form": form,
        "secret": two_factor.secret_text(device),
        "qr_svg": mark_safe(two_factor.qr_svg(device)),  # noqa: S308 - drawn here from our key
        "required": two_factor.requires_second_factor(user),
        "half_signed_in": step is Step.ENROL,
    }
    if step is Step.ENROL:
        context["nav_sections"] = []  # no menu: nothing else is reachable yet
    return render(
        request, "accounts/two_factor_enrol.html", context, status=400 if form.errors else 200
    )


# New recovery codes wait in the session for the one page that shows them.
_FRESH_CODES = "jisheng_fresh_recovery_codes"


def _show_codes_once(request: HttpRequest, codes: list[str], *, next_url: str) -> HttpResponse:
    """Post, then redirect: Back and refresh never resubmit the form that made the codes."""
    request.session[_FRESH_CODES] = {"codes": list(codes), "next_url": next_url}
    return redirect("accounts:two_factor_codes")


@never_cache  # recovery codes: never kept by the browser or a proxy
@require_GET
def two_factor_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes just made, shown once; afterwards the address moves on."""
    fresh = request.session.pop(_FRESH_CODES, None)
    if not fresh:
        return redirect("accounts:two_factor")
    return render(
        request,
        "accounts/two_factor_codes.html",
        {"codes": fresh["codes"], "next_url": fresh["next_url"], "nav_sections": []},
    )


@never_cache  # a secret or recovery codes: never kept by the browser or a proxy
@require_http_methods(["GET", "POST"])
def two_factor_page(request: HttpRequest) -> HttpResponse:
    """The user's own second factor: whether it is set up, and new recovery codes."""
    user = request_user(request)
    if request.method == "POST":
        try:
            codes = two_factor.recovery_codes_renew(actor=Actor.from_request(request))
        except JishengError as exc:
            messages.error(request, str(exc.message))
            return redirect("accounts:two_factor")
        return _show_codes_once(request, codes, next_url=reverse("accounts:two_factor"))
    return render(
        request,
        "accounts/two_factor.html",
        {
            "enrolled": two_factor.confirmed_totp(user) is not None,
            "required": two_factor.requires_second_factor(user),
            "codes_left": two_factor.recovery_codes_left(user),
        },
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    try:
        services.logout_record(actor=Actor.from_request(request))
    finally:
        # Even if the trail cannot be written, the session must end (flushed server-side).
        logout(request)
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(
                actor=Actor.from_request(request),
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except JishengError as exc:
            form.add_error(None, str(exc.message))
        else:
            logout(request)
            messages.success(request, _("Password changed. Please sign in again."))
            return redirect("accounts:login")
    return render(request, "accounts/password_change.html", {"form": form})


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_USERS)
def user_list(request: HttpRequest) -> HttpResponse:
    actor = request_user(request)
    form = UserCreateForm(request.POST or None, units=OrgUnit.objects.visible_to(actor))
    if request.method == "POST" and form.is_valid():
        try:
            services.user_create(actor=Actor.from_request(request), **form.cleaned_data)
        except JishengError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(
                request, _("Account created. The security administrator grants its roles.")
            )
            return redirect("accounts:user_list")
    return render(
        request,
        "accounts/user_list.html",
        {"users": selectors.users_for_admin(actor), "form": form},
    )


@require_POST
@require_capability(Capability.MANAGE_USERS)
def user_toggle_active(request: HttpRequest, user_id: int) -> HttpResponse:
    target = selectors.user_for_admin(request_user(request), user_id)
    services.user_set_active(
        actor=Actor.from_request(request), user=target, active=not target.is_active
    )
    return redirect("accounts:user_list")


@require_http_methods(["GET"])
@require_capability(Capability.MANAGE_ROLES)
def role_list(request: HttpRequest) -> HttpResponse:
    actor = request_user(request)
    return render(
        request,
        "accounts/role_list.html",
        {
            "users": selectors.users_for_admin(actor),
            "form": RoleGrantForm(),
            "roles": Role,
        },
    )


@require_POST
@require_capability(Capability.MANAGE_ROLES)
def role_grant(request: HttpRequest, user_id: int) -> HttpResponse:
    target = selectors.user_for_admin(request_user(request), user_id)
    form = RoleGrantForm(request.POST)
    if not form.is_valid():
        raise JishengError(_("Choose a role."), code="invalid_role")
    try:
        services.role_grant(
            actor=Actor.from_request(request), user=target, role=Role(form.cleaned_data["role"])
        )
    except JishengError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Role granted."))
    return redirect("accounts:role_list")


@require_POST
@require_capability(Capability.MANAGE_ROLES)
def role_revoke(request: HttpRequest, user_id: int, role: str) -> HttpResponse:
    target = selectors.user_for_admin(request_user(request), user_id)
    if role not in Role.values:
        raise JishengError(_("Choose a role."), code="invalid_role")
    try:
        services.role_revoke(actor=Actor.from_request(request), user=target, role=Role(role))
    except JishengError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Role revoked."))
    return redirect("accounts:role_list")


@require_POST
@require_capability(Capability.MANAGE_ROLES)
def second_factor_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    target = selectors.user_for_admin(request_user(request), user_id)
    try:
        two_factor.second_factor_reset(actor=Actor.from_request(request), user=target)
    except JishengError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Second factor reset. The user sets up a new one at the next sign-in.")
        )
    return redirect("accounts:role_list")


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = TokenCreateForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = services.token_create(
            user=user, name=form.cleaned_data["name"], actor=Actor.from_request(request)
        )
        form = TokenCreateForm()
    return render(
        request,
        "accounts/token_list.html",
        {"tokens": selectors.tokens_of(user), "form": form, "new_token": new_token},
    )


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.token_revoke(actor=Actor.from_request(request), token_id=token_id)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:token_list")


@require_http_methods(["GET", "POST"])
@require_capability(Capability.MANAGE_USERS)
def org_units(request: HttpRequest) -> HttpResponse:
    units = OrgUnit.objects.visible_to(request_user(request))
    form = OrgUnitForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            org_unit_create(actor=Actor.from_request(request), **form.cleaned_data)
        except JishengError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Unit added."))
            return redirect("accounts:org_units")
    status = 400 if form.errors else 200
    return render(request, "accounts/org_units.html", {"units": units, "form": form}, status=status)
