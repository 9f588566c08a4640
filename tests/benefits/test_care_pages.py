"""Pages of visits, certifications and re-verification: forms, refusals as 4xx, htmx rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jisheng.benefits.care import services
from jisheng.benefits.models import Certification, Entitlement, ReviewCampaign, ReviewItem, Visit
from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.registry.services import events
from support.images import JPEG

pytestmark = pytest.mark.django_db

DAY_AFTER = dt.date(2026, 1, 22)


@pytest.fixture
def relief(program):
    return program("hardship-visits")


def visit_form(relief, **extra) -> dict:
    return {
        "program": relief.pk,
        "date": "2026-01-20",
        "visitors": "王主任",
        "given": "米、面",
        "cost": "300",
        "note": "",
        **extra,
    }


def test_visit_recorded_on_the_page_with_household_and_photo(
    worker, relief, make_person, make_household, client_for
) -> None:
    person = make_person()
    household = make_household(person)
    client = client_for(worker)
    photo = SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg")

    response = client.post(
        "/benefits/visits/new/",
        visit_form(relief, person=person.pk, with_household="on", photos=photo),
    )

    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/benefits/visits/{visit.pk}/"
    assert (visit.person, visit.household) == (person, household)
    detail = client.get(response["Location"]).content.decode()
    assert f"/benefits/visits/photos/{visit.photos.get().pk}/" in detail
    listing = client.get("/benefits/visits/?year=2026").content.decode()
    assert re.search(r'data-testid="total-cost">300\.00<', listing)


def _listed(page: str) -> list[tuple[int, str, str]]:
    """The visit list's rows: (visit id, family cell, photo count)."""
    return [
        (int(pk), re.sub(r"(<[^>]+>|\s)+", " ", family).strip(), photos)
        for pk, family, photos in re.findall(
            r'<tr data-visit="(\d+)">.*?</td>\s*<td>(.*?)</td>.*?<td class="num">(\d+)</td></tr>',
            page,
            flags=re.DOTALL,
        )
    ]


def test_visit_list_shows_each_rows_photos_and_household_page_by_page(
    worker, street, relief, make_person, make_household, make_user, client_for, org, monkeypatch
) -> None:
    monkeypatch.setattr("jisheng.core.pages.PER_PAGE", 2)
    person = make_person()
    household = make_household(person)
    actor = Actor(user=worker)
    base = {"visitors": "王主任", "cost": "100.00", "program": relief}
    with_photos = services.visit_record(
        actor=actor, person=person, household=household, date=dt.date(2026, 1, 20), **base
    )
    services.visit_photos_attach(
        actor=actor,
        visit=with_photos,
        uploads=[SimpleUploadedFile(f"p{n}.jpg", JPEG, content_type="image/jpeg") for n in (1, 2)],
    )
    alone = services.visit_record(
        actor=actor, person=make_person(name="赵六"), date=dt.date(2026, 1, 21), **base
    )
    older = services.visit_record(actor=actor, person=person, date=dt.date(2025, 5, 1), **base)
    c2 = make_user(Role.COMMUNITY_WORKER, org.c2)
    foreign = services.visit_record(
        actor=Actor(user=c2), person=make_person(org.c2, name="李四"), date=DAY_AFTER, **base
    )
    client = client_for(worker)

    first = client.get("/benefits/visits/").content.decode()
    second = client.get("/benefits/visits/?page=2").content.decode()

    badge = f"户 {household}"
    assert _listed(first) == [
        (alone.pk, "赵六", "0"),
        (with_photos.pk, f"{person.name} {badge}", "2"),
    ]
    assert _listed(second) == [(older.pk, person.name, "0")]
    assert [
        pk for pk, _, _ in _listed(client.get("/benefits/visits/?year=2025").content.decode())
    ] == [older.pk]
    street_pages = [
        client_for(street).get(f"/benefits/visits/?page={n}").content.decode() for n in (1, 2)
    ]
    assert [pk for page in street_pages for pk, _, _ in _listed(page)] == [
        foreign.pk,
        alone.pk,
        with_photos.pk,
        older.pk,
    ]
    assert '<option value="2025">2025</option>' in first


def test_visit_totals_count_a_visit_recorded_after_the_list_was_read(
    worker, relief, make_person, client_for
) -> None:
    client = client_for(worker)
    base = {"visitors": "王主任", "program": relief, "date": DAY_AFTER}
    services.visit_record(actor=Actor(user=worker), person=make_person(), cost="100.00", **base)

    def totals() -> tuple[str, ...]:
        page = client.get("/benefits/visits/?year=2026").content.decode()
        return tuple(
            re.search(rf'data-testid="total-{name}">([^<]*)<', page)[1]  # type: ignore[index]
            for name in ("visits", "families", "cost")
        )

    assert totals() == ("1", "1", "100.00")
    services.visit_record(
        actor=Actor(user=worker), person=make_person(name="赵六"), cost="50.00", **base
    )
    assert totals() == ("2", "2", "150.00")


