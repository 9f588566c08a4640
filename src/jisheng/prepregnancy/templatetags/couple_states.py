"""How a couple's state is drawn: the colour of its badge."""

from __future__ import annotations

from django import template

from jisheng.prepregnancy.models import CoupleState

register = template.Library()

# Waiting work warns, progress is good, closed files are muted; the others are plain. A
# filter, not an include with a chain of comparisons: the worklist draws one per row (its rows
# are drawn by Jinja2, which has the filter from PrepregnancyConfig.rows_filters).
_BADGE_CLASSES: dict[str, str] = {
    CoupleState.TO_NOTIFY: "badge badge-warn",
    CoupleState.ONE_CHECKED: "badge badge-warn",
    CoupleState.BOTH_CHECKED: "badge badge-ok",
    CoupleState.PREGNANT: "badge badge-ok",
    CoupleState.OUTCOME: "badge badge-ok",
    CoupleState.DECLINED: "badge badge-muted",
    CoupleState.MOVED_OUT: "badge badge-muted",
    CoupleState.ENDED: "badge badge-muted",
}


@register.filter
def state_badge(state: str) -> str:
    """The CSS classes of the badge of a couple's ``state`` (a ``CoupleState`` value)."""
    return _BADGE_CLASSES.get(state, "badge")
