"""Password storage and strength rules, through the account service."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import identify_hasher

from jisheng.accounts.models import User
from jisheng.accounts.passwords import CharacterClassValidator
from jisheng.accounts.services import password_change, user_create
from jisheng.core.actors import Actor
from jisheng.core.errors import JishengError

GOOD_PASSWORD = "Harbour-lights-42"


def _django_common_passwords() -> set[str]:
    path = Path(password_validation.__file__).parent / "common-passwords.txt.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return {line.strip() for line in handle}


def _create(org, password: str, username: str = "pw_user") -> User:
    return user_create(actor=None, username=username, password=password, org_unit=org.c1)


def test_stored_password_is_an_argon2_hash_not_the_password(org) -> None:
    user = _create(org, GOOD_PASSWORD)

    stored = User.objects.get(pk=user.pk).password
    assert stored.startswith("argon2")
    assert identify_hasher(stored).algorithm == "argon2"
    assert GOOD_PASSWORD not in stored
    assert User.objects.get(pk=user.pk).check_password(GOOD_PASSWORD)


def test_good_password_is_accepted_and_the_account_can_sign_in_with_it(org) -> None:
    user = _create(org, GOOD_PASSWORD)

    assert User.objects.filter(username="pw_user").exists()
    assert user.check_password(GOOD_PASSWORD)
    assert not user.check_password(GOOD_PASSWORD.upper())


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("Ab1-xyz9Qw", id="10-chars-four-classes"),
        pytest.param("Kp7$mR2#vL9", id="11-chars-four-classes"),
    ],
)
def test_password_under_12_characters_is_refused_as_weak(org, password: str) -> None:
    with pytest.raises(JishengError) as excinfo:
        _create(org, password)

    assert excinfo.value.code == "weak_password"
    assert not User.objects.filter(username="pw_user").exists()


def test_twelve_character_password_with_three_classes_is_the_shortest_accepted(org) -> None:
    user = _create(org, "Kp7mR2vL9xQz")

    assert len("Kp7mR2vL9xQz") == 12
    assert User.objects.filter(pk=user.pk).exists()


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("harbourlightsriver", id="lower-only"),
        pytest.param("harbourlights4217", id="lower-and-digits"),
        pytest.param("HarbourLightsRiver", id="lower-and-upper"),
        pytest.param("harbour-lights-river", id="lower-and-symbols"),
        pytest.param("HARBOUR-LIGHTS-RIVER", id="upper-and-symbols"),
    ],
)
def test_password_with_fewer_than_three_character_classes_is_refused(org, password: str) -> None:
    with pytest.raises(JishengError) as excinfo:
        _create(org, password)

    assert excinfo.value.code == "weak_password"
    assert not User.objects.filter(username="pw_user").exists()


def test_common_password_meeting_length_and_class_rules_is_refused_as_weak(org) -> None:
    # "Password1234" has 12 characters and three classes, but is on Django's common list.
    password = "Password1234"
    assert len(password) >= 12
    CharacterClassValidator().validate(password)
    assert password.lower() in _django_common_passwords()

    with pytest.raises(JishengError) as excinfo:
        _create(org, password)

    assert excinfo.value.code == "weak_password"
    assert not User.objects.filter(username="pw_user").exists()


def test_password_too_similar_to_the_user_name_is_refused(org) -> None:
    with pytest.raises(JishengError) as excinfo:
        _create(org, "Zhangwei-2026", username="zhangwei-2026")

    assert excinfo.value.code == "weak_password"


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("zhangwei-2026", "Zhangwei-2026Zhangwei-2026"),
        ("wangfang88", "Wangfang88wangfang88!"),
        ("Li.Na.2026", "lina2026-LINA2026-lina2026"),
    ],
)
def test_password_that_is_the_user_name_written_twice_or_more_is_refused(
    org, username: str, password: str
) -> None:
    with pytest.raises(JishengError) as excinfo:
        _create(org, password, username=username)

    assert excinfo.value.code == "weak_password"
    assert not User.objects.filter(username=username).exists()


def test_password_that_only_contains_the_user_name_twice_among_more_is_accepted(org) -> None:
    user = _create(org, "Wangfang88-at-home-wangfang88", username="wangfang88")

    assert user.check_password("Wangfang88-at-home-wangfang88")


def test_changing_the_password_to_the_current_one_is_refused(org) -> None:
    user = _create(org, GOOD_PASSWORD)

    with pytest.raises(JishengError) as excinfo:
        password_change(
            actor=Actor(user=user), old_password=GOOD_PASSWORD, new_password=GOOD_PASSWORD
        )

    assert excinfo.value.code == "weak_password"
    assert "当前密码" in excinfo.value.message
    password_change(
        actor=Actor(user=user), old_password=GOOD_PASSWORD, new_password="Quiet-river-7788"
    )
    assert User.objects.get(pk=user.pk).check_password("Quiet-river-7788")
