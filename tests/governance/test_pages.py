"""Pages: every governance page renders; refused input comes back with what was typed and a
Chinese message; a second submit of a report changes nothing; hospital lists are imported
whole or not at all, every bad row named."""

from __future__ import annotations

import datetime as dt
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from jisheng.core import pages
from jisheng.core.roles import Role
from jisheng.governance.models import ReviewState, Termination, TerminationImport
from jisheng.governance.services.pregnancies import (
    OutcomeData,
    pregnancy_open,
    pregnancy_outcome_record,
)
from jisheng.prepregnancy.models import Outcome, Pregnancy
from jisheng.registry.services import events


def test_every_page_renders(org, actor, street_actor, woman, today, client_for) -> None:
    pregnancy = pregnancy_open(
        actor=actor, woman=woman(), reported_on=today, last_period=today - dt.timedelta(weeks=20)
    )
    other = pregnancy_open(
        actor=actor, woman=woman(), reported_on=today, last_period=today - dt.timedelta(weeks=20)
    )
    pregnancy_outcome_record(
        actor=actor,
        pregnancy=other,
        data=OutcomeData(
            outcome=Outcome.INDUCED,
            outcome_date=today,
            weeks=20,
            institution="区人民医院",
            certificate="A-1",
        ),
        done_on=today,
    )
    termination = Termination.objects.get()
    for user in (actor.user, street_actor.user):
        client = client_for(user)
        for url in (
            reverse("governance:pregnancy_list"),
            reverse("governance:pregnancy_new"),
            reverse("governance:overdue_list"),
            reverse("governance:unmatched_births"),
            reverse("governance:pregnancy_detail", args=[pregnancy.pk]),
            reverse("governance:outcome_record", args=[pregnancy.pk]),
            reverse("governance:termination_list"),
            reverse("governance:termination_list") + "?review=pending",
            reverse("governance:srb"),
            reverse("governance:srb") + "?level=street&kind=quarter&order=3&residence=floating",
        ):
            assert client.get(url).status_code == 200, url
    street = client_for(street_actor.user)
    assert street.get(reverse("governance:termination_import")).status_code == 200
    assert (
        street.get(reverse("governance:termination_review", args=[termination.pk])).status_code
        == 200
    )


def test_a_bad_report_shows_the_form_again_with_the_input(
    org, actor, woman, today, client_for
) -> None:
    her = woman(floating=True)
    client = client_for(actor.user)
    url = reverse("governance:pregnancy_new")
    data = {
        "woman": her.pk,
        "source": "community",
        "reported_on": today.isoformat(),
        "last_period": (today + dt.timedelta(days=3)).isoformat(),
    }
    with translation.override("zh-hans"):
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert (today + dt.timedelta(days=3)).isoformat() in response.content.decode()
    assert Pregnancy.objects.count() == 0
    data["last_period"] = (today - dt.timedelta(weeks=6)).isoformat()
    first = client.post(url, data)
    assert first.status_code == 302
    client.post(url, data)  # the second submit of the same form
    assert Pregnancy.objects.filter(woman=her).count() == 1


def test_outcome_through_the_page_then_a_refused_termination_keeps_the_input(
    org, actor, woman, today, client_for
) -> None:
    pregnancy = pregnancy_open(
        actor=actor, woman=woman(), reported_on=today, last_period=today - dt.timedelta(weeks=16)
    )
    client = client_for(actor.user)
    url = reverse("governance:outcome_record", args=[pregnancy.pk])
    bad = client.post(
        url,
        {
            "done_on": today.isoformat(),
            "outcome": "induced",
            "outcome_date": today.isoformat(),
            "weeks": 16,
            "institution": "区人民医院",
        },
    )
    assert bad.status_code == 400
    assert "区人民医院" in bad.content.decode()
    good = client.post(
        url,
        {
            "done_on": today.isoformat(),
            "outcome": "induced",
            "outcome_date": today.isoformat(),
            "weeks": 16,
            "institution": "区人民医院",
            "certificate": "ZM-9",
        },
    )
    assert good.status_code == 302
    assert Termination.objects.get().review == ReviewState.PENDING


def _csv(rows: list[str]) -> SimpleUploadedFile:
    text = "身份证号码,姓名,引产日期,孕周,医学原因,证明编号\n" + "\n".join(rows) + "\n"
    return SimpleUploadedFile("list.csv", text.encode(), content_type="text/csv")


