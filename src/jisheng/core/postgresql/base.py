"""Django's PostgreSQL backend whose per-request health check costs no query.

Connections are kept between requests (``CONN_MAX_AGE``). Django's ``CONN_HEALTH_CHECKS``
sends ``SELECT 1`` before the first query of every request to notice one the server has
dropped (a restart, an idle timeout, ``pg_terminate_backend``): a round trip and its
cursor on every signed-in page. A dropped connection announces itself without one: the
server sends its farewell (an error message, then end of file) to a connection that is
idle between requests, so the socket turns readable, while a healthy idle connection has
nothing to read. Checking that is one ``select`` with no wait. A connection found readable
is closed and the request opens a new one, as after a failed ``SELECT 1``.

What neither check catches (a server gone without closing its sockets, e.g. its host lost
power) fails that request, as a ``SELECT 1`` answered by a timeout would; Django then drops
the connection at the request's end and the next request connects afresh.
"""

from __future__ import annotations

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    """PostgreSQL, with the kept connection checked locally before a request's first query."""

    health_check_done: bool  # set by Django's base wrapper (not in django-stubs)

    def close_if_health_check_failed(self) -> None:
        """Close the kept connection if the server has dropped it (checked once a request)."""
        if (
            self.connection is None
            or not self.settings_dict["CONN_HEALTH_CHECKS"]
            or self.health_check_done
            or self.pool
        ):
            return
        if not _still_open(self.connection.pgconn):
            self.close()
        self.health_check_done = True


def _still_open(pgconn: pq.abc.PGconn) -> bool:
    """Whether an idle connection is up: open, outside any transaction (one left failed or
    open is replaced, as ``SELECT 1`` would have found), with nothing from the server waiting."""
    if pgconn.status != pq.ConnStatus.OK:
        return False
    if pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return False
    try:
        waiting, _, _ = select.select([pgconn.socket], [], [], 0)
    except (OSError, ValueError, psycopg.Error):
        return False
    return not waiting
