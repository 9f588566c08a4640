"""API of the pre-pregnancy module (/api/prepregnancy/): the same services and scope as the
pages. One router made of the parts below, mounted by ``jisheng.core.api``."""

from ninja import Router

from jisheng.prepregnancy.api import checkups, couples, followups, indicators

router = Router(tags=["prepregnancy"])
router.add_router("", couples.router)
router.add_router("", checkups.router)
router.add_router("", followups.router)
router.add_router("", indicators.router)

__all__ = ["router"]
