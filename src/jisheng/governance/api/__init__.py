"""Governance API: one router, each area adds its own (``api/<area>.py``)."""

from ninja import Router

from jisheng.governance.api import cases, monitoring, supervision

router = Router(tags=["governance"])
router.add_router("", monitoring.router)
router.add_router("", supervision.router)
router.add_router("", cases.router)
