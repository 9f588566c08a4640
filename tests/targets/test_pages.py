"""Pages: every targets page renders for who may see it; refused input comes back on the
form with what was typed; meetings and tasks; the owner's overdue task on the home page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from jisheng.core.errors import JishengError
from jisheng.core.indicators import Period
from jisheng.core.roles import Role
from jisheng.targets import selectors, services
from jisheng.targets.models import ActionItem, BookLine, Meeting, MeetingKind, TargetBook


def test_every_page_renders_for_street_staff(
    org, staff, make_book, client_for, last_year, pdf
) -> None:
    book = make_book(org.c1)
    assessment = services.assessment_run(actor=staff, book=book, period=Period(last_year, 1))
    services.assessment_adjust(
        actor=staff, assessment=assessment, points=Decimal(2), reason="加分", evidence=pdf()
    )
    meeting = services.meeting_create(
        actor=staff, kind=MeetingKind.JOINT, date=dt.date(last_year, 1, 5), title="一月联席会"
    )
    line = assessment.lines.first()
    client = client_for(staff.user)
    urls = [
        reverse("targets:overview"),
        reverse("targets:overview") + f"?year={last_year}&quarter=1&kind=community",
        reverse("targets:book_list"),
        reverse("targets:book_new"),
        reverse("targets:book_detail", args=[book.pk]),
        reverse("targets:book_print", args=[book.pk]),
        reverse("targets:book_copy", args=[book.pk]),
        reverse("targets:assessment_run", args=[book.pk]),
        reverse("targets:assessment_detail", args=[assessment.pk]),
        reverse("targets:assessment_line_records", args=[assessment.pk, line.pk]),
        reverse("targets:assessment_adjust", args=[assessment.pk]),
        reverse("targets:assessment_veto", args=[assessment.pk]),
        reverse("targets:staff", args=[staff.user.pk]),
        reverse("targets:meeting_list"),
        reverse("targets:meeting_new"),
        reverse("targets:meeting_detail", args=[meeting.pk]),
        reverse("targets:action_item_new", args=[meeting.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_a_bad_period_is_a_400_not_a_500(org, staff, client_for) -> None:
    client = client_for(staff.user)
    assert client.get(reverse("targets:overview"), {"quarter": "9"}).status_code == 400
    assert client.get(reverse("targets:overview"), {"year": "x"}).status_code == 400
    assert client.get(reverse("targets:overview"), {"kind": "nobody"}).status_code == 400


def test_drafting_a_book_and_a_line_through_the_pages(org, staff, client_for, last_year) -> None:
    client = client_for(staff.user)
    response = client.post(
        reverse("targets:book_new"),
        {"year": last_year, "kind": "community", "community": org.c1.pk},
    )
    book = TargetBook.objects.get(year=last_year, community=org.c1)
    assert response.status_code == 302
    url = reverse("targets:book_line", args=[book.pk])
    client.post(
        url,
        {
            "indicator": "targets.joint_meetings_monthly",
            "target": "100",
            "floor": "0",
            "scoring": "linear",
            "weight": "70",
        },
    )
    # Over 100 in all: refused, the form shown again with the input kept.
    refused = client.post(
        url,
        {
            "indicator": "benefits.decided_in_time",
            "target": "95",
            "floor": "70",
            "scoring": "linear",
            "weight": "31",
        },
    )
    assert refused.status_code == 400
    assert refused.context["form"]["weight"].value() == "31"
    assert BookLine.objects.filter(book=book).count() == 1
    # Signing with 70 in all: refused, kept.
    signing = client.post(
        reverse("targets:book_sign", args=[book.pk]),
        {"party_signatory": "社居书记", "signed_on": f"{last_year}-01-20"},
    )
    assert signing.status_code == 400
    assert signing.context["form"]["party_signatory"].value() == "社居书记"


def test_an_adjustment_page_refuses_a_fake_file_and_keeps_the_reason(
    org, staff, make_book, client_for, last_year
) -> None:
    assessment = services.assessment_run(
        actor=staff, book=make_book(org.c1), period=Period(last_year, 1)
    )
    response = client_for(staff.user).post(
        reverse("targets:assessment_adjust", args=[assessment.pk]),
        {
            "points": "3",
            "reason": "补录",
            "evidence": SimpleUploadedFile("x.pdf", b"plain text", content_type="application/pdf"),
        },
    )
    assert response.status_code == 400
    assert response.context["form"]["reason"].value() == "补录"
    assert not assessment.adjustments.exists()


def test_approving_through_the_page_twice_keeps_one_approval(
    org, staff, leader, make_book, client_for, last_year
) -> None:
    assessment = services.assessment_run(
        actor=staff, book=make_book(org.c1), period=Period(last_year, 1)
    )
    client = client_for(leader.user)
    url = reverse("targets:assessment_approve", args=[assessment.pk])
    assert client.post(url).status_code == 302
    second = client.post(url)
    assert second.status_code in (200, 302, 409)
    assessment.refresh_from_db()
    assert assessment.is_approved
    assert assessment.approved_by == leader.user


def test_meeting_with_a_task_that_shows_on_the_owners_home_when_overdue(
    org, staff, worker, client_for
) -> None:
    today = timezone.localdate()
    client = client_for(staff.user)
    client.post(
        reverse("targets:meeting_new"),
        {
            "kind": "joint",
            "date": (today - dt.timedelta(days=10)).isoformat(),
            "title": "党政联席会",
            "chair": staff.user.pk,
            "attendees": [staff.user.pk, worker.pk],
            "topics": "孕前优生检查进度",
            "decisions": "月底前完成随访",
        },
    )
    meeting = Meeting.objects.get(title="党政联席会")
    assert set(meeting.attendees.all()) == {staff.user, worker}
    response = client.post(
        reverse("targets:action_item_new", args=[meeting.pk]),
        {
            "description": "核对花名册",
            "owner": worker.pk,
            "due_on": (today - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 302
    item = ActionItem.objects.get()
    home = client_for(worker).get("/")
    assert "panel-targets-overdue" in home.content.decode()
    assert "核对花名册" in home.content.decode()
    # The owner marks it done although the street's meeting is outside their area.
    done = client_for(worker).post(
        reverse("targets:action_item_done", args=[item.pk]), {"done_on": today.isoformat()}
    )
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == "done"
    assert "panel-targets-overdue" not in client_for(worker).get("/").content.decode()


def test_a_task_due_before_its_meeting_is_refused(org, staff, worker) -> None:
    meeting = services.meeting_create(
        actor=staff, kind=MeetingKind.WEEKLY, date=timezone.localdate(), title="例会"
    )
    with pytest.raises(JishengError):
        services.action_item_add(
            actor=staff,
            meeting=meeting,
            description="x",
            owner=worker,
            due_on=timezone.localdate() - dt.timedelta(days=1),
        )


def test_an_adjustment_of_a_frozen_assessment_is_refused_before_its_file_is_taken(
    org, staff, leader, make_book, client_for, last_year, pdf, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    assessment = services.assessment_run(
        actor=staff, book=make_book(org.c1), period=Period(last_year, 1)
    )
    services.assessment_approve(actor=leader, assessment=assessment)
    client = client_for(staff.user)
    url = reverse("targets:assessment_adjust", args=[assessment.pk])
    # Opened from an old tab or with Back: the page says so and asks for no file.
    shown = client.get(url)
    assert shown.status_code == 409
    page = shown.content.decode()
    assert "考核已审批并冻结，不能再修改。" in page
    assert 'type="file"' not in page
    sent = client.post(url, {"points": "3", "reason": "补录", "evidence": pdf()})
    assert sent.status_code == 409
    assert 'data-testid="refusal"' in sent.content.decode()
    assert not assessment.adjustments.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_the_home_pages_overdue_tasks_are_the_owners_own_in_due_order(
    org, staff, worker, make_user
) -> None:
    """The home panel's compiled read gives what ``own_action_items`` gives: the owner's open
    tasks due before the day asked, by due date, at most ``limit``; another owner's never."""
    today = timezone.localdate()
    meeting = services.meeting_create(
        actor=staff, kind=MeetingKind.WEEKLY, date=today - dt.timedelta(days=30), title="例会"
    )
    colleague = make_user(Role.COMMUNITY_WORKER)
    for owner, days in ((worker, 3), (worker, 20), (worker, -2), (colleague, 10), (worker, 9)):
        services.action_item_add(
            actor=staff,
            meeting=meeting,
            description=f"任务{days}",
            owner=owner,
            due_on=today - dt.timedelta(days=days),
        )

    def shown(user, day, limit=20) -> list[str]:
        return [
            item.description for item in selectors.own_overdue_items(user, today=day, limit=limit)
        ]

    assert shown(worker, today) == ["任务20", "任务9", "任务3"]
    assert shown(worker, today, limit=2) == ["任务20", "任务9"]
    assert shown(worker, today + dt.timedelta(days=3)) == ["任务20", "任务9", "任务3", "任务-2"]
    assert shown(colleague, today) == ["任务10"]
    expected = selectors.own_action_items(worker, today=today, overdue_only=True)
    assert shown(worker, today) == [item.description for item in expected]