def test_visit_form_refusals_come_back_on_the_form(
    worker, relief, make_person, client_for, org
) -> None:
    client = client_for(worker)
    foreign = make_person(org.c2, name="李四")
    unknown = client.post("/benefits/visits/new/", visit_form(relief, person=foreign.pk))
    assert unknown.status_code == 400
    assert 'data-testid="visit-form"' in unknown.content.decode()
    negative = client.post(
        "/benefits/visits/new/", visit_form(relief, person=make_person().pk, cost="-1")
    )
    assert negative.status_code == 400
    gif = SimpleUploadedFile("p.gif", b"GIF89a....", content_type="image/gif")
    wrong = client.post(
        "/benefits/visits/new/",
        visit_form(relief, person=make_person(name="王五").pk, photos=gif),
    )
    assert wrong.status_code == 400
    assert not Visit.objects.exists()
    assert client.get("/benefits/visits/?year=abc").status_code == 400


def test_visit_form_for_a_resident_from_a_link(worker, relief, make_person, client_for) -> None:
    person = make_person()
    client = client_for(worker)
    page = client.get(f"/benefits/visits/new/?person={person.pk}")
    assert 'data-testid="preset-resident"' in page.content.decode()
    response = client.post("/benefits/visits/new/", visit_form(relief, person=person.pk))
    assert response.status_code == 302
    assert Visit.objects.get().person == person


def test_leader_reads_visits_and_certificates_but_records_nothing(
    leader, client_for, relief
) -> None:
    client = client_for(leader)
    assert client.get("/benefits/visits/").status_code == 200
    assert client.get("/benefits/visits/print/").status_code == 200
    assert client.get("/benefits/certifications/").status_code == 200
    assert client.get("/benefits/campaigns/").status_code == 200
    assert client.get("/benefits/visits/new/").status_code == 403
    assert client.post("/benefits/visits/new/", visit_form(relief)).status_code == 403
    assert client.get("/benefits/certifications/new/").status_code == 403
    assert client.post("/benefits/campaigns/new/", {}).status_code == 403


def test_printable_visit_list_has_totals_and_a_print_button(
    worker, relief, make_person, client_for
) -> None:
    client = client_for(worker)
    client.post("/benefits/visits/new/", visit_form(relief, person=make_person().pk))
    page = client.get("/benefits/visits/print/?year=2026").content.decode()
    assert "data-print" in page
    assert 'data-testid="print-totals"' in page
    assert "300.00" in page


def test_certificate_issued_verified_and_revoked_on_pages(
    worker, program, make_person, client_for
) -> None:
    person = make_person(birth_date=dt.date(2011, 1, 1))
    client = client_for(worker)
    response = client.post(
        "/benefits/certifications/new/",
        {
            "program": program("school-bonus-check").pk,
            "person": person.pk,
            "purpose": "中考加分",
            "issued_on": "2026-06-01",
        },
    )
    certification = Certification.objects.get()
    assert response["Location"] == f"/benefits/certifications/{certification.pk}/"
    number = certification.number

    valid = client.get("/benefits/certifications/verify/", {"number": number.lower()})
    assert 'data-result="valid"' in valid.content.decode()
    missing = client.get("/benefits/certifications/verify/", {"number": "JS-2026-XXXXXXXX"})
    assert missing.status_code == 200
    assert 'data-result="not_found"' in missing.content.decode()
    assert client.get("/benefits/certifications/verify/", {"number": ""}).status_code == 400

    refused = client.post(f"/benefits/certifications/{certification.pk}/revoke/", {"reason": ""})
    assert refused.status_code == 400
    client.post(f"/benefits/certifications/{certification.pk}/revoke/", {"reason": "重复"})
    revoked = client.get("/benefits/certifications/verify/", {"number": number})
    assert 'data-result="revoked"' in revoked.content.decode()
    listing = client.get("/benefits/certifications/", {"status": "revoked"}).content.decode()
    assert f'data-certification="{certification.pk}"' in listing


@pytest.fixture
def campaign(program, make_family, street) -> ReviewCampaign:
    subsidy = program("childcare-subsidy")
    _h, mother, (kept, dies) = make_family(
        wife_birth=dt.date(1990, 5, 1),
        children=(("M", dt.date(2025, 2, 1)), ("F", dt.date(2024, 5, 1))),
    )
    events.death_record(actor=Actor(user=street), person=dies, date=dt.date(2025, 9, 10))
    for child in (kept, dies):
        Entitlement.objects.create(
            program=subsidy,
            person=child,
            payee=mother,
            community=child.community,
            start_date=dt.date(2025, 2, 1),
        )
    from jisheng.benefits.services.reverification import campaign_create

    return campaign_create(
        actor=Actor(user=street), program=subsidy, year=2026, today=dt.date(2026, 3, 1)
    )


