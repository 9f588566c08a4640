from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jisheng.accounts import selectors, services
from jisheng.accounts.forms import (
    LoginForm,
    OrgUnitForm,
    PasswordChangeForm,
    RoleGrantForm,
    TokenCreateForm,
    UserCreateForm,
)
from jisheng.accounts.org_units import org_unit_create
from jisheng.core.actors import Actor, client_ip, request_user
from jisheng.core.errors import JishengError
from jisheng.core.models import OrgUnit
from jisheng.core.permissions import require_capability
from jisheng.core.roles import Capability, Role


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_check(
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                ip=client_ip(request),
            )
        except services.LoginRefused as exc:
            error = exc.message
        else:
            login(request, user)
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/"
            return HttpResponseRedirect(target or "/")
    return render(
        request, "accounts/login.html", {"form": form, "error": error}, status=401 if error else 200
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
