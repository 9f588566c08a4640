"""The demo seeds the supervision and case parts: what the walk-through shows is there."""

from __future__ import annotations

import pytest
from django.utils import timezone

from jisheng.accounts.models import User
from jisheng.governance.models import Case, LeadingGroup
from jisheng.governance.selectors import supervision as selectors


@pytest.mark.django_db
def test_the_demo_has_groups_an_overdue_device_review_entries_and_cases(
    demo_instance: None,
) -> None:
    staff = User.objects.get(username="demo_street")
    assert LeadingGroup.objects.count() >= 3  # district, street, a community
    assert selectors.overdue_devices(staff, today=timezone.localdate()).exists()
    reasons = {r for entry in selectors.review_list(staff) for r in entry.reasons}
    assert reasons == {str(selectors.NO_PRESCRIPTION), str(selectors.PREGNANT)}
    assert Case.objects.visible_to(User.objects.get(username="demo_cases")).count() == 2
