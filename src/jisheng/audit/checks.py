"""Startup checks: the retention settings the law and the purge rely on."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

# Cybersecurity Law Art. 21: network logs kept for no less than six months.
AUDIT_MINIMUM_DAYS = 183
RETENTION_KINDS = ("audit", "uploads", "sms", "closed")


def retention_problems(retention: dict[str, int]) -> list[str]:
    """What is wrong with a retention setting (empty: nothing)."""
    problems = [
        f"no retention set for {kind!r}" for kind in RETENTION_KINDS if kind not in retention
    ]
    problems += [
        f"retention for {k!r} must be at least 1 day" for k, v in retention.items() if v < 1
    ]
    if retention.get("audit", AUDIT_MINIMUM_DAYS) < AUDIT_MINIMUM_DAYS:
        problems.append(
            f"audit entries must be kept at least {AUDIT_MINIMUM_DAYS} days (six months, "
            f"Cybersecurity Law Art. 21); JISHENG_RETENTION_DAYS['audit'] is {retention['audit']}"
        )
    return problems


@register()
def check_retention(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return [
        Error(problem, id="audit.E001")
        for problem in retention_problems(settings.JISHENG_RETENTION_DAYS)
    ]
