"""What the worklists' rows say besides their columns: which spouses are examined and the one
still to come, a closed file's earlier checkup, the overdue mark, each task's action (record a
follow-up, complete a referral), a completed referral's date, and each list's text when nothing
is in it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from jisheng.core.roles import Role
from jisheng.prepregnancy.models import FollowUp, Referral, TargetCouple
from jisheng.prepregnancy.selectors import couples as couple_selectors
from jisheng.prepregnancy.selectors import worklists
from jisheng.prepregnancy.services import checkups, couples
from jisheng.registry.services import events

pytestmark = pytest.mark.django_db
ENGLISH = {"accept-language": "en"}


@pytest.fixture
def client(worker, client_for) -> Client:
    return client_for(worker)


def _page(client: Client, name: str, query: dict[str, str] | None = None) -> str:
    response = client.get(reverse(f"prepregnancy:{name}"), query or {}, headers=ENGLISH)
    assert response.status_code == 200
    return response.content.decode()


def _row(html: str, mark: str, pk: int) -> str:
    return html.split(f'{mark}="{pk}"')[1].split("</tr>")[0]


def test_a_couple_with_one_spouse_examined_says_who_is_still_to_come(
    client, actor, couple, checkup_data
) -> None:
    checkups.checkup_record(actor=actor, couple=couple, spouse="wife", data=checkup_data())
    row = _row(_page(client, "couple_list"), "data-couple", couple.pk)
    assert '<span class="badge badge-warn" data-state="one_checked">' in row
    assert "Wife ✓" in row
    assert "Husband ✓" not in row
    assert '<div class="muted" data-testid="prompt">Husband not yet examined</div>' in row

    nothing = _page(client, "couple_list", {"state": "moved_out"})
    assert "No couples match. Update from the registry" in nothing
    assert "data-couple=" not in nothing


def test_couple_rows_name_each_spouse_examined_and_a_closed_file_s_checkup(
    client, actor, street_actor, marry, couple_of, checkup_data, today
) -> None:
    husband_only, both, ended = (couple_of(marry()) for _ in range(3))
    checkups.checkup_record(actor=actor, couple=husband_only, spouse="husband", data=checkup_data())
    for spouse in ("wife", "husband"):
        checkups.checkup_record(actor=actor, couple=both, spouse=spouse, data=checkup_data())
    checkups.checkup_record(actor=actor, couple=ended, spouse="husband", data=checkup_data())
    marriage = TargetCouple.objects.get(pk=ended.pk).marriage
    assert marriage is not None
    events.divorce_record(actor=street_actor, marriage=marriage, date=today)
    couples.target_couples_refresh(actor=actor)
    page = _page(client, "couple_list")

    row = _row(page, "data-couple", husband_only.pk)
    assert "Husband ✓" in row
    assert "Wife ✓" not in row
    assert '<div class="muted" data-testid="prompt">Wife not yet examined</div>' in row

    row = _row(page, "data-couple", both.pk)
    assert 'data-state="both_checked">Both checked</span>' in row
    assert "Wife ✓ · Husband ✓" in row
    assert 'data-testid="prompt"' not in row

    row = _row(page, "data-couple", ended.pk)
    assert 'data-state="ended">Marriage ended</span>' in row
    assert '<div class="muted" data-testid="checked-before-closing">' in row


def test_couple_rows_read_by_id_stay_in_the_readers_area(
    org, make_user, marry, couple_of, worker, street_actor
) -> None:
    """The page's ids come from a list scoped to the user, but the rows' read is scoped too:
    ids from elsewhere (a hand-made call) give no rows; the rows come in the order asked."""
    mine = [couple_of(marry()), couple_of(marry())]
    other = marry(community=org.c2)
    couples.target_couples_refresh(actor=street_actor)  # the worker's refresh is of c1 only
    theirs = TargetCouple.objects.get(wife=other.wife)
    ids = [mine[1].pk, theirs.pk, mine[0].pk]
    assert [row.pk for row in couple_selectors.couple_rows(user=worker, ids=ids)] == [
        mine[1].pk,
        mine[0].pk,
    ]
    elsewhere = make_user(Role.COMMUNITY_WORKER, org.c2)
    assert [row.pk for row in couple_selectors.couple_rows(user=elsewhere, ids=ids)] == [theirs.pk]
    with translation.override("zh-hans"):
        row = couple_selectors.couple_rows(user=worker, ids=[mine[0].pk])[0]
        couple = TargetCouple.objects.select_related("wife", "husband", "community").get(
            pk=mine[0].pk
        )
        assert row.source_label == couple.get_source_display()
        assert row.state_label == couple.get_state_display()
        assert (row.wife_name, row.husband_name, row.community_name) == (
            couple.wife.name,
            couple.husband.name,
            couple.community.name,
        )


def test_overdue_tasks_are_marked_with_their_action(client, make_overdue_work, today) -> None:
    assert "Nothing here." in _page(client, "followup_list")
    make_overdue_work()
    referral = Referral.objects.get()
    followups = list(FollowUp.objects.order_by("due_date"))
    overdue_mark = '<span class="badge badge-warn">overdue</span>'

    referrals = _page(client, "overdue").split('data-testid="overdue-referrals"')[1]
    task = _row(referrals, "data-task", referral.pk)
    assert task.startswith(' data-kind="referral">')
    assert "<td>Referral</td>" in task
    assert overdue_mark in task
    complete = reverse("prepregnancy:referral_complete", args=[referral.pk])
    assert f'<a class="btn btn-small" href="{complete}">Complete</a>' in task

    listed = _page(client, "followup_list")
    for followup in followups:
        task = _row(listed, "data-task", followup.pk)
        assert task.startswith(f' data-kind="{followup.kind}">')
        assert f"<td>{followup.get_kind_display()}</td>" in task
        assert (overdue_mark in task) == (followup.due_date < today)
        record = reverse("prepregnancy:followup_record", args=[followup.pk])
        assert f'<a class="btn btn-small" href="{record}">Record</a>' in task
    assert any(f.due_date < today for f in followups)


def test_a_completed_referral_shows_its_date_and_no_action(
    client, actor, couple, checkup_data, today
) -> None:
    assert "No referrals." in _page(client, "referral_list")
    checkups.checkup_record(
        actor=actor,
        couple=couple,
        spouse="wife",
        data=checkup_data(risk_level="high", risk_note="x"),
    )
    referral = Referral.objects.get()
    complete = reverse("prepregnancy:referral_complete", args=[referral.pk])
    open_row = _row(_page(client, "referral_list"), "data-referral", referral.pk)
    assert f'href="{complete}">Complete</a>' in open_row

    done = client.post(complete, {"completed_on": today.isoformat(), "result": "已转诊至市妇幼"})
    assert done.status_code == 302
    assert "No referrals." in _page(client, "referral_list")  # open ones only, by default
    done_row = _row(_page(client, "referral_list", {"state": "done"}), "data-referral", referral.pk)
    referral.refresh_from_db()
    assert f"<td>{referral.get_state_display()} {today.isoformat()}</td>" in done_row
    assert "Complete</a>" not in done_row


def test_rows_read_by_id_stay_in_the_readers_area(
    org, make_user, make_overdue_work, worker
) -> None:
    """The page's ids come from a list scoped to the user, but the rows' read is scoped too:
    ids from elsewhere (a hand-made call) give no rows."""
    make_overdue_work()  # on a couple of the first community, the worker's
    followup_ids = list(FollowUp.objects.values_list("pk", flat=True))
    referral_ids = list(Referral.objects.values_list("pk", flat=True))
    mine = worklists.followup_rows(user=worker, ids=followup_ids)
    assert [row.pk for row in mine] == followup_ids  # in the order asked
    assert {row.wife_name for row in mine} == {FollowUp.objects.first().couple.wife.name}
    elsewhere = make_user(Role.COMMUNITY_WORKER, org.c2)
    assert worklists.followup_rows(user=elsewhere, ids=followup_ids) == []
    assert worklists.referral_rows(user=elsewhere, ids=referral_ids) == []
    with translation.override("zh-hans"):
        row = worklists.referral_rows(user=worker, ids=referral_ids)[0]
        referral = Referral.objects.get()
        assert row.spouse_label == referral.checkup.get_spouse_display()
        assert row.state_label == referral.get_state_display()
        assert row.assignee_name == str(referral.assignee)
