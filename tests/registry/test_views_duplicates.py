"""The duplicates review page: pairs side by side, dismiss, merge after a confirmation step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jisheng.core.roles import Role
from jisheng.registry.models import DuplicateFlag, LifeEvent, Person, ResidentStatus
from jisheng.registry.services.persons import flag_likely_duplicates

LIST = reverse("registry:duplicate_list")


@pytest.fixture
def client(make_user, client_for):
    return client_for(make_user(Role.COMMUNITY_WORKER))


@pytest.fixture
def pair(make_person) -> tuple[Person, Person, DuplicateFlag]:
    """The same woman entered twice in community 1: the newer record is flagged."""
    older = make_person(name="王秀英", sex="F", birth_date=dt.date(1970, 2, 2), phone="")
    newer = make_person(name="王秀英", sex="F", birth_date=dt.date(1970, 2, 2))
    [flag] = flag_likely_duplicates(newer)
    return older, newer, flag


def merge_url(flag: DuplicateFlag) -> str:
    return reverse("registry:duplicate_merge", args=[flag.pk])


def dismiss_url(flag: DuplicateFlag) -> str:
    return reverse("registry:duplicate_dismiss", args=[flag.pk])


def test_list_shows_both_records_masked(client, pair) -> None:
    older, newer, flag = pair
    response = client.get(LIST)
    assert response.status_code == 200
    content = response.content.decode()
    assert f'data-flag="{flag.pk}"' in content
    for person in (older, newer):
        assert person.id_number_masked in content
        assert person.id_number not in content
        assert f"{merge_url(flag)}?keep={person.pk}" in content
    assert newer.phone_masked in content
    assert newer.phone not in content


def test_list_shows_only_flags_in_scope(client, org, make_person) -> None:
    make_person(org.c2, name="赵秋菊", birth_date=dt.date(1970, 2, 2))
    flag_likely_duplicates(make_person(org.c2, name="赵秋菊", birth_date=dt.date(1970, 2, 2)))
    assert 'data-testid="flag"' not in client.get(LIST).content.decode()


def test_a_pair_across_communities_is_not_shown_to_either_community(
    client, org, make_person, make_user, client_for
) -> None:
    make_person(org.c2, name="王秀英", sex="F", birth_date=dt.date(1970, 2, 2))
    foreign_address = "外社区专用地址"
    Person.objects.filter(community=org.c2).update(address=foreign_address)
    flag_likely_duplicates(make_person(name="王秀英", sex="F", birth_date=dt.date(1970, 2, 2)))
    content = client.get(LIST).content.decode()
    assert 'data-testid="flag"' not in content
    assert foreign_address not in content
    street = client_for(make_user(Role.STREET_STAFF)).get(LIST).content.decode()
    assert 'data-testid="flag"' in street


def test_dismiss(client, pair) -> None:
    _older, _newer, flag = pair
    response = client.post(dismiss_url(flag))
    assert response.status_code == 302
    assert response["Location"] == LIST
    flag.refresh_from_db()
    assert flag.state == DuplicateFlag.State.NOT_DUPLICATE
    assert Person.objects.filter(status=ResidentStatus.LIVING).count() == 2
    assert 'data-testid="flag"' not in client.get(LIST).content.decode()


def test_dismissing_twice_shows_a_message(client, pair) -> None:
    _older, _newer, flag = pair
    first = client.post(dismiss_url(flag), follow=True)
    assert [m.level_tag for m in first.context["messages"]] == ["success"]
    response = client.post(dismiss_url(flag), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_merge_asks_for_confirmation_first(client, pair) -> None:
    older, newer, flag = pair
    response = client.get(merge_url(flag), {"keep": older.pk})
    assert response.status_code == 200
    assert response.context["keep"] == older
    assert response.context["drop"] == newer
    assert 'data-testid="confirm-merge"' in response.content.decode()
    flag.refresh_from_db()
    assert flag.state == DuplicateFlag.State.OPEN


def test_merge_keeps_the_chosen_record(client, pair, make_user) -> None:
    older, newer, flag = pair
    LifeEvent.objects.create(
        kind=LifeEvent.Kind.REGISTRATION,
        person=newer,
        community=newer.community,
        date=dt.date(2026, 1, 1),
    )
    response = client.post(merge_url(flag), {"keep": older.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:person_detail", args=[older.pk])
    flag.refresh_from_db()
    assert flag.state == DuplicateFlag.State.MERGED
    assert Person.objects.get(pk=newer.pk).status == ResidentStatus.VOIDED
    kept = Person.objects.get(pk=older.pk)
    assert kept.status == ResidentStatus.LIVING
    assert kept.phone == newer.phone  # the kept record had none
    assert LifeEvent.objects.get().person == kept


def test_merge_with_a_record_not_in_the_pair_is_refused(client, pair, make_person) -> None:
    _older, _newer, flag = pair
    stranger = make_person(name="路人")
    assert client.get(merge_url(flag), {"keep": stranger.pk}).status_code == 400
    assert client.get(merge_url(flag)).status_code == 400
    response = client.post(merge_url(flag), {"keep": stranger.pk}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    flag.refresh_from_db()
    assert flag.state == DuplicateFlag.State.OPEN
    assert not Person.objects.filter(status=ResidentStatus.VOIDED).exists()


def test_foreign_flag_is_not_found(client, org, make_person) -> None:
    keep = make_person(org.c2, name="赵秋菊", birth_date=dt.date(1970, 2, 2))
    [flag] = flag_likely_duplicates(
        make_person(org.c2, name="赵秋菊", birth_date=dt.date(1970, 2, 2))
    )
    assert client.get(merge_url(flag), {"keep": keep.pk}).status_code == 404
    assert client.post(merge_url(flag), {"keep": keep.pk}).status_code == 404
    assert client.post(dismiss_url(flag)).status_code == 404
    flag.refresh_from_db()
    assert flag.state == DuplicateFlag.State.OPEN


@pytest.mark.parametrize("role", [Role.LEADER, Role.DISTRICT_SUPERVISOR])
def test_viewers_cannot_review(role, make_user, client_for, pair) -> None:
    older, _newer, flag = pair
    viewer = client_for(make_user(role))
    assert viewer.get(LIST).status_code == 403
    assert viewer.post(dismiss_url(flag)).status_code == 403
    assert viewer.post(merge_url(flag), {"keep": older.pk}).status_code == 403
    flag.refresh_from_db()
    assert flag.state == DuplicateFlag.State.OPEN


def test_navigation_links_the_review_page_for_editors(client, make_user, client_for) -> None:
    assert LIST in client.get(reverse("registry:person_list")).content.decode()
    leader = client_for(make_user(Role.LEADER))
    assert LIST not in leader.get(reverse("registry:person_list")).content.decode()
