"""The pages: thin views over the services, scope and health duty, audit, print and export."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jisheng.audit.models import AuditEvent
from jisheng.core import pages
from jisheng.core.roles import Role
from jisheng.prepregnancy.models import (
    Checkup,
    Contact,
    CoupleState,
    FollowUp,
    Pregnancy,
    Referral,
    RiskFactor,
    TargetCouple,
)


@pytest.fixture
def client(worker, client_for) -> Client:
    return client_for(worker)


def test_the_worklist_refresh_brings_in_newly_married_couples(client, marry) -> None:
    spouses = marry(floating=True)
    response = client.post(reverse("prepregnancy:couple_refresh"))
    assert response.status_code == 302
    page = client.get(reverse("prepregnancy:couple_list")).content.decode()
    couple = TargetCouple.objects.get(wife=spouses.wife)
    assert f'data-couple="{couple.pk}"' in page
    assert spouses.wife.name in page
    assert AuditEvent.objects.filter(
        action="search", object_type="prepregnancy.targetcouple"
    ).exists()


def test_filters_narrow_the_worklist_and_bad_filters_are_400(client, couple, marry) -> None:
    other = marry()
    client.post(reverse("prepregnancy:couple_refresh"))
    page = client.get(reverse("prepregnancy:couple_list"), {"name": couple.wife.name}).content
    assert couple.wife.name.encode() in page
    assert other.wife.name.encode() not in page
    assert client.get(reverse("prepregnancy:couple_list"), {"state": "bogus"}).status_code == 400
    assert client.get(reverse("prepregnancy:letters"), {"state": "bogus"}).status_code == 400


def test_roles_without_a_health_duty_are_refused(make_user, client_for, couple) -> None:
    leader = client_for(make_user(Role.LEADER))
    for name, args in (
        ("prepregnancy:couple_list", []),
        # The indicator table is counts, open to leaders; the records behind it are not.
        ("prepregnancy:indicator_list", []),
        ("prepregnancy:couple_detail", [couple.pk]),
        ("prepregnancy:couple_export_xlsx", []),
    ):
        assert leader.get(reverse(name, args=args)).status_code == 403, name
    assert leader.post(reverse("prepregnancy:couple_refresh")).status_code == 403


def test_logging_a_phone_call_on_the_couple_page(client, couple, today) -> None:
    url = reverse("prepregnancy:couple_detail", args=[couple.pk])
    response = client.post(
        url,
        {"method": "phone", "outcome": "reached", "date": today.isoformat(), "note": "已电话告知"},
    )
    assert response.status_code == 302
    assert Contact.objects.get().method == "phone"
    page = client.get(url).content.decode()
    assert 'data-method="phone"' in page
    assert 'data-state="notified"' in page


def test_a_refused_contact_goes_back_onto_the_form(client, couple, today) -> None:
    response = client.post(
        reverse("prepregnancy:couple_detail", args=[couple.pk]),
        {"method": "phone", "outcome": "appointment", "date": today.isoformat()},
    )
    assert response.status_code == 400
    assert not Contact.objects.exists()
    assert b"errorlist" in response.content


def test_the_couple_page_is_audited(client, couple) -> None:
    client.get(reverse("prepregnancy:couple_detail", args=[couple.pk]))
    assert AuditEvent.objects.filter(
        action="view", object_type="prepregnancy.targetcouple", object_id=str(couple.pk)
    ).exists()


def test_recording_the_wifes_high_risk_checkup_prompts_for_the_husband(
    client, couple, today
) -> None:
    url = reverse("prepregnancy:checkup_new", args=[couple.pk]) + "?spouse=wife"
    form = client.get(url).content.decode()
    assert 'name="lab_rubella_igg"' in form
    assert 'name="history_pregnancies"' in form
    response = client.post(
        url,
        {
            "institution": "峄城区妇幼保健院",
            "date": today.isoformat(),
            "items": ["education", "laboratory", "ultrasound"],
            "lab_rh": "negative",
            "lab_rubella_igg": "negative",
            "history_pregnancies": "1",
            "history_miscarriages": "1",
            "risk_level": "high",
            "risk_factors": ["rubella_susceptible"],
            "advice": "接种风疹疫苗",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    checkup = Checkup.objects.get()
    assert checkup.risk_level == "high"
    page = client.get(reverse("prepregnancy:couple_detail", args=[couple.pk])).content.decode()
    assert 'data-testid="prompt-other-spouse" data-spouse="husband"' in page
    assert 'data-testid="referrals"' in page
    detail = client.get(reverse("prepregnancy:checkup_detail", args=[checkup.pk])).content.decode()
    assert "接种风疹疫苗" in detail
    assert 'data-abnormal="true"' in detail


def test_the_husbands_form_has_no_wife_only_fields(client, couple) -> None:
    page = client.get(
        reverse("prepregnancy:checkup_new", args=[couple.pk]) + "?spouse=husband"
    ).content.decode()
    assert 'name="lab_blood_type"' in page
    assert 'name="lab_rubella_igg"' not in page
    assert 'name="history_pregnancies"' not in page
    assert 'value="ultrasound"' not in page
    bad = client.get(reverse("prepregnancy:checkup_new", args=[couple.pk]) + "?spouse=x")
    assert bad.status_code == 400


def test_a_wrong_checkup_is_a_400_on_the_form(client, couple, today) -> None:
    response = client.post(
        reverse("prepregnancy:checkup_new", args=[couple.pk]) + "?spouse=wife",
        {"institution": "x", "date": today.isoformat(), "risk_level": "high"},
    )
    assert response.status_code == 400
    assert not Checkup.objects.exists()


def test_the_notice_letter_prints_one_per_page(client, couple, marry) -> None:
    single = client.get(reverse("prepregnancy:couple_letter", args=[couple.pk]))
    assert single.status_code == 200
    assert single.content.decode().count('class="letter"') == 1
    assert b"prepregnancy/letters.css" in single.content
    marry()
    client.post(reverse("prepregnancy:couple_refresh"))
    bulk = client.get(reverse("prepregnancy:letters"), {"state": "to_notify"})
    assert bulk.content.decode().count('class="letter"') == 2
    assert (
        AuditEvent.objects.filter(action="export", object_type="prepregnancy.targetcouple").count()
        == 2
    )


def test_letters_print_the_worklist_a_page_at_a_time(client, couple, marry, monkeypatch) -> None:
    """Only the page's letters are read and drawn, in the worklist's order; the page's form
    logs those couples, the audit names them, and the next page holds the rest."""
    monkeypatch.setattr(pages, "PER_PAGE", 1)
    marry()
    marry()
    client.post(reverse("prepregnancy:couple_refresh"))
    order = list(
        TargetCouple.objects.order_by("state_rank", "-worklist_date", "pk").values_list(
            "pk", flat=True
        )
    )
    assert len(order) == 3
    for number, pk in enumerate(order, start=1):
        html = client.get(reverse("prepregnancy:letters"), {"page": number}).content.decode()
        assert re.findall(r'<article class="letter" data-couple="(\d+)"', html) == [str(pk)]
        assert re.findall(r'name="couple" value="(\d+)"', html) == [str(pk)]
        assert TargetCouple.objects.get(pk=pk).wife.name in html
    exports = AuditEvent.objects.filter(action="export", object_type="prepregnancy.targetcouple")
    assert [event.detail for event in exports.order_by("pk")] == [
        {"letters": 1, "ids": [pk]} for pk in order
    ]


def test_logging_a_page_of_letters_leads_to_the_next_letters_to_print(
    client, couple, marry, monkeypatch, today
) -> None:
    """Logging moves the logged couples (to "notified", or down a list they stay on): the
    next letters begin with the couple that followed the logged page, wherever it now
    stands, so none is skipped and the page just logged is not offered again; after the
    last page, the worker is back on the worklist."""
    monkeypatch.setattr(pages, "PER_PAGE", 1)
    marry()
    marry()
    client.post(reverse("prepregnancy:couple_refresh"))
    letters = reverse("prepregnancy:letters")

    def shown(url: str) -> list[str]:
        return re.findall(r'name="couple" value="(\d+)"', client.get(url).content.decode())

    def log(url: str) -> str:
        html = client.get(url).content.decode()
        form = dict(re.findall(r'name="(letters_query|letters_next)" value="([^"]*)"', html))
        response = client.post(
            reverse("prepregnancy:letters_delivered"),
            {
                "couple": re.findall(r'name="couple" value="(\d+)"', html),
                "date": today.isoformat(),
                "letters_query": form["letters_query"].replace("&amp;", "&"),
                "letters_next": form["letters_next"],
            },
        )
        assert response.status_code == 302
        return response["Location"]

    first, second, third = (shown(f"{letters}?page={n}") for n in (1, 2, 3))
    # The whole list: the logged couple moves below the couples still to notify; the next
    # letters begin with the couple that followed the page, not at a page number.
    landed = log(f"{letters}?page=1")
    assert landed == f"{letters}?start={second[0]}"
    assert shown(landed) == second
    assert shown(f"{landed}&page=2") == third  # the started list pages on
    with CaptureQueriesContext(connection) as queries:
        client.get(landed)
    unbounded = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "prepregnancy_targetcouple"' in q["sql"]
        and "LIMIT" not in q["sql"]
        and '"prepregnancy_targetcouple"."id" IN (' not in q["sql"]  # the page's rows by id
    ]
    assert unbounded == []  # the page's couples only, never the whole list from its start
    # A "to notify" list: the logged couple leaves it.
    landed = log(f"{letters}?state=to_notify&page=1")
    assert landed == f"{letters}?state=to_notify&start={third[0]}"
    assert shown(landed) == third
    # The last page of a list: every letter logged, back to the worklist with its filters.
    assert log(landed) == reverse("prepregnancy:couple_list") + "?state=to_notify"
    assert TargetCouple.objects.filter(state="to_notify").count() == 0
    assert len({*first, *second, *third}) == 3
    # A start that is not on the list shows the list from its top; a bad one is a 400.
    notified = shown(f"{letters}?state=notified")
    assert shown(f"{letters}?state=notified&start=999999") == notified
    assert client.get(f"{letters}?start=abc").status_code == 400
    # Filters that are not the page's (tampered with) lead to the first page of the letters.
    response = client.post(
        reverse("prepregnancy:letters_delivered"),
        {
            "couple": [couple.pk],
            "date": today.isoformat(),
            "letters_query": "state=nonsense",
            "letters_next": "x",
        },
    )
    assert response["Location"] == letters


def test_letters_of_couples_outside_the_area_are_not_printed(
    client, couple, marry, org, client_for, make_user
) -> None:
    elsewhere = marry(community=org.c2)
    client.post(reverse("prepregnancy:couple_refresh"))
    street = client_for(make_user(Role.STREET_STAFF))
    street.post(reverse("prepregnancy:couple_refresh"))
    other = TargetCouple.objects.get(wife=elsewhere.wife)
    html = client.get(reverse("prepregnancy:letters")).content.decode()
    assert re.findall(r'data-couple="(\d+)"', html) == [str(couple.pk)]
    assert client.get(reverse("prepregnancy:couple_letter", args=[other.pk])).status_code == 404


def test_letters_handed_out_are_logged_from_the_print_page(client, couple, today) -> None:
    response = client.post(
        reverse("prepregnancy:letters_delivered"),
        {"couple": [str(couple.pk)], "date": today.isoformat()},
    )
    assert response.status_code == 302
    assert Contact.objects.get().method == "letter"
    assert (
        client.post(reverse("prepregnancy:letters_delivered"), {"couple": ["x"]}).status_code == 400
    )


def test_sms_and_opt_out_from_the_couple_page(client, couple, settings, tmp_path) -> None:
    settings.JISHENG_SMS_DIR = tmp_path
    client.post(
        reverse("prepregnancy:couple_sms_opt_out", args=[couple.pk]),
        {"spouse": "husband", "opted_out": "1"},
    )
    client.post(reverse("prepregnancy:couple_sms", args=[couple.pk]))
    assert len(list(tmp_path.rglob("*.txt"))) == 1
    page = client.get(reverse("prepregnancy:couple_detail", args=[couple.pk])).content.decode()
    assert 'data-testid="opted-out-husband"' in page


def test_the_worklist_exports_to_excel_with_masked_numbers(client, couple) -> None:
    from openpyxl import load_workbook

    response = client.get(reverse("prepregnancy:couple_export_xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "女方"
    assert rows[1][1] == couple.wife.name
    assert rows[1][2] == couple.wife.id_number_masked
    assert couple.wife.id_number not in str(rows)


def test_pregnancy_and_followups_from_the_pages(client, couple, today) -> None:
    response = client.post(
        reverse("prepregnancy:pregnancy_new", args=[couple.pk]),
        {
            "reported_on": today.isoformat(),
            "last_period": (today - dt.timedelta(weeks=6)).isoformat(),
        },
    )
    assert response.status_code == 302
    followup = FollowUp.objects.get()
    page = client.get(reverse("prepregnancy:followup_record", args=[followup.pk]))
    assert b'name="confirmed"' in page.content
    response = client.post(
        reverse("prepregnancy:followup_record", args=[followup.pk]),
        {"done_on": today.isoformat(), "confirmed": "True", "weeks": "6", "folic_acid": "on"},
    )
    assert response.status_code == 302
    outcome = FollowUp.objects.get(kind="outcome")
    form = client.get(reverse("prepregnancy:followup_record", args=[outcome.pk]))
    assert b'name="outcome"' in form.content
    response = client.post(
        reverse("prepregnancy:followup_record", args=[outcome.pk]),
        {"done_on": today.isoformat(), "outcome": "miscarriage", "outcome_date": today.isoformat()},
    )
    assert response.status_code == 302
    assert Pregnancy.objects.get().outcome == "miscarriage"
    couple.refresh_from_db()
    assert couple.state == CoupleState.OUTCOME


def test_overdue_page_and_home_panel(client, actor, make_overdue_work, today) -> None:
    make_overdue_work()
    page = client.get(reverse("prepregnancy:overdue"), {"worker": "me"}).content.decode()
    assert f'data-worker="{actor.user.pk}"' in page
    assert page.count("data-task=") == 2
    home = client.get(reverse("reports:home")).content.decode()
    assert 'data-testid="prepregnancy-panel"' in home
    assert 'data-count="overdue">2<' in home
    referral = Referral.objects.get()
    done = client.post(
        reverse("prepregnancy:referral_complete", args=[referral.pk]),
        {"completed_on": today.isoformat(), "result": "已转诊至市妇幼"},
    )
    assert done.status_code == 302
    assert client.get(reverse("prepregnancy:referral_list")).status_code == 200
    assert client.get(reverse("prepregnancy:followup_list")).status_code == 200


def test_indicator_page_links_each_number_to_its_list(client, couple, today) -> None:
    page = client.get(reverse("prepregnancy:indicators")).content.decode()
    assert f'data-community="{couple.community_id}"' in page
    assert "key=targets" in page
    listing = client.get(
        reverse("prepregnancy:indicator_list"),
        {"key": "targets", "community": couple.community_id},
    )
    assert listing.status_code == 200
    assert f'data-couple="{couple.pk}"' in listing.content.decode()
    assert client.get(reverse("prepregnancy:indicator_list"), {"key": "nope"}).status_code == 400
    bad = client.get(
        reverse("prepregnancy:indicators"), {"start": "2026-05-01", "end": "2026-01-01"}
    )
    assert bad.status_code == 400


def test_planning_couple_is_added_by_the_wifes_id_number(client, marry) -> None:
    spouses = marry(days_ago=2000)
    response = client.post(
        reverse("prepregnancy:couple_planning"),
        {"wife_id_number": spouses.wife.id_number, "since": ""},
    )
    assert response.status_code == 400  # the date is required on the form
    response = client.post(
        reverse("prepregnancy:couple_planning"),
        {"wife_id_number": spouses.wife.id_number, "since": "2026-01-05"},
    )
    couple = TargetCouple.objects.get(wife=spouses.wife)
    assert response.status_code == 302
    assert response["Location"] == reverse("prepregnancy:couple_detail", args=[couple.pk])
    unknown = client.post(
        reverse("prepregnancy:couple_planning"),
        {"wife_id_number": "110101199003071234", "since": "2026-01-05"},
    )
    assert unknown.status_code == 400


def test_risk_factor_list_is_kept_by_the_street_office(client, make_user, client_for) -> None:
    assert b"risk-factor-form" not in client.get(reverse("prepregnancy:risk_factor_list")).content
    street = client_for(make_user(Role.STREET_STAFF))
    response = street.post(
        reverse("prepregnancy:risk_factor_list"),
        {
            "code": "night_shift",
            "name": "长期夜班",
            "category": "environment",
            "applies_to": "both",
        },
    )
    assert response.status_code == 302
    factor = RiskFactor.objects.get(code="night_shift")
    street.post(reverse("prepregnancy:risk_factor_active", args=[factor.pk]), {"active": "0"})
    factor.refresh_from_db()
    assert not factor.active
    refused = client.post(
        reverse("prepregnancy:risk_factor_active", args=[factor.pk]), {"active": "1"}
    )
    assert refused.status_code == 403
