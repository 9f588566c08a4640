"""The resident picker (name, pinyin initials or ID number, in the user's area) and the
household search and create pages."""

from __future__ import annotations

from django.urls import reverse

from jisheng.core.roles import Role
from jisheng.registry.models import Household, HouseholdMember

PICK = reverse("registry:person_pick")


def test_the_picker_finds_by_name_initials_and_id_number_in_the_area_only(
    make_user, client_for, make_person, org
) -> None:
    client = client_for(make_user(Role.COMMUNITY_WORKER))
    woman = make_person(name="王春燕", sex="F")
    outside = make_person(org.c2, name="王春华", sex="F")
    for query in ("王春", "wcy", "WC", woman.id_number):
        page = client.get(PICK, {"q": query, "for": "id_person"}).content.decode()
        assert f'data-pick-value="{woman.pk}"' in page, query
        assert f'data-pick-value="{outside.pk}"' not in page, query
        assert woman.id_number not in page  # only the masked number is shown
    assert "data-pick-value" not in client.get(PICK, {"q": outside.id_number}).content.decode()


def test_households_are_searched_by_number_address_and_head(
    make_user, client_for, make_person, make_household
) -> None:
    client = client_for(make_user(Role.COMMUNITY_WORKER))
    head = make_person(name="李建军")
    household = make_household(head)
    Household.objects.filter(pk=household.pk).update(number="H0001234")
    household.refresh_from_db()
    other = make_household(make_person(name="张三明"))
    url = reverse("registry:household_list")
    for query in ("李建", "ljj", household.number):
        page = client.get(url, {"q": query}).content.decode()
        assert reverse("registry:household_detail", args=[household.pk]) in page, query
        assert reverse("registry:household_detail", args=[other.pk]) not in page, query


def test_a_household_is_created_from_its_page_with_a_picked_head(
    make_user, client_for, make_person
) -> None:
    client = client_for(make_user(Role.COMMUNITY_WORKER))
    head = make_person(name="李建军")
    url = reverse("registry:household_new")
    form = client.get(url)
    assert 'data-testid="picker-head"' in form.content.decode()
    response = client.post(url, {"head": head.pk, "address": "榴园路8号", "date": "2026-01-05"})
    assert response.status_code == 302, response.content.decode()[:3000]
    household = Household.objects.get(address="榴园路8号")
    assert household.head == head
    assert HouseholdMember.objects.filter(household=household, person=head).exists()
    assert response["Location"] == reverse("registry:household_detail", args=[household.pk])


def test_a_leader_sees_no_create_button_as_they_may_not_edit(make_user, client_for) -> None:
    page = client_for(make_user(Role.LEADER)).get(reverse("registry:household_list"))
    assert 'data-testid="household-new"' not in page.content.decode()


def test_picker_and_household_searches_are_audited_without_the_words_searched(
    make_user, client_for, make_person
) -> None:
    from jisheng.audit.models import AuditEvent

    worker = make_user(Role.COMMUNITY_WORKER)
    client = client_for(worker)
    woman = make_person(name="王春燕", sex="F")
    client.get(PICK, {"q": "王春", "for": "id_person"})
    client.get(PICK, {"q": woman.id_number, "for": "id_person"})
    client.get(reverse("registry:household_list"), {"q": "李建"})

    searches = AuditEvent.objects.filter(action="search", username=worker.username)
    assert sorted(searches.values_list("object_type", flat=True)) == [
        "registry.household",
        "registry.person",
        "registry.person",
    ]
    stored = str(list(searches.values_list("detail", flat=True)))
    assert "王春" not in stored
    assert woman.id_number not in stored


def test_a_head_from_another_household_is_told_and_moves_only_once_confirmed(
    make_user, client_for, make_person, make_household
) -> None:
    client = client_for(make_user(Role.COMMUNITY_WORKER))
    head = make_person(name="丁宇航")
    old = make_household(head)
    url = reverse("registry:household_new")
    data = {"head": head.pk, "address": "榴园路9号", "date": "2026-01-05"}

    asked = client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")

    page = asked.content.decode()
    assert asked.status_code == 409
    assert "丁宇航" in page
    assert "离开" in page
    assert 'data-testid="confirm"' in page
    assert 'value="榴园路9号"' in page
    assert not Household.objects.filter(address="榴园路9号").exists()

    done = client.post(url, {**data, "confirm": "on"})

    assert done.status_code == 302
    new = Household.objects.get(address="榴园路9号")
    head.refresh_from_db()
    assert head.address == "榴园路9号"
    assert not HouseholdMember.objects.filter(
        household=old, person=head, end_date__isnull=True
    ).exists()
    assert HouseholdMember.objects.filter(
        household=new, person=head, end_date__isnull=True
    ).exists()


def test_reversing_a_new_household_gives_the_head_back_the_old_address(
    make_user, make_person, make_household
) -> None:
    import datetime as dt

    from jisheng.core.actors import Actor
    from jisheng.registry.services import events

    actor = Actor(user=make_user(Role.COMMUNITY_WORKER))
    head = make_person(name="丁宇航")
    make_household(head)
    founded = events.household_found(
        actor=actor, head=head, date=dt.date(2026, 1, 5), address="榴园路9号", confirmed=True
    )

    events.event_reverse(actor=actor, event=founded, reason="录入错误", date=dt.date(2026, 1, 6))

    head.refresh_from_db()
    assert head.address == "测试地址1号"
