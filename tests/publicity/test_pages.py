"""Publicity pages: a worker records an activity with a photo and cost (sent twice, kept
once), photos are served only in scope, leaders read coverage only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jisheng.core.actors import Actor
from jisheng.core.roles import Role
from jisheng.publicity.models import Activity, Asset, AssetKind, CostEntry, Photo, Training
from jisheng.publicity.services import PhotoUpload, activity_record, asset_create
from support.images import has_gps, jpeg_bytes

pytestmark = pytest.mark.django_db


def activity_form(unit, **extra) -> dict:
    return {
        "org_unit": unit.pk,
        "date": "2026-03-08",
        "kind": "care_for_girls",
        "title": "关爱女孩行动",
        "organiser": "社区计生办",
        "partners": "社区妇联\n派出所",
        "audience": "120",
        "materials": "300",
        "materials_note": "宣传折页",
        "cost": "800",
        "note": "",
        "caption": "活动现场",
        **extra,
    }


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("现场.jpg", jpeg_bytes(gps=True), content_type="image/jpeg")


def test_activity_sent_twice_is_recorded_and_paid_once(worker, org, client_for, ledger) -> None:
    client = client_for(worker)
    assert client.get("/publicity/activities/new/").status_code == 200

    first = client.post("/publicity/activities/new/", activity_form(org.c1, photo=photo()))
    again = client.post("/publicity/activities/new/", activity_form(org.c1, photo=photo()))

    activity = Activity.objects.get()
    assert first.status_code == 302
    assert first["Location"] == f"/publicity/activities/{activity.pk}/"
    assert again.status_code in {200, 302, 409}
    assert CostEntry.objects.count() == 1
    assert len(ledger) == 1
    assert Photo.objects.get().caption == "活动现场"
    page = client.get(f"/publicity/activities/{activity.pk}/").content.decode()
    assert "关爱女孩行动" in page
    assert "800.00" in page


def test_a_renamed_program_comes_back_on_the_form_with_the_input(worker, org, client_for) -> None:
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 program", content_type="image/jpeg")
    response = client_for(worker).post(
        "/publicity/activities/new/", activity_form(org.c1, photo=fake)
    )
    assert response.status_code == 400
    assert "关爱女孩行动" in response.content.decode()
    assert not Activity.objects.exists()


def test_cost_corrected_on_the_page(worker, org, client_for, ledger) -> None:
    activity = activity_record(
        actor=Actor(user=worker),
        org_unit=org.c1,
        date=dt.date(2026, 3, 8),
        kind="lecture",
        title="讲座",
        organiser="社区",
        cost="100",
    )
    client = client_for(worker)
    url = f"/publicity/activities/{activity.pk}/cost/"
    assert client.post(url, {"cost": "150"}).status_code == 302
    assert client.post(url, {"cost": "150"}).status_code in {200, 302, 409}  # sent again
    assert [s.amount for s in ledger] == [Decimal(100), Decimal(-100), Decimal(150)]
    assert client.post(url, {"cost": "-5"}).status_code == 400


def test_photos_are_served_only_in_scope_without_location(
    worker, org, make_user, client_for, street
) -> None:
    activity_record(
        actor=Actor(user=worker),
        org_unit=org.c1,
        date=dt.date(2026, 3, 8),
        kind="lecture",
        title="讲座",
        organiser="社区",
        photos=[PhotoUpload(photo(), "讲座")],
    )
    stored = Photo.objects.get()
    for url in (f"/publicity/photos/{stored.pk}/", f"/publicity/photos/{stored.pk}/thumbnail/"):
        response = client_for(worker).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "no-store" in response["Cache-Control"]
        assert not has_gps(b"".join(response.streaming_content))
        assert client_for(make_user(Role.COMMUNITY_WORKER, org.c2)).get(url).status_code == 404
        assert client_for(street).get(url).status_code == 200
    # No public route reaches the stored file.
    for public in ("/" + stored.file.name, "/media/" + stored.file.name):
        assert client_for(worker).get(public).status_code == 404


def test_asset_registered_by_street_staff_and_changed(street, org, client_for) -> None:
    client = client_for(street)
    response = client.post(
        "/publicity/assets/new/",
        {
            "org_unit": org.c1.pk,
            "kind": "population_school",
            "name": "人口学校",
            "location": "居委会二楼",
            "status": "in_use",
            "opened_on": "2015-03-01",
            "closed_on": "",
            "note": "",
        },
    )
    asset = Asset.objects.get()
    assert response.status_code == 302
    response = client.post(
        f"/publicity/assets/{asset.pk}/edit/",
        {
            "name": "人口学校",
            "location": "",
            "status": "closed",
            "opened_on": "2015-03-01",
            "closed_on": "2014-01-01",
            "note": "",
        },
    )
    assert response.status_code == 400  # closes before it opened: the form again
    response = client.post(
        f"/publicity/assets/{asset.pk}/photos/",
        {"photo": photo(), "caption": "门牌"},
    )
    assert response.status_code == 302
    assert Photo.objects.get().asset == asset


def test_worker_reads_assets_but_does_not_register_them(worker, org, street, client_for) -> None:
    asset_create(actor=Actor(user=street), org_unit=org.c1, kind=AssetKind.TROUPE, name="庄户剧团")
    client = client_for(worker)
    assert "庄户剧团" in client.get("/publicity/assets/").content.decode()
    assert client.get("/publicity/assets/new/").status_code == 403


def test_training_recorded_on_the_page_with_attendees(street, worker, org, client_for, ledger):
    client = client_for(street)
    response = client.post(
        "/publicity/trainings/new/",
        {
            "org_unit": org.street.pk,
            "topic": "专题培训班",
            "trainer": "王老师",
            "start_date": "2026-04-10",
            "end_date": "2026-04-11",
            "hours": "12",
            "cost": "3000",
            "attendees": [worker.pk, street.pk],
            "note": "",
        },
    )
    training = Training.objects.get()
    assert response.status_code == 302
    assert set(training.attendees.all()) == {worker, street}
    assert [(s.category, s.level) for s in ledger] == [("training", "street")]
    history = client.get(f"/publicity/staff/{worker.pk}/trainings/").content.decode()
    assert "专题培训班" in history
    assert client.get("/publicity/trainings/?year=2026").status_code == 200
    assert client.get("/publicity/trainings/?year=abc").status_code == 400


def test_leader_reads_coverage_but_no_records(leader, client_for) -> None:
    client = client_for(leader)
    assert client.get("/publicity/coverage/").status_code == 200
    assert client.get("/publicity/activities/").status_code == 403
    assert client.get("/publicity/trainings/").status_code == 403


def test_pages_are_in_chinese(worker, client_for) -> None:
    client = client_for(worker)
    for url in ("/publicity/activities/", "/publicity/activities/new/", "/publicity/coverage/"):
        page = client.get(url).content.decode()
        # Whole phrases only: a random token on the page may hold any short string.
        for english in ("Record an activity", "Publicity", "Audience", "Activities per quarter"):
            assert english not in page, (url, english)
