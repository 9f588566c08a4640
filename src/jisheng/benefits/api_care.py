"""API of visits, certifications and annual re-verification (mounted by ``benefits.api``)."""

from ninja import Router

router = Router(tags=["benefits"])
