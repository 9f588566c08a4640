"""Fixtures and collection rules of the core tests."""

from __future__ import annotations

from django.db import connection

# The PostgreSQL backend's connection check (core/postgresql) has nothing to run on SQLite: its
# tests are not collected there rather than skipped (the PostgreSQL run runs them).
collect_ignore = [] if connection.vendor == "postgresql" else ["test_pg_health_check.py"]
