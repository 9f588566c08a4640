"""The targets chart on the dashboards: the latest quarter's totals, scoped like the ranking."""

from __future__ import annotations

from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from jisheng.core import modules
from jisheng.core.indicators import Period
from jisheng.targets import selectors, services
from jisheng.targets.charts import scores


def test_the_chart_shows_the_latest_quarter_best_first_and_scoped(
    org, staff, worker, make_book, last_year
) -> None:
    assert scores(staff.user) is None  # nothing assessed yet: no empty chart
    books = [make_book(org.c1), make_book(org.c2)]
    services.assessment_run(actor=staff, book=books[0], period=Period(last_year, 1))
    second = [
        services.assessment_run(actor=staff, book=book, period=Period(last_year, 2))
        for book in books
    ]
    services.assessment_adjust(
        actor=staff,
        assessment=second[1],
        points=Decimal(5),
        reason="加分",
        evidence=SimpleUploadedFile("scan.pdf", b"%PDF-1.4 evidence"),
    )

    street_view = scores(staff.user)
    assert street_view is not None
    ranked = selectors.ranking(staff.user, period=Period(last_year, 2), kind="community")
    assert street_view.categories == [row.assessment.book.party_name for row in ranked]
    assert street_view.categories[0] == str(org.c2)  # the adjusted one leads
    assert street_view.series[0].values == [float(row.assessment.total) for row in ranked]
    assert street_view.links[0].endswith(f"/assessments/{second[1].pk}/")

    own = scores(worker)  # a community worker: only the own community's bar
    assert own is not None
    assert own.categories == [str(org.c1)]
    assert "target_scores" in [chart.key for chart in modules.dashboard_charts()]
