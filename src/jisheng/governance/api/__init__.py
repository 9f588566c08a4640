"""Governance API: one router, each area adds its own (``api/<area>.py``)."""

from ninja import Router

from jisheng.governance.api import monitoring

router = Router(tags=["governance"])
router.add_router("", monitoring.router)
