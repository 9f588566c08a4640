"""The floating-population API (``/api/migrants/``): one router, a module per area.

Records and partner reports here (``records``); the exchange adds its own module."""

from ninja import Router

from jisheng.migrants.api import records

router = Router(tags=["migrants"])
router.add_router("", records.router)
