"""The contraceptive pages: every page renders for the roles that use it, forms call the
services, refusals come back onto the form, and a double submission posts once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from jisheng.audit.models import AuditEvent
from jisheng.contraceptives.forms import IssueForm
from jisheng.contraceptives.models import (
    Consultation,
    Lot,
    MaterialHandout,
    MoveKind,
    RosterEntry,
    StockBalance,
    StockCount,
    StockMove,
    StockThreshold,
)
from jisheng.contraceptives.services import moves, stocktake
from jisheng.contraceptives.services.roster import roster_enroll
from jisheng.core.models import IdempotencyKey
from jisheng.core.roles import ROLE_CAPABILITIES, Capability, Role
from jisheng.registry.models import Person


@pytest.fixture
def worker_client(worker, client_for) -> Client:
    return client_for(worker)


@pytest.fixture
def street_client(street_user, client_for) -> Client:
    return client_for(street_user)


@pytest.fixture
def stocked(point, receive, worker_actor, make_person, make_facts, today):
    """A point with a lot, an issue to a resident (on the roster), a loss, a draft count."""
    lot = receive(point, 30, lot_number="P-01").lot
    woman = make_person(name="王春燕", sex="F")
    issue = moves.stock_issue(
        actor=worker_actor, point=point, lot=lot, quantity=2, person=woman, facts=make_facts()
    )[0]
    moves.stock_loss(actor=worker_actor, point=point, lot=lot, quantity=1, facts=make_facts())
    count = stocktake.stock_count_start(actor=worker_actor, point=point, count_date=today)
    return {"lot": lot, "woman": woman, "issue": issue, "count": count}


def request_key(html: str) -> str:
    found = re.search(r'name="request_key" value="([0-9a-f]+)"', html)
    assert found, "the form carries a request key"
    return found.group(1)


def test_every_page_renders_for_the_community_worker(worker_client, point, stocked) -> None:
    entry = RosterEntry.objects.get()
    urls = [
        reverse("contraceptives:index"),
        reverse("contraceptives:point_detail", args=[point.pk]),
        reverse("contraceptives:point_thresholds", args=[point.pk]),
        reverse("contraceptives:product_list"),
        reverse("contraceptives:stock_card", args=[point.pk]),
        reverse("contraceptives:stock_card", args=[point.pk])
        + f"?product={stocked['lot'].product_id}",
        reverse("contraceptives:move_reverse", args=[stocked["issue"].pk]),
        reverse("contraceptives:count_detail", args=[stocked["count"].pk]),
        reverse("contraceptives:roster_list"),
        reverse("contraceptives:roster_new"),
        reverse("contraceptives:roster_detail", args=[entry.pk]),
        reverse("contraceptives:roster_follow_up", args=[entry.pk]),
        reverse("contraceptives:roster_stop", args=[entry.pk]),
        reverse("contraceptives:outreach"),
        reverse("contraceptives:report_issues"),
        reverse("contraceptives:report_stock"),
        reverse("contraceptives:report_expiry"),
        reverse("contraceptives:report_roster"),
        *[
            reverse(f"contraceptives:move_{kind}", args=[point.pk])
            for kind in ("receive", "transfer", "issue", "anonymous", "return", "write_off", "loss")
        ],
    ]
    for url in urls:
        response = worker_client.get(url)
        assert response.status_code == 200, url
        assert "<script>" not in response.content.decode(), url
        assert ' style="' not in response.content.decode(), url


def test_street_pages_render_for_street_staff_and_refuse_workers(
    street_client, worker_client, point
) -> None:
    for name, args in (
        ("contraceptives:point_new", []),
        ("contraceptives:point_edit", [point.pk]),
        ("contraceptives:product_new", []),
    ):
        assert street_client.get(reverse(name, args=args)).status_code == 200
        assert worker_client.get(reverse(name, args=args)).status_code == 403


def test_roles_without_the_stock_duty_are_refused(make_user, client_for, point) -> None:
    leader = client_for(make_user(Role.LEADER))
    assert leader.get(reverse("contraceptives:index")).status_code == 403
    assert leader.get(reverse("contraceptives:roster_list")).status_code == 403
    assert leader.get(reverse("contraceptives:point_detail", args=[point.pk])).status_code == 403


def test_receiving_through_the_form(street_client, store, pill, today) -> None:
    url = reverse("contraceptives:move_receive", args=[store.pk])
    key = request_key(street_client.get(url).content.decode())
    response = street_client.post(
        url,
        {
            "request_key": key,
            "product": pill.pk,
            "lot_number": "B2027",
            "expiry_date": (today + dt.timedelta(days=600)).isoformat(),
            "quantity": "200",
            "document_number": "区配-88",
            "occurred_on": today.isoformat(),
            "reason": "district_supply",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("contraceptives:point_detail", args=[store.pk])
    assert StockBalance.objects.get(point=store).quantity == 200


def test_a_double_submission_posts_once(worker_client, point, stocked, today) -> None:
    url = reverse("contraceptives:move_anonymous", args=[point.pk])
    key = request_key(worker_client.get(url).content.decode())
    data = {
        "request_key": key,
        "lot": stocked["lot"].pk,
        "quantity": "5",
        "reason": "machine_dispensed",
        "occurred_on": today.isoformat(),
    }
    assert worker_client.post(url, data).status_code == 302
    assert worker_client.post(url, data).status_code == 302
    assert StockMove.objects.filter(kind=MoveKind.ANONYMOUS_ISSUE).count() == 1
    assert StockBalance.objects.get(point=point).quantity == 22


def test_issuing_by_id_number_puts_the_person_on_the_roster(
    worker_client, point, receive, make_person, today
) -> None:
    lot = receive(point, 10).lot
    man = make_person(name="王建国", sex="M")
    url = reverse("contraceptives:move_issue", args=[point.pk])
    key = request_key(worker_client.get(url).content.decode())
    response = worker_client.post(
        url,
        {
            "request_key": key,
            "person": man.pk,
            "lot": lot.pk,
            "quantity": "2",
            "reason": "first_supply",
            "occurred_on": today.isoformat(),
        },
    )
    assert response.status_code == 302
    assert RosterEntry.objects.get(person=man).method == "oral"


def test_a_resident_outside_the_area_is_refused_on_the_form(
    worker_client, point, receive, make_person, org, today
) -> None:
    lot = receive(point, 10).lot
    outside = make_person(org.c2, name="赵德胜")
    url = reverse("contraceptives:move_issue", args=[point.pk])
    response = worker_client.post(
        url,
        {
            "request_key": "abc",
            "person": outside.pk,
            "lot": lot.pk,
            "quantity": "2",
            "reason": "user_supply",
            "occurred_on": today.isoformat(),
        },
    )
    assert response.status_code == 400
    assert "赵德胜" not in response.content.decode()
    assert not StockMove.objects.filter(kind=MoveKind.ISSUE).exists()


def test_too_much_is_refused_on_the_form_with_409(worker_client, point, receive, today) -> None:
    lot = receive(point, 3).lot
    response = worker_client.post(
        reverse("contraceptives:move_loss", args=[point.pk]),
        {
            "request_key": "k1",
            "lot": lot.pk,
            "quantity": "4",
            "reason": "lost",
            "occurred_on": today.isoformat(),
        },
    )
    assert response.status_code == 409
    assert "errorlist" in response.content.decode()


def test_garbage_input_is_a_400_not_a_500(worker_client, point, stocked) -> None:
    for name in ("move_loss", "move_transfer", "move_issue", "move_receive"):
        response = worker_client.post(
            reverse(f"contraceptives:{name}", args=[point.pk]),
            {"lot": "x", "quantity": "-1", "occurred_on": "31/31/2026", "product": "999999999999"},
        )
        assert response.status_code == 400, name
    card = reverse("contraceptives:stock_card", args=[point.pk])
    assert worker_client.get(card + "?product=999999999999999999").status_code == 200


def test_reversing_from_the_stock_card(worker_client, point, stocked, today) -> None:
    issue = stocked["issue"]
    card = (
        reverse("contraceptives:stock_card", args=[point.pk]) + f"?product={issue.lot.product_id}"
    )
    html = worker_client.get(card).content.decode()
    assert reverse("contraceptives:move_reverse", args=[issue.pk]) in html
    url = reverse("contraceptives:move_reverse", args=[issue.pk])
    key = request_key(worker_client.get(url).content.decode())
    response = worker_client.post(
        url,
        {
            "request_key": key,
            "reason": "entry_error",
            "note": "发错人",
            "occurred_on": today.isoformat(),
        },
    )
    assert response.status_code == 302
    html = worker_client.get(card).content.decode()
    assert f'data-move="{issue.pk}" data-kind="issue" data-reversed="true"' in html
    assert reverse("contraceptives:move_reverse", args=[issue.pk]) not in html


def test_stock_card_shows_running_balance_masked_names_and_prints(
    worker_client, point, stocked
) -> None:
    card = reverse("contraceptives:stock_card", args=[point.pk])
    html = worker_client.get(card + f"?product={stocked['lot'].product_id}").content.decode()
    balances = re.findall(r'data-testid="running-balance">(\d+)<', html)
    assert balances == ["30", "28", "27"]
    assert 'data-testid="card-balance">27<' in html
    assert "王**" in html
    assert "王春燕" not in html
    assert "data-print" in html
    read = AuditEvent.objects.filter(action="search", object_type="contraceptives.stockmove")
    assert read.get().detail == {
        "point": point.pk,
        "product": stocked["lot"].product_id,
        "persons": 1,
    }


def test_without_the_health_duty_the_card_does_not_name_who_was_supplied(
    monkeypatch, worker_client, point, stocked
) -> None:
    stock_only = ROLE_CAPABILITIES[Role.COMMUNITY_WORKER] - {Capability.VIEW_HEALTH}
    monkeypatch.setitem(ROLE_CAPABILITIES, Role.COMMUNITY_WORKER, stock_only)
    card = reverse("contraceptives:stock_card", args=[point.pk])
    html = worker_client.get(card + f"?product={stocked['lot'].product_id}").content.decode()
    assert 'data-testid="card-balance">27<' in html
    assert "王**" not in html
    assert not AuditEvent.objects.filter(object_type="contraceptives.stockmove", action="search")


def test_a_request_key_reused_for_another_person_is_refused(
    worker_client, point, receive, make_person, today
) -> None:
    lot = receive(point, 10).lot
    first = make_person(name="王建国", sex="M", birth_date=dt.date(1988, 1, 2))
    second = make_person(name="李建军", sex="M", birth_date=dt.date(1989, 3, 4))
    url = reverse("contraceptives:move_issue", args=[point.pk])
    data = {
        "request_key": request_key(worker_client.get(url).content.decode()),
        "lot": lot.pk,
        "quantity": "1",
        "reason": "user_supply",
        "occurred_on": today.isoformat(),
    }
    assert worker_client.post(url, {**data, "person": first.pk}).status_code == 302
    assert worker_client.post(url, {**data, "person": first.pk}).status_code == 302
    clash = worker_client.post(url, {**data, "person": second.pk})
    assert clash.status_code == 409
    assert list(StockMove.objects.filter(kind=MoveKind.ISSUE).values_list("person", flat=True)) == [
        first.pk
    ]
    assert IdempotencyKey.objects.filter(scope="contraceptives.moves").count() == 1
    form = IssueForm({**data, "person": first.pk}, lots=Lot.objects.all())
    form.fields["person"].queryset = Person.objects.all()  # type: ignore[attr-defined]
    assert form.is_valid(), form.errors
    assert first.id_number not in str(form.fingerprint())  # the record id stands for it


BIG = "1" * 25


@pytest.mark.parametrize(
    ("route", "query"),
    [
        ("stock_card", "product={x}"),
        ("stock_card", "product={product}&lot={x}"),
        ("stock_card", "product={product}&year={x}"),
        ("roster_list", "community={x}"),
        ("report_issues", "year={x}"),
        ("report_issues_xlsx", "year={x}"),
        ("outreach", "year={x}"),
    ],
)
@pytest.mark.parametrize("bad", ["²", BIG])
def test_a_malformed_or_overflowing_query_number_is_a_400(
    worker_client, point, stocked, route, query, bad
) -> None:
    args = [point.pk] if route == "stock_card" else []
    url = reverse(f"contraceptives:{route}", args=args)
    url += "?" + query.format(x=bad, product=stocked["lot"].product_id)
    assert worker_client.get(url).status_code == 400, url


def test_stocktake_through_the_pages(worker_client, point, stocked) -> None:
    count: StockCount = stocked["count"]
    line = count.lines.get()
    url = reverse("contraceptives:count_detail", args=[count.pk])
    saved = worker_client.post(
        url, {f"counted_{line.pk}": "25", f"reason_{line.pk}": "", f"note_{line.pk}": ""}
    )
    assert saved.status_code == 302
    html = worker_client.get(url).content.decode()
    assert f'data-line="{line.pk}" data-lot="{line.lot_id}" data-difference="-2"' in html
    refused = worker_client.post(
        reverse("contraceptives:count_post", args=[count.pk]),
        {f"counted_{line.pk}": "25", f"reason_{line.pk}": "", f"note_{line.pk}": ""},
    )
    assert refused.status_code == 400
    posted = worker_client.post(
        reverse("contraceptives:count_post", args=[count.pk]),
        {f"counted_{line.pk}": "25", f"reason_{line.pk}": "lost", f"note_{line.pk}": "找不到"},
    )
    assert posted.status_code == 302
    assert StockBalance.objects.get(point=point).quantity == 25
    assert 'data-testid="count-agrees"' in worker_client.get(url).content.decode()


def test_starting_a_second_count_opens_the_one_in_progress(
    worker_client, point, stocked, today
) -> None:
    response = worker_client.post(
        reverse("contraceptives:count_start", args=[point.pk]), {"count_date": today.isoformat()}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "contraceptives:count_detail", args=[stocked["count"].pk]
    )
    assert StockCount.objects.filter(point=point).count() == 1


def test_thresholds_are_set_per_product(worker_client, point, pill, condom) -> None:
    url = reverse("contraceptives:point_thresholds", args=[point.pk])
    response = worker_client.post(url, {f"product_{pill.pk}": "15", f"product_{condom.pk}": ""})
    assert response.status_code == 302
    assert dict(StockThreshold.objects.values_list("product_id", "minimum")) == {pill.pk: 15}


def test_outreach_is_logged_and_totalled(worker_client, point, today) -> None:
    assert (
        worker_client.post(
            reverse("contraceptives:consultation_new"),
            {
                "point": point.pk,
                "date": today.isoformat(),
                "topic": "choosing_method",
                "people": "12",
            },
        ).status_code
        == 302
    )
    assert (
        worker_client.post(
            reverse("contraceptives:handout_new"),
            {
                "point": point.pk,
                "date": today.isoformat(),
                "material": "避孕知识手册",
                "quantity": "80",
            },
        ).status_code
        == 302
    )
    bad = worker_client.post(reverse("contraceptives:consultation_new"), {"point": point.pk})
    assert bad.status_code == 400
    html = worker_client.get(reverse("contraceptives:outreach")).content.decode()
    assert 'data-count="people">12<' in html
    assert 'data-count="copies">80<' in html
    assert Consultation.objects.get().worker is not None
    assert MaterialHandout.objects.get().quantity == 80


def test_roster_pages_enroll_follow_up_and_stop(worker_client, make_person, today) -> None:
    woman = make_person(name="王海鹰", sex="F")
    response = worker_client.post(
        reverse("contraceptives:roster_new"),
        {
            "person": woman.pk,
            "method": "iud",
            "start_date": today.isoformat(),
            "notes": "无",
        },
    )
    assert response.status_code == 302
    entry = RosterEntry.objects.get(person=woman)
    assert (
        worker_client.post(
            reverse("contraceptives:roster_follow_up", args=[entry.pk]),
            {"date": today.isoformat(), "satisfaction": "satisfied", "switch_to": ""},
        ).status_code
        == 302
    )
    assert (
        worker_client.post(
            reverse("contraceptives:roster_stop", args=[entry.pk]),
            {"stop_date": today.isoformat(), "reason": "wants_pregnancy"},
        ).status_code
        == 302
    )
    entry.refresh_from_db()
    assert entry.stop_reason == "wants_pregnancy"


def test_roster_list_filters_by_method(worker_actor, worker_client, make_person, today) -> None:
    a = roster_enroll(
        actor=worker_actor, person=make_person(sex="F"), method="iud", start_date=today
    )
    b = roster_enroll(
        actor=worker_actor, person=make_person(sex="M"), method="condom", start_date=today
    )
    html = worker_client.get(reverse("contraceptives:roster_list") + "?method=iud").content.decode()
    assert f'data-entry="{a.pk}"' in html
    assert f'data-entry="{b.pk}"' not in html


def test_creating_a_point_and_a_product(street_client, org, worker) -> None:
    assert (
        street_client.post(
            reverse("contraceptives:product_new"),
            {"name": "左炔诺孕酮片", "category": "emergency", "unit": "盒", "pack_size": "1"},
        ).status_code
        == 302
    )
    response = street_client.post(
        reverse("contraceptives:point_new"),
        {"name": "吴林村发放点", "kind": "community", "org_unit": org.c1.pk, "keeper": worker.pk},
    )
    assert response.status_code == 302
    bad = street_client.post(
        reverse("contraceptives:point_new"),
        {"name": "错放的药具库", "kind": "store", "org_unit": org.c1.pk},
    )
    assert bad.status_code == 400


def test_save_back_save_issues_once_and_says_so(
    worker_client, point, receive, make_person, today
) -> None:
    """Back shows the form again with a new request key: the same input is still one issue."""
    lot = receive(point, 10).lot
    woman = make_person(name="王春燕", sex="F")
    url = reverse("contraceptives:move_issue", args=[point.pk])
    data = {
        "person": woman.pk,
        "lot": lot.pk,
        "quantity": "2",
        "reason": "first_supply",
        "occurred_on": today.isoformat(),
    }
    first_key = request_key(worker_client.get(url).content.decode())
    assert worker_client.post(url, {**data, "request_key": first_key}).status_code == 302
    again_key = request_key(worker_client.get(url).content.decode())
    assert again_key != first_key
    again = worker_client.post(url, {**data, "request_key": again_key})
    assert again.status_code == 409
    assert 'data-testid="sent-again"' in again.content.decode()
    assert StockMove.objects.filter(kind=MoveKind.ISSUE).count() == 1
    # Meant on purpose: the page's own button saves it once more.
    on_purpose = worker_client.post(url, {**data, "request_key": again_key, "save_again": "1"})
    assert on_purpose.status_code == 302
    assert StockMove.objects.filter(kind=MoveKind.ISSUE).count() == 2
