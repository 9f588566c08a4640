"""The kept PostgreSQL connection is checked before a request's first query without a round
trip (core/postgresql): one the server dropped is replaced, a healthy one is kept."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection

from jisheng.core.postgresql.base import _still_open

# Collected only on PostgreSQL (tests/core/conftest.py): the backend under test serves no other.
pytestmark = pytest.mark.django_db(transaction=True)


def test_a_connection_the_server_dropped_is_seen_without_a_query() -> None:
    params = connection.get_connection_params()
    with psycopg.connect(**params) as kept:
        assert _still_open(kept.pgconn)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [kept.info.backend_pid])
        deadline = time.monotonic() + 5
        while _still_open(kept.pgconn) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _still_open(kept.pgconn)


def test_a_request_after_the_drop_reconnects_and_reads() -> None:
    connection.ensure_connection()
    dropped = connection.connection
    with psycopg.connect(**connection.get_connection_params()) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [dropped.info.backend_pid])
    time.sleep(0.2)
    # What a request's first query does on a kept connection (Django's request_started
    # resets health_check_done; ensure_connection then runs the check).
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    assert connection.connection is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert connection.connection is not dropped


def test_a_healthy_connection_is_kept() -> None:
    connection.ensure_connection()
    kept = connection.connection
    connection.health_check_done = False
    connection.close_if_health_check_failed()
    assert connection.connection is kept


def test_a_connection_left_in_a_failed_transaction_is_not_kept() -> None:
    params = connection.get_connection_params()
    with psycopg.connect(**params) as kept:
        kept.execute("BEGIN")
        with pytest.raises(psycopg.errors.DivisionByZero):
            kept.execute("SELECT 1 / 0")
        assert not _still_open(kept.pgconn)
        kept.rollback()
        assert _still_open(kept.pgconn)
