"""Demo seeding: last year's signed and assessed books, this year's copies except one left
to show copying, monthly joint meetings, an overdue task; seeded once."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from jisheng.core.models import OrgUnit
from jisheng.targets.demo import demo_seed
from jisheng.targets.models import ActionItem, Assessment, BookState, Meeting, TargetBook


@pytest.mark.django_db
def test_demo_seeds_books_to_copy_and_seeds_once(demo_instance: None) -> None:
    today = timezone.localdate()
    street = OrgUnit.objects.get(code=TargetBook.objects.first().street.code)
    communities = OrgUnit.objects.filter(parent=street, kind__in=["community", "village"]).count()
    last_year = TargetBook.objects.filter(year=today.year - 1)
    assert last_year.count() == communities
    assert all(book.state == BookState.SIGNED for book in last_year)
    approved = Assessment.objects.filter(year=today.year - 1, state="approved")
    assert approved.count() == 4 * communities
    # The first community has no book this year: the demo of copying last year's.
    assert TargetBook.objects.filter(year=today.year).count() == communities - 1
    assert Meeting.objects.filter(kind="joint").exists()
    assert ActionItem.objects.exists()
    before = TargetBook.objects.count()
    demo_seed(street=street, today=today, rng=random.Random(1))
    assert TargetBook.objects.count() == before
