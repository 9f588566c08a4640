"""An adjustment's evidence: downloaded from the assessment page by who may read the
assessment, each read audited; another community gets 404 and leaves no read behind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from jisheng.audit.models import AuditEvent
from jisheng.core.indicators import Period
from jisheng.core.roles import Role
from jisheng.targets import services
from jisheng.targets.models import Adjustment


@pytest.fixture
def adjustment(org, staff, make_book, last_year, pdf) -> Adjustment:
    assessment = services.assessment_run(
        actor=staff, book=make_book(org.c1), period=Period(last_year, 1)
    )
    return services.assessment_adjust(
        actor=staff, assessment=assessment, points=Decimal(3), reason="加分", evidence=pdf()
    )


def evidence_reads(user) -> int:
    return AuditEvent.objects.filter(
        user_id=user.pk, action="view", object_type__endswith="adjustment", detail__evidence=True
    ).count()


def test_the_assessment_page_links_the_evidence_and_the_download_is_audited(
    adjustment, staff, client_for
) -> None:
    client = client_for(staff.user)
    url = reverse("targets:adjustment_evidence", args=[adjustment.pk])
    page = client.get(reverse("targets:assessment_detail", args=[adjustment.assessment_id]))
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    assert evidence_reads(staff.user) == 1


def test_the_own_community_reads_it_and_another_community_gets_404(
    adjustment, worker, make_user, org, client_for
) -> None:
    url = reverse("targets:adjustment_evidence", args=[adjustment.pk])
    assert client_for(worker).get(url).status_code == 200
    assert evidence_reads(worker) == 1
    other = make_user(Role.COMMUNITY_WORKER, org.c2)
    assert client_for(other).get(url).status_code == 404
    assert evidence_reads(other) == 0
    partner = make_user(Role.PARTNER_REPORTER)
    assert client_for(partner).get(url).status_code == 403
    assert evidence_reads(partner) == 0
