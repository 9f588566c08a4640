"""The database session store, reading the session row with SQL compiled once (core.prepared):
every signed-in request reads it before anything else."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from jisheng.core.prepared import Prepared

_SESSION = Prepared(Session.objects.all, "session_key", "expire_date__gt")


class SessionStore(db.SessionStore):
    """Django's database sessions; only the read of the row is compiled once."""

    def _get_session_from_db(self) -> Any:
        # As Django's: an unknown or expired key leaves a session without a key.
        session = _SESSION.first(self.session_key, timezone.now())
        if session is None:
            self._session_key = None
        return session
