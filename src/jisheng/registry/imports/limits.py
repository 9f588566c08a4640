"""The import's sizes and limits, in one place; read at call time, so settings (and tests) can
change them."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from jisheng.registry.imports.files import ImportFileError

CHUNK_ROWS = 5000
# A load this big changes the table enough that the planner needs fresh statistics.
ANALYZE_ROWS = 10_000
# From this many new residents on, likely duplicates are found by one grouping query.
BULK_FLAG_ROWS = 50_000
SQLITE_CACHE_KIB = 256 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "JISHENG_IMPORT_MAX_BYTES", 50 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "JISHENG_IMPORT_MAX_ROWS", 1_000_000))


def inline_rows() -> int:
    """Files with at most this many rows are imported within the request."""
    return int(getattr(settings, "JISHENG_IMPORT_INLINE_ROWS", 1000))


def max_error_rows() -> int:
    """Bad rows kept for the result page and the bad-rows file (the count is not capped)."""
    return int(getattr(settings, "JISHENG_IMPORT_MAX_ERROR_ROWS", 1000))


def parallel_rows() -> int:
    """Files with at least this many rows are checked by several processes at once."""
    return int(getattr(settings, "JISHENG_IMPORT_PARALLEL_ROWS", 20_000))


def too_many_rows(limit: int) -> ImportFileError:
    return ImportFileError(
        _("The file has more than %(limit)s rows: split it into smaller files.") % {"limit": limit},
        code="too_many_rows",
    )
