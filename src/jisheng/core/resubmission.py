"""Pages that write are safe against the same form sent again: a double click, a refresh of
the POST, or Back and Save with a freshly shown form.

A form's own idempotency key (``core.idempotency.run_once``) cannot catch the last one: Back
shows the form again with a new key. So a guarded page is keyed by what was sent — the
view and its input, without the CSRF token and the per-showing ``request_key``: one
``IdempotencyKey`` row per user and content, inserted (and committed) before the view runs.
A second copy that arrives while the first runs waits for it and follows it to the same
page; one that arrives after the first was saved gets a page saying so, with the record's
link and a button to save it once more on purpose. A refused or failed write leaves no row.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from jisheng.core.actors import request_user
from jisheng.core.idempotency import fingerprint
from jisheng.core.models import IdempotencyKey

if TYPE_CHECKING:
    from jisheng.accounts.models import User

View = Callable[..., HttpResponse]

# Input that differs between two showings of the same form, so it is left out of the content.
NOT_CONTENT = ("csrfmiddlewaretoken", "request_key", "save_again")
SAVE_AGAIN = "save_again"
# A copy sent within this time of the first is taken for the same form sent again.
WINDOW = dt.timedelta(minutes=30)
# A first copy still unanswered after this long died with its process: its row is stale.
IN_PROGRESS = dt.timedelta(seconds=60)
WAIT_SECONDS = 15.0
SCOPE_PREFIX = "page:"


def sent_content(request: HttpRequest, view_name: str) -> str:
    """SHA-256 of the view, the record its address names and its input (files by name, size
    and content digest).

    The path counts: a button that sends nothing but its CSRF token (approve, remove, confirm)
    names its record in the address, and pressing it on a second record is no resend."""
    files = {
        name: [
            (upload.name, upload.size, _file_digest(upload))
            for upload in request.FILES.getlist(name)
        ]
        for name in request.FILES
    }
    posted = {name: request.POST.getlist(name) for name in request.POST if name not in NOT_CONTENT}
    return fingerprint({"view": view_name, "path": request.path, "post": posted, "files": files})


def _file_digest(upload: object) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():  # type: ignore[attr-defined]
        digest.update(chunk)
    upload.seek(0)  # type: ignore[attr-defined]
    return digest.hexdigest()


def submit_once(view: View) -> View:
    """Guard a page that writes: the same form sent again never writes twice (see module)."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.method != "POST" or request.headers.get("HX-Request"):
            return view(request, *args, **kwargs)
        user = request_user(request)
        view_name = request.resolver_match.view_name if request.resolver_match else view.__name__
        scope = (SCOPE_PREFIX + view_name)[:50]
        key = sent_content(request, view_name)
        if request.POST.get(SAVE_AGAIN):
            # Saved once more on purpose: the earlier copy no longer counts.
            IdempotencyKey.objects.filter(
                user=user, scope=scope, key=key, answer__isnull=False
            ).delete()
        row, state = _claim(user, scope, key)
        answer: dict[str, str] = row.answer or {}
        shown = request.POST.get("request_key", "")
        if state == "followed" or (
            state == "saved" and shown and answer.get("request_key") == shown
        ):
            # A double click, or a refresh of the same showing of the form: the first copy
            # did the work; go where it went.
            return redirect(answer["location"])
        if state == "saved":
            return _sent_again(request, row)
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            row.delete()
            raise
        if response.status_code in {301, 302, 303} and response.has_header("Location"):
            row.answer = {
                "location": response["Location"],
                "request_key": request.POST.get("request_key", ""),
            }
            row.save(update_fields=["answer"])
        else:
            row.delete()  # the form again with a message, or a refusal: nothing was written
        return response

    return guarded


def _claim(user: User, scope: str, key: str) -> tuple[IdempotencyKey, str]:
    """``(our new row, "ours")``; or the earlier answered row, ``"followed"`` when we waited
    for it to finish (a double click), ``"saved"`` when it was done before we came."""
    waited = False
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    user=user, scope=scope, key=key, fingerprint=key, answer=None
                )
            return row, "ours"
        except IntegrityError:
            earlier = IdempotencyKey.objects.filter(user=user, scope=scope, key=key).first()
        if earlier is None:
            continue  # the first copy failed and went away meanwhile: ours runs
        age = timezone.now() - earlier.created_at
        if earlier.answer is not None and age <= WINDOW:
            return earlier, "followed" if waited else "saved"
        if (earlier.answer is None and age > IN_PROGRESS) or earlier.answer is not None:
            earlier.delete()  # stale, or long enough ago to be a new decision
            continue
        if time.monotonic() > deadline:
            earlier.delete()
            continue
        waited = True
        time.sleep(0.1)


def _sent_again(request: HttpRequest, earlier: IdempotencyKey) -> HttpResponse:
    """The form arrived again after it was saved: say so; offer the record and a resend."""
    fields = [
        (name, value)
        for name in request.POST
        if name not in {"csrfmiddlewaretoken", SAVE_AGAIN}
        for value in request.POST.getlist(name)
    ]
    return render(
        request,
        "core/sent_again.html",
        {
            "saved_at": timezone.localtime(earlier.created_at),
            "record_url": (earlier.answer or {}).get("location", "/"),
            "fields": fields,
            "has_files": bool(request.FILES),
        },
        status=409,
    )
