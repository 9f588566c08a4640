"""Payment batches are built by the task worker: a progress page that lands on the batch,
one build per double click, refusals and failures shown, the same batch as a direct build."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from jisheng.benefits.models import Payment, PaymentBatch, Program
from jisheng.benefits.services import payments
from jisheng.core.actors import Actor
from jisheng.core.models import TaskProgress
from jisheng.core.roles import Role

pytestmark = pytest.mark.django_db(transaction=True)

PERIOD = "2026"


@pytest.fixture
def worker_signals() -> Iterator[None]:
    """The task worker installs its own signal handlers; give pytest its own back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def run_worker() -> None:
    call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)


@pytest.fixture
def street_client(client_for, street) -> Client:
    return client_for(street)


def lines_of(batch: PaymentBatch) -> list[tuple[int, int, int, Decimal]]:
    return sorted(batch.lines.values_list("person_id", "payee_id", "months", "amount"))


def direct_build_lines(street, rural) -> list[tuple[int, int, int, Decimal]]:
    """What a build in the request gives, rolled back so that the task can build it again."""
    with transaction.atomic():
        built = payments.batch_build(actor=Actor(user=street), program=rural, period_key=PERIOD)
        lines = lines_of(built)
        transaction.set_rollback(True)
    return lines


def start_on_page(client: Client, rural: Program) -> str:
    response = client.post(reverse("benefits:batch_new", args=[rural.code]), {"period": PERIOD})
    assert response.status_code == 302, response.content
    return response["Location"]


def test_the_page_builds_in_the_background_and_lands_on_the_batch(
    beneficiaries, rural, street, street_client, worker_signals
) -> None:
    expected = direct_build_lines(street, rural)
    assert len(expected) == 3

    build_url = start_on_page(street_client, rural)
    progress = TaskProgress.objects.get()
    assert build_url == reverse("benefits:batch_build", args=[progress.pk])
    assert not PaymentBatch.objects.exists()  # nothing is built inside the request
    queued = street_client.get(build_url).content.decode()
    assert 'data-state="queued"' in queued
    assert f'hx-get="{build_url}"' in queued  # the page polls itself
    polled = street_client.get(build_url, headers={"HX-Request": "true"})
    assert polled.status_code == 200
    assert 'data-state="queued"' in polled.content.decode()

    run_worker()

    batch = PaymentBatch.objects.get()
    assert lines_of(batch) == expected
    assert batch.build_progress_id == progress.pk
    progress.refresh_from_db()
    assert (progress.state, progress.percent) == (TaskProgress.State.DONE, 100)
    detail = reverse("benefits:batch_detail", args=[batch.pk])
    done = street_client.get(build_url, headers={"HX-Request": "true"})
    assert done["HX-Redirect"] == detail
    assert street_client.get(build_url)["Location"] == detail
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_double_click_queues_one_build(
    beneficiaries, rural, street_client, worker_signals
) -> None:
    first = start_on_page(street_client, rural)
    second = start_on_page(street_client, rural)
    assert first == second
    assert TaskProgress.objects.count() == 1

    run_worker()

    assert PaymentBatch.objects.count() == 1
    assert Payment.objects.filter(program=rural, period=PERIOD).count() == 3


def test_a_start_while_one_is_queued_gets_that_build_for_its_period_only(
    beneficiaries, rural, street, street_client, worker_signals
) -> None:
    start_on_page(street_client, rural)
    api = street_client.post(
        "/api/benefits/batch-builds",
        {"program": rural.code, "period": PERIOD},
        content_type="application/json",
    )
    assert api.status_code == 202
    assert api.json()["progress_id"] == TaskProgress.objects.get().pk
    other = payments.batch_build_start(actor=Actor(user=street), program=rural, period_key="2025")
    assert TaskProgress.objects.count() == 2

    run_worker()

    assert sorted(PaymentBatch.objects.values_list("period", flat=True)) == ["2025", PERIOD]
    other.refresh_from_db()
    assert other.state == TaskProgress.State.DONE


