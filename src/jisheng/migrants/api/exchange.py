"""The peer endpoints: other deployments post signed messages here.

Authenticated by the message signature (``services.receive``), not by a session or token:
the router has no auth, and every refusal is a 4xx JSON ``{code, message}``, logged and
audited. ``ping`` answers without touching the database: the bare round trip the benchmark
compares with.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from jisheng.migrants.exchange import services

router = Router(tags=["exchange"])


class Received(Schema):
    status: str


class Pong(Schema):
    region: str


@router.post("/peer/messages", auth=None, response=Received)
def peer_message(request: HttpRequest) -> Received:
    headers = dict(request.headers.items())
    return Received(status=services.receive(data=request.body, headers=headers))


@router.get("/peer/ping", auth=None, response=Pong)
def peer_ping(request: HttpRequest) -> Pong:
    return Pong(region=services.own_region())
