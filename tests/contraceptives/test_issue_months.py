"""The units handed out per point, product and month are kept with the ledger
(``IssueMonth``): after any mix of moves they equal a count of the moves, which the issues
report and its export read instead of summing every move."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.db.models.functions import ExtractMonth
from django.urls import reverse
from openpyxl import load_workbook

from jisheng.contraceptives.models import IssueMonth, StockMove
from jisheng.contraceptives.models.ledger import ISSUE_KINDS
from jisheng.contraceptives.selectors import reports
from jisheng.contraceptives.services import moves
from jisheng.contraceptives.services.balances import (
    issue_month_cells,
    issue_months_differences,
    issue_months_rebuild,
)


def counted(user, year: int) -> dict[tuple[int, int, int], int]:
    """The issues report's cells summed from the moves, as it did before the kept months."""
    grouped = (
        StockMove.objects.counted_for(user)
        .filter(kind__in=sorted(ISSUE_KINDS), occurred_on__year=year, reversed_by__isnull=True)
        .annotate(month=ExtractMonth("occurred_on"))
        .values_list("point_id", "lot__product_id", "month")
        .annotate(total=Sum("quantity"))
        .order_by()
    )
    return {(p, q, int(m)): -int(t) for p, q, m, t in grouped}


def reported(user, year: int) -> dict[tuple[int, int, int], int]:
    table = reports.issues_by_month(user=user, year=year)
    return {
        (row.point.pk, row.product.pk, month): n
        for row in table.rows
        for month, n in enumerate(row.months, start=1)
        if n
    }


def test_kept_months_equal_the_moves_after_a_random_stream(
    point,
    store,
    receive,
    pill,
    condom,
    worker,
    street_user,
    worker_actor,
    street_actor,
    make_person,
    make_facts,
    today,
) -> None:
    rng = random.Random(16)
    first = dt.date(today.year - 1, 1, 1)
    actors = {point.pk: worker_actor, store.pk: street_actor}
    lots = {
        (place.pk, product.pk): receive(place, 500, product=product, on=first).lot
        for place in (point, store)
        for product in (pill, condom)
    }
    person = make_person(sex="F")
    made: list[StockMove] = []
    reversed_ids: set[int] = set()
    for _ in range(60):
        place = rng.choice([point, store])
        actor = actors[place.pk]
        lot = lots[(place.pk, rng.choice([pill, condom]).pk)]
        on = first + dt.timedelta(days=rng.randrange((today - first).days + 1))
        facts = make_facts(occurred_on=on)
        kind = rng.choice(["issue", "anonymous", "loss", "reverse", "reverse"])
        if kind == "issue":
            made += moves.stock_issue(
                actor=actor,
                point=place,
                lot=lot,
                quantity=rng.randint(1, 3),
                person=person,
                facts=facts,
            )
        elif kind == "anonymous":
            made += moves.stock_issue_anonymous(
                actor=actor, point=place, lot=lot, quantity=rng.randint(1, 3), facts=facts
            )
        elif kind == "loss":
            made += moves.stock_loss(actor=actor, point=place, lot=lot, quantity=1, facts=facts)
        else:
            standing = [m for m in made if m.pk not in reversed_ids]
            if standing:
                wrong = rng.choice(standing)
                reversed_ids.add(wrong.pk)
                # Dated any day: the units leave the issue's own month.
                moves.move_reverse(actor=actors[wrong.point_id], move=wrong, facts=facts)

    assert issue_months_differences() == {}
    assert IssueMonth.objects.filter(quantity=0).exists()  # a month whose issues were all reversed
    for user in (worker, street_user):
        for year in (today.year - 1, today.year):
            assert reported(user, year) == counted(user, year)
    assert reported(worker, today.year).keys() <= {
        key for key in counted(street_user, today.year) if key[0] == point.pk
    }
    kept = issue_month_cells()
    issue_months_rebuild()
    assert issue_month_cells() == kept
    assert issue_months_differences() == {}


def test_the_report_and_its_export_show_the_kept_months(
    point, receive, pill, worker, worker_actor, make_facts, client_for, today
) -> None:
    lot = receive(point, 50).lot
    moves.stock_issue_anonymous(
        actor=worker_actor, point=point, lot=lot, quantity=6, facts=make_facts()
    )
    wrong = moves.stock_issue_anonymous(
        actor=worker_actor, point=point, lot=lot, quantity=9, facts=make_facts()
    )[0]
    moves.move_reverse(actor=worker_actor, move=wrong, facts=make_facts())
    client = client_for(worker)

    page = client.get(reverse("contraceptives:report_issues"), {"year": today.year})
    export = client.get(reverse("contraceptives:report_issues_xlsx"), {"year": today.year})

    assert 'data-testid="row-total">6<' in page.content.decode()
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)] == [6, 6]


def test_the_rollups_check_reports_a_kept_month_that_differs(
    point, receive, worker_actor, make_facts
) -> None:
    """``jisheng rollups check`` checks the figures apps keep with their records too
    (``core.modules.kept_figures``): a month changed behind the ledger's back fails it."""
    lot = receive(point, 50).lot
    moves.stock_issue_anonymous(
        actor=worker_actor, point=point, lot=lot, quantity=4, facts=make_facts()
    )
    call_command("rollups", "rebuild", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rollups", "check", stdout=out)
    assert "kept figures equal the records" in out.getvalue()
    IssueMonth.objects.update(quantity=5)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 figure"):
        call_command("rollups", "check", stdout=out)
    assert "contraceptives" in out.getvalue()
    assert "kept 5, counted 4" in out.getvalue()