def test_builds_by_two_people_at_once_pay_each_person_once(
    beneficiaries, rural, street_client, make_user, client_for, worker_signals
) -> None:
    first = start_on_page(street_client, rural)
    second = start_on_page(client_for(make_user(Role.STREET_STAFF)), rural)
    assert first != second

    run_worker()

    assert PaymentBatch.objects.count() == 1
    assert Payment.objects.filter(program=rural, period=PERIOD).count() == 3
    states = sorted(TaskProgress.objects.values_list("state", flat=True))
    assert states == [TaskProgress.State.DONE, TaskProgress.State.FAILED]


def test_a_refused_build_shows_why_and_stops_polling(
    beneficiaries, rural, street, street_client, worker_signals
) -> None:
    payments.batch_build(actor=Actor(user=street), program=rural, period_key=PERIOD)
    build_url = start_on_page(street_client, rural)

    run_worker()

    progress = TaskProgress.objects.get()
    assert progress.state == TaskProgress.State.FAILED
    assert PERIOD in progress.message
    page = street_client.get(build_url).content.decode()
    assert 'data-testid="build-error"' in page
    assert progress.message in page
    assert "hx-get" not in page.split('data-testid="batch-build"')[1].split(">")[0]
    polled = street_client.get(build_url, headers={"HX-Request": "true"})
    assert polled.status_code == 286  # htmx stops polling
    assert progress.message in polled.content.decode()
    assert PaymentBatch.objects.count() == 1
    assert DBTaskResult.objects.get().status == "FAILED"


def test_a_build_that_breaks_says_so_and_saves_nothing(
    beneficiaries, rural, street_client, worker_signals
) -> None:
    build_url = start_on_page(street_client, rural)
    # A tier amount that is not a number: the build fails, not on a rule a user can fix.
    Program.objects.filter(pk=rural.pk).update(
        amount_tiers=[{"label": "坏数据", "rule": {}, "amount": "not a number"}]
    )

    run_worker()

    progress = TaskProgress.objects.get()
    assert progress.state == TaskProgress.State.FAILED
    assert progress.message
    assert progress.message in street_client.get(build_url).content.decode()
    assert not PaymentBatch.objects.exists()
    assert not Payment.objects.exists()
    assert DBTaskResult.objects.get().status == "FAILED"


def test_what_the_form_can_fix_is_refused_at_once(beneficiaries, rural, street_client) -> None:
    response = street_client.post(
        reverse("benefits:batch_new", args=[rural.code]), {"period": "2026-13"}
    )
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not TaskProgress.objects.exists()


def test_a_build_is_seen_only_by_whoever_started_it(
    beneficiaries, rural, street_client, make_user, client_for
) -> None:
    build_url = start_on_page(street_client, rural)
    progress_id = TaskProgress.objects.get().pk
    colleague = client_for(make_user(Role.STREET_STAFF))
    assert colleague.get(build_url).status_code == 404
    api = colleague.get(f"/api/benefits/batch-builds/{progress_id}")
    assert api.status_code == 404
    # Someone else's task progress of another kind is no batch build either.
    other = TaskProgress.objects.create(owner=TaskProgress.objects.get().owner, kind="other")
    assert street_client.get(reverse("benefits:batch_build", args=[other.pk])).status_code == 404


def test_the_api_queues_a_build_and_reports_it_until_the_batch_is_there(
    beneficiaries, rural, street, street_client, worker_signals
) -> None:
    expected = direct_build_lines(street, rural)
    body = {"program": rural.code, "period": PERIOD}
    headers = {"Idempotency-Key": "build-2026"}
    first = street_client.post(
        "/api/benefits/batch-builds", body, content_type="application/json", headers=headers
    )
    again = street_client.post(
        "/api/benefits/batch-builds", body, content_type="application/json", headers=headers
    )
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    queued = first.json()
    assert (queued["state"], queued["batch_id"]) == ("queued", None)
    assert street_client.get(queued["status_url"]).json()["state"] == "queued"

    run_worker()

    done = street_client.get(queued["status_url"]).json()
    assert (done["state"], done["percent"]) == ("done", 100)
    assert lines_of(PaymentBatch.objects.get(pk=done["batch_id"])) == expected
    bad = street_client.post(
        "/api/benefits/batch-builds",
        {"program": rural.code, "period": "soon"},
        content_type="application/json",
    )
    assert bad.status_code == 400
