"""The worker's own follow-ups due on the home page are read on every visit, while the
area's count of couples to notify may be kept a minute (reports/views.py)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from jisheng.prepregnancy.services import checkups, pregnancies


def test_own_overdue_counts_are_live(
    worker, client_for, actor, couple, checkup_data, today
) -> None:
    client = client_for(worker)
    home = reverse("reports:home")
    assert 'data-count="overdue">0<' in client.get(home).content.decode()

    checkups.checkup_record(
        actor=actor,
        couple=couple,
        spouse="wife",
        data=checkup_data(date=today - dt.timedelta(days=40), risk_level="high", risk_note="x"),
    )
    pregnancies.pregnancy_report(
        actor=actor, couple=couple, reported_on=today - dt.timedelta(days=100)
    )

    body = client.get(home).content.decode()
    assert 'data-count="overdue">2<' in body
    assert 'data-testid="panels-as-of"' in body  # the panel itself is one that is kept
