from ninja import Router

from jisheng.benefits.api_care import router as care_router

router = Router(tags=["benefits"])
router.add_router("", care_router)
