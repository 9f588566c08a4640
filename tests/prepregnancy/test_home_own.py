"""The worker's own follow-ups due on the home page are read on every visit, while the
area's count of couples to notify may be kept a minute (reports/views.py)."""

from __future__ import annotations

from django.urls import reverse


def test_own_overdue_counts_are_live(worker, client_for, make_overdue_work) -> None:
    client = client_for(worker)
    home = reverse("reports:home")
    assert 'data-count="overdue">0<' in client.get(home).content.decode()

    make_overdue_work()

    body = client.get(home).content.decode()
    assert 'data-count="overdue">2<' in body
    assert 'data-testid="panels-as-of"' in body  # the panel itself is one that is kept
