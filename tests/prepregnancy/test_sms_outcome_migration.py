"""The migration that gives text messages their real outcome relabels the old "reached"
ones: with the file backend they were only queued, and the couple was never told."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jisheng.prepregnancy.models import Contact, CoupleState, TargetCouple

BEFORE = [("prepregnancy", "0005_drop_plain_reproductive_data")]
AFTER = [("prepregnancy", "0006_contact_outcome_of_text_messages")]


@pytest.fixture
def back_and_forth(transactional_db: None) -> Iterator[None]:
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("prepregnancy"))


def test_old_text_messages_become_queued_and_their_couple_is_to_notify_again(
    back_and_forth, couple, worker, today, settings
) -> None:
    settings.JISHENG_SMS_BACKEND = "jisheng.prepregnancy.sms.FileBackend"
    contact = Contact.objects.create(
        couple=couple, method="sms", outcome="sms_queued", date=today, worker=worker
    )
    MigrationExecutor(connection).migrate(BEFORE)  # as the old code logged it: "reached"
    assert Contact.objects.get(pk=contact.pk).outcome == "reached"
    TargetCouple.objects.filter(pk=couple.pk).update(state=CoupleState.NOTIFIED)

    MigrationExecutor(connection).migrate(AFTER)

    assert Contact.objects.get(pk=contact.pk).outcome == "sms_queued"
    # Only the state: columns added by later migrations are not there at this one.
    state = TargetCouple.objects.values_list("state", flat=True).get(pk=couple.pk)
    assert state == CoupleState.TO_NOTIFY
