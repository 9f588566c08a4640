"""Reads of the exchange: worklists, overdue lists and the two-way assessment per peer."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.core.errors import NotFound
from jisheng.core.indicators import Period, percent
from jisheng.migrants.models import Direction, Notice, Peer, Query


def notices(
    user: User, *, direction: str, open_only: bool = False, overdue: bool = False
) -> QuerySet[Notice]:
    """Notices of one direction in the user's scope, newest first; ``overdue``: unanswered
    past their due day."""
    found = Notice.objects.visible_to(user).filter(direction=direction)
    if open_only or overdue:
        found = found.filter(feedback_on__isnull=True)
    if overdue:
        found = found.filter(due_on__lt=timezone.localdate())
    return found.select_related("peer", "community").order_by("-notified_on", "-pk")


def notice_detail(user: User, notice_id: int) -> Notice:
    notice = (
        Notice.objects.visible_to(user)
        .select_related("peer", "community")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None:
        raise NotFound()
    return notice


def queries(user: User) -> QuerySet[Query]:
    return Query.objects.visible_to(user).select_related("peer").order_by("-asked_at", "-pk")


def query_detail(user: User, query_id: int) -> Query:
    query = Query.objects.visible_to(user).select_related("peer").filter(pk=query_id).first()
    if query is None:
        raise NotFound()
    return query


def peers(user: User) -> QuerySet[Peer]:
    return Peer.objects.visible_to(user).order_by("region_code")


@dataclass(frozen=True)
class Side:
    """One direction of the exchange with one peer over a period."""

    notices: int
    answered: int
    on_time: int
    overdue: int
    median_days: float | None

    @property
    def feedback_rate(self) -> Decimal | None:
        return percent(self.answered, self.notices)

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.on_time, self.notices)


@dataclass(frozen=True)
class PeerFigures:
    peer: Peer
    sent: Side  # our notices: how the peer answered them
    received: Side  # their notices: how we answered them


Row = tuple[dt.date, dt.date, dt.date | None]  # notified on, due on, feedback on


def _side(rows: list[Row]) -> Side:
    today = timezone.localdate()
    days = [(feedback - sent).days for sent, _due, feedback in rows if feedback is not None]
    return Side(
        notices=len(rows),
        answered=len(days),
        on_time=sum(1 for _s, due, feedback in rows if feedback is not None and feedback <= due),
        overdue=sum(1 for _s, due, feedback in rows if feedback is None and due < today),
        median_days=statistics.median(days) if days else None,
    )


def assessment(user: User, period: Period) -> list[PeerFigures]:
    """Per peer: notices sent and received in the period, feedback rate, on-time rate and
    median answer time (calendar days), both ways, over the notices the user may see."""
    rows: dict[tuple[int, str], list[Row]] = {}
    found = (
        Notice.objects.visible_to(user)
        .filter(notified_on__gte=period.start, notified_on__lte=period.end)
        .values_list("peer_id", "direction", "notified_on", "due_on", "feedback_on")
    )
    for peer_id, direction, notified_on, due_on, feedback_on in found:
        rows.setdefault((peer_id, direction), []).append((notified_on, due_on, feedback_on))
    return [
        PeerFigures(
            peer=peer,
            sent=_side(rows.get((peer.pk, Direction.SENT), [])),
            received=_side(rows.get((peer.pk, Direction.RECEIVED), [])),
        )
        for peer in Peer.objects.order_by("region_code")
    ]
