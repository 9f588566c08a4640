"""Materials handed out at a publicity activity: the handout names the activity through
core.occasions (the two apps never import each other); each side shows the other's part, each
read in the viewer's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jisheng.contraceptives import occasions as handout_occasions
from jisheng.contraceptives.models import MaterialHandout, PointKind
from jisheng.contraceptives.services.catalogue import point_create
from jisheng.contraceptives.services.outreach import material_handout_record
from jisheng.core.actors import Actor
from jisheng.core.errors import JishengError
from jisheng.core.occasions import occasion_choices
from jisheng.core.roles import Role
from jisheng.publicity.models import Activity, ActivityKind
from jisheng.publicity.services import activity_record

pytestmark = pytest.mark.django_db
KIND = "publicity.activity"


def activity_at(user, unit, day, title="关爱女孩行动") -> Activity:
    return activity_record(
        actor=Actor(user=user),
        org_unit=unit,
        date=day,
        kind=ActivityKind.CARE_FOR_GIRLS,
        title=title,
        organiser="计生办",
        partners=[],
        audience=100,
        materials=0,
        cost="0",
    )


def handout(user, point, day, occasion, quantity=80) -> MaterialHandout:
    return material_handout_record(
        actor=Actor(user=user),
        point=point,
        date=day,
        material="避孕知识手册",
        quantity=quantity,
        occasion=occasion,
    )


def test_handout_named_on_the_page_shows_on_both_sides(
    worker, point, today, org, client_for
) -> None:
    activity = activity_at(worker, org.c1, today)
    client = client_for(worker)
    assert any(o.id == activity.pk for o in occasion_choices(worker))

    response = client.post(
        reverse("contraceptives:handout_new"),
        {
            "point": point.pk,
            "date": today.isoformat(),
            "material": "优生优育折页",
            "quantity": "120",
            "occasion": f"{KIND}:{activity.pk}",
        },
    )
    assert response.status_code == 302
    saved = MaterialHandout.objects.get()
    assert (saved.occasion_kind, saved.occasion_id) == (KIND, activity.pk)

    outreach = client.get(reverse("contraceptives:outreach")).content.decode()
    assert reverse("publicity:activity_detail", args=[activity.pk]) in outreach
    page = client.get(reverse("publicity:activity_detail", args=[activity.pk])).content.decode()
    assert "优生优育折页" in page
    assert 'data-testid="activity-handout-copies">120<' in page


def test_handout_at_an_activity_of_another_day_is_refused_with_the_form(
    worker, point, today, org, client_for
) -> None:
    activity = activity_at(worker, org.c1, today - dt.timedelta(days=1))
    response = client_for(worker).post(
        reverse("contraceptives:handout_new"),
        {
            "point": point.pk,
            "date": today.isoformat(),
            "material": "优生优育折页",
            "quantity": "120",
            "occasion": f"{KIND}:{activity.pk}",
        },
    )
    assert response.status_code == 400
    assert "优生优育折页" in response.content.decode()
    assert (today - dt.timedelta(days=1)).isoformat() in response.content.decode()
    assert not MaterialHandout.objects.exists()


def test_an_activity_out_of_scope_cannot_be_named(worker, point, today, org, make_user) -> None:
    other = make_user(Role.COMMUNITY_WORKER, org.c2)
    elsewhere = activity_at(other, org.c2, today)
    assert all(o.id != elsewhere.pk for o in occasion_choices(worker))
    with pytest.raises(JishengError) as refused:
        handout(worker, point, today, (KIND, elsewhere.pk))
    assert refused.value.code == "occasion"
    with pytest.raises(JishengError):
        handout(worker, point, today, ("nothing.installed", 1))
    assert not MaterialHandout.objects.exists()


def test_each_side_shows_only_what_the_viewer_may_read(
    worker, street_user, point, today, org, client_for
) -> None:
    point_c2 = point_create(
        actor=Actor(user=street_user),
        name="东城社区药具发放点",
        kind=PointKind.COMMUNITY,
        org_unit=org.c2,
        keeper=street_user,
    )
    street_wide = activity_at(street_user, org.street, today, title="宣传车巡回")
    handout(street_user, point, today, (KIND, street_wide.pk), quantity=100)
    handout(street_user, point_c2, today, (KIND, street_wide.pk), quantity=50)

    assert (
        sum(r.quantity for r in handout_occasions.records_at(street_user, KIND, street_wide.pk))
        == 150
    )
    # The community worker reads its own point's handout only, and not the street's activity.
    assert [r.quantity for r in handout_occasions.records_at(worker, KIND, street_wide.pk)] == [100]
    outreach = client_for(worker).get(reverse("contraceptives:outreach")).content.decode()
    assert reverse("publicity:activity_detail", args=[street_wide.pk]) not in outreach
    assert "宣传车巡回" not in outreach
    assert (
        client_for(worker)
        .get(reverse("publicity:activity_detail", args=[street_wide.pk]))
        .status_code
        == 404
    )
    street_page = (
        client_for(street_user)
        .get(reverse("publicity:activity_detail", args=[street_wide.pk]))
        .content.decode()
    )
    assert 'data-testid="activity-handout-copies">150<' in street_page
