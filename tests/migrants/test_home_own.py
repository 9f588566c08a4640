"""The partner's latest reports on the home page are its own list: read on every visit, never
kept with the area's counts (reports/views.py keeps those a minute)."""

from __future__ import annotations

import pytest
from django.test import Client

from jisheng.core.actors import Actor
from jisheng.migrants.services import partners
from support.migrants import tenant

pytestmark = pytest.mark.django_db


def test_a_new_report_shows_on_the_next_visit(landlord, client_for) -> None:
    client: Client = client_for(landlord.account)
    before = client.get("/").content.decode()
    assert 'data-testid="reporting-panel"' in before
    assert "陈志强" not in before

    partners.report_submit(actor=Actor(user=landlord.account), data=tenant(name="陈志强"))

    after = client.get("/").content.decode()
    assert "陈志强" in after
