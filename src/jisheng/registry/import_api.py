"""API of resident imports."""

from ninja import Router

router = Router(tags=["registry"])
