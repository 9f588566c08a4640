"""Pages need a fully signed-in user; the API authenticates on its own (tokens or session).

A session that has given its password but not yet its second factor (``two_factor.Step``)
reaches only the sign-in pages: other pages send it back to its step, and the API sees it as
no session at all (401 unless a bearer token is sent).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from jisheng.accounts.two_factor import Step, session_step

OPEN_PREFIXES = ("/static/", "/i18n/", "/favicon")
API_PREFIX = "/api/"
LOGIN_PATH = "/accounts/login/"
# Reachable while half signed in. Exact paths: nothing else under /accounts/ is.
SIGN_IN_PATHS = frozenset(
    {
        LOGIN_PATH,
        "/accounts/logout/",
        "/accounts/two-factor/verify/",
        "/accounts/two-factor/enrol/",
    }
)
STEP_PAGES = {Step.VERIFY: "accounts:two_factor_verify", Step.ENROL: "accounts:two_factor_enrol"}


class LoginRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        if not request.user.is_authenticated:
            if path.startswith(API_PREFIX) or path == LOGIN_PATH:
                return self.get_response(request)
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        step = session_step(request.session)
        if step is Step.DONE or (path in SIGN_IN_PATHS and step is not None):
            return self.get_response(request)
        if path.startswith(API_PREFIX):
            # The page session does not count; a bearer token still may.
            request.user = AnonymousUser()
            return self.get_response(request)
        if step is None:
            # Signed in by a path that never set the step: not trusted, start again.
            logout(request)
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return redirect(STEP_PAGES[step])


# The session's idle expiry moves forward at most this often: a write per request would be
# one more UPDATE on every page for no gain. Sessions may end up to this much early.
SESSION_REFRESH_SECONDS = 60
REFRESHED_KEY = "_refreshed_at"


class SessionRefreshMiddleware:
    """Pushes a signed-in session's idle expiry forward, at most once a minute (instead of
    ``SESSION_SAVE_EVERY_REQUEST`` writing the session row on every request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if session.session_key is not None and not request.path.startswith(OPEN_PREFIXES):
            now = int(time.time())
            refreshed = session.get(REFRESHED_KEY)
            if not isinstance(refreshed, int) or now - refreshed >= SESSION_REFRESH_SECONDS:
                # Modifying the session makes SessionMiddleware save it with a new expiry.
                session[REFRESHED_KEY] = now
        return self.get_response(request)