def test_a_hospital_list_is_imported_whole_or_not_at_all(
    org, street_actor, woman, today, client_for
) -> None:
    first, second = woman(), woman(org.c2)
    day = (today - dt.timedelta(days=10)).isoformat()
    client = client_for(street_actor.user)
    url = reverse("governance:termination_import")
    bad_rows = [
        f"{first.id_number},{first.name},{day},16,,C-1",
        f"110101199001010000,某某,{day},16,,C-2",
        f"{second.id_number},{second.name},not a date,9,,C-3",
        f"{second.id_number},{second.name},{day},20,胎儿畸形,C-1",
    ]
    response = client.post(url, {"institution": "区人民医院", "file": _csv(bad_rows)})
    assert response.status_code == 400
    page = response.content.decode()
    for line in (3, 4, 5):  # each bad row is named by its line in the file
        assert f"{line}" in page
    assert Termination.objects.count() == 0
    good_rows = [
        f"{first.id_number},{first.name},{day},16,,C-1",
        f"{second.id_number},{second.name},{day},20,胎儿畸形,C-2",
    ]
    assert (
        client.post(url, {"institution": "区人民医院", "file": _csv(good_rows)}).status_code == 302
    )
    # The same file again: the page says it was sent already; saved again on purpose, the
    # service finds the first import and writes nothing.
    again = {"institution": "区人民医院", "file": _csv(good_rows)}
    assert client.post(url, again).status_code == 409
    again = {"institution": "区人民医院", "file": _csv(good_rows), "save_again": "1"}
    assert client.post(url, again).status_code == 302
    assert TerminationImport.objects.count() == 1
    reviews = dict(Termination.objects.values_list("certificate", "review"))
    assert reviews == {"C-1": ReviewState.PENDING, "C-2": ReviewState.NOT_NEEDED}


def test_the_street_reviews_and_a_community_cannot(
    org, actor, street_actor, woman, today, client_for
) -> None:
    pregnancy = pregnancy_open(
        actor=actor, woman=woman(), reported_on=today, last_period=today - dt.timedelta(weeks=16)
    )
    pregnancy_outcome_record(
        actor=actor,
        pregnancy=pregnancy,
        data=OutcomeData(
            outcome=Outcome.INDUCED,
            outcome_date=today,
            weeks=16,
            institution="区人民医院",
            certificate="R-1",
        ),
        done_on=today,
    )
    termination = Termination.objects.get()
    url = reverse("governance:termination_review", args=[termination.pk])
    assert client_for(actor.user).post(url, {"note": "已核实"}).status_code == 403
    assert client_for(street_actor.user).post(url, {"note": "已核实"}).status_code == 302
    termination.refresh_from_db()
    assert termination.review == ReviewState.REVIEWED
    assert termination.review_note == "已核实"


def test_a_worker_of_another_community_cannot_open_the_pregnancy(
    org, actor, make_user, woman, today, client_for
) -> None:
    pregnancy = pregnancy_open(actor=actor, woman=woman(), reported_on=today, last_period=today)
    other = client_for(make_user(Role.COMMUNITY_WORKER, org.c2))
    assert other.get(reverse("governance:pregnancy_detail", args=[pregnancy.pk])).status_code == 404


def test_a_hospital_list_imports_from_a_workbook_page(
    org, street_actor, woman, today, client_for
) -> None:
    """The page keeps the uploaded file's suffix, so a real .xlsx reads as a workbook."""
    her = woman()
    book = Workbook()
    sheet = book.active
    sheet.append(["身份证号码", "姓名", "引产日期", "孕周", "医学原因", "证明编号"])
    sheet.append([her.id_number, her.name, today - dt.timedelta(days=10), 16, "", "X-1"])
    handle = io.BytesIO()
    book.save(handle)
    upload = SimpleUploadedFile(
        "三月引产名单.xlsx",
        handle.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response = client_for(street_actor.user).post(
        reverse("governance:termination_import"), {"institution": "区人民医院", "file": upload}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Termination.objects.get().certificate == "X-1"


def test_births_without_a_pregnancy_are_listed_newest_first_a_page_at_a_time(
    org, actor, street_actor, woman, birth, today, client_for, monkeypatch
) -> None:
    """The page's births are read as rows by their ids: the worker's community only, newest
    first, paged; a birth reversed in the registry is not listed."""
    monkeypatch.setattr(pages, "PER_PAGE", 2)
    older = birth(woman(), "M", today - dt.timedelta(days=20))
    newer = birth(woman(floating=True), "F", today - dt.timedelta(days=5))
    oldest = birth(woman(), "F", today - dt.timedelta(days=40))
    undone = birth(woman(), "M", today - dt.timedelta(days=3))
    events.event_reverse(actor=street_actor, event=undone, reason="录入错误", date=today)
    birth(woman(org.c2), "M", today - dt.timedelta(days=1))
    client = client_for(actor.user)

    def shown(page: int) -> list[str]:
        html = client.get(reverse("governance:unmatched_births"), {"page": page}).content.decode()
        rows = re.findall(r'<tr data-testid="birth-row">(.*?)</tr>', html, re.S)
        return [re.sub(r"\s+", " ", row) for row in rows]

    first, second = shown(1), shown(2)
    assert [row.split("</td>")[0] for row in first + second] == [
        f"<td>{event.date.isoformat()}" for event in (newer, older, oldest)
    ]
    mothers = [event.other_person_id for event in (newer, older, oldest)]
    for row, mother in zip(first + second, mothers, strict=True):
        assert f'href="{reverse("registry:person_detail", args=[mother])}"' in row
        assert org.c1.name in row
    assert 'class="badge"' in first[0]
    assert 'class="badge"' not in first[1]
