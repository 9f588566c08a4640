"""A find-eligible snapshot is taken by the task worker: the page queues it once, shows the bar
while it runs, and lists the residents with "data as of" when the worker is done."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from tests.benefits.test_batch_task import run_worker, worker_signals  # noqa: F401 - a fixture

from jisheng.benefits.models import EligibleSnapshot, EligibleSnapshotRow
from jisheng.core.models import TaskProgress
from jisheng.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_page_queues_once_shows_the_bar_and_then_the_list(
    org,
    program,
    make_family,
    make_user,
    client_for,
    worker_signals,  # noqa: F811
) -> None:
    childcare = program("childcare-subsidy")
    today = timezone.localdate()
    babies = [
        make_family(community=unit, children=(("M", today - dt.timedelta(days=90)),))[2][0]
        for unit in (org.c1, org.c2)
    ]
    street = make_user(Role.STREET_STAFF)
    client = client_for(street)
    url = reverse("benefits:find_eligible", args=[childcare.code])
    refresh = reverse("benefits:eligible_refresh", args=[childcare.code])

    first = client.post(refresh, {"as_of": today.isoformat()})
    assert first.status_code == 302
    # A colleague of the same street clicks too while it is queued: nothing more is queued.
    client_for(make_user(Role.STREET_STAFF)).post(refresh, {"as_of": today.isoformat()})
    snapshot = EligibleSnapshot.objects.get()
    assert DBTaskResult.objects.count() == 1
    assert not EligibleSnapshotRow.objects.exists()  # nothing is evaluated in the request
    poll_url = reverse("benefits:eligible_snapshot", args=[snapshot.pk])
    queued = client.get(first["Location"]).content.decode()
    assert f'hx-get="{poll_url}"' in queued
    assert 'data-state="queued"' in queued
    polled = client.get(poll_url, headers={"HX-Request": "true"})
    assert polled.status_code == 200
    assert 'data-state="queued"' in polled.content.decode()

    run_worker()

    snapshot.progress.refresh_from_db()
    assert (snapshot.progress.state, snapshot.progress.percent) == (TaskProgress.State.DONE, 100)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    done = client.get(poll_url, headers={"HX-Request": "true"})
    assert done["HX-Redirect"] == f"{url}?as_of={today.isoformat()}"
    page = client.get(done["HX-Redirect"])
    listed = {person.pk for person in page.context["page"].persons}
    assert listed == {baby.pk for baby in babies}
    assert 'data-testid="snapshot-as-of"' in page.content.decode()
    assert 'data-testid="snapshot-progress"' not in page.content.decode()