def test_campaign_opened_on_the_page_once(street, program, client_for, campaign) -> None:
    client = client_for(street)
    again = client.post(
        "/benefits/campaigns/new/", {"program": campaign.program_id, "year": campaign.year}
    )
    assert again.status_code == 409
    assert 'data-testid="campaign-errors"' in again.content.decode()
    listing = client.get("/benefits/campaigns/").content.decode()
    assert f'data-campaign="{campaign.pk}"' in listing


def test_campaign_page_lists_flagged_first_and_filters_by_kind(
    street, client_for, campaign
) -> None:
    client = client_for(street)
    page = client.get(f"/benefits/campaigns/{campaign.pk}/").content.decode()
    rows = re.findall(r'data-item="(\d+)"', page)
    dead = ReviewItem.objects.exclude(flags=[]).get()
    assert rows[0] == str(dead.pk)
    filtered = client.get(f"/benefits/campaigns/{campaign.pk}/", {"flag": "death"}).content.decode()
    assert re.findall(r'data-item="(\d+)"', filtered) == [str(dead.pk)]
    assert client.get(f"/benefits/campaigns/{campaign.pk}/", {"flag": "x"}).status_code == 400


def test_htmx_decision_returns_the_row_and_a_refusal_stays_in_it(
    street, client_for, campaign
) -> None:
    client = client_for(street)
    quiet = ReviewItem.objects.get(flags=[])
    url = f"/benefits/campaigns/items/{quiet.pk}/decide/"
    refused = client.post(url, {"decision": "stop", "comment": ""}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200
    assert 'data-testid="decide-error"' in refused.content.decode()
    done = client.post(url, {"decision": "confirm"}, HTTP_HX_REQUEST="true")
    assert 'data-decision="confirm"' in done.content.decode()
    assert done.content.decode().lstrip().startswith("<tr")


def test_plain_decision_and_confirm_all_redirect_back_to_the_campaign(
    street, client_for, campaign
) -> None:
    client = client_for(street)
    dead = ReviewItem.objects.exclude(flags=[]).get()
    response = client.post(f"/benefits/campaigns/items/{dead.pk}/decide/", {"decision": "stop"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"/benefits/campaigns/{campaign.pk}/")
    confirmed = client.post(f"/benefits/campaigns/{campaign.pk}/confirm-unflagged/")
    assert confirmed.status_code == 302
    assert sorted(campaign.items.values_list("decision", flat=True)) == ["confirm", "stop"]
    page = client.get(f"/benefits/campaigns/{campaign.pk}/").content.decode()
    assert 'data-testid="confirm-unflagged"' not in page  # nothing pending any more
    assert '<progress value="2" max="2"' in page


def test_community_worker_cannot_see_or_decide_the_streets_campaign(
    worker, client_for, campaign
) -> None:
    client = client_for(worker)
    assert client.get(f"/benefits/campaigns/{campaign.pk}/").status_code == 404
    item = campaign.items.first()
    assert client.post(f"/benefits/campaigns/items/{item.pk}/decide/").status_code == 403


def test_campaign_api_creates_details_and_decides(street, worker, client_for, campaign) -> None:
    import json

    client = client_for(street)
    detail = client.get(f"/api/benefits/campaigns/{campaign.pk}?flag=death").json()
    assert [item["flags"][0]["kind"] for item in detail["items"]] == ["death"]
    item_id = detail["items"][0]["id"]
    bad = client.post(
        f"/api/benefits/review-items/{item_id}/decision",
        json.dumps({"decision": "maybe"}),
        content_type="application/json",
    )
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")
    decided = client.post(
        f"/api/benefits/review-items/{item_id}/decision",
        json.dumps({"decision": "stop"}),
        content_type="application/json",
    )
    assert decided.json()["decision"] == "stop"
    again = client.post(
        "/api/benefits/campaigns",
        json.dumps({"program_id": campaign.program_id, "year": 2026}),
        content_type="application/json",
    )
    assert again.status_code == 409
    listed = client.get("/api/benefits/campaigns").json()
    assert [(c["id"], c["total"], c["decided"]) for c in listed] == [(campaign.pk, 2, 1)]
    refused = client_for(worker).post(
        "/api/benefits/campaigns",
        json.dumps({"program_id": campaign.program_id, "year": 2027}),
        content_type="application/json",
    )
    assert refused.status_code == 403
