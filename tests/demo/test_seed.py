"""The demo instance: what it creates, and that production refuses it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings

from jisheng.accounts.models import User
from jisheng.core.errors import JishengError
from jisheng.core.idnumber import validate_id_number
from jisheng.core.models import OrgUnit
from jisheng.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from jisheng.registry.models import Household, Person


@pytest.mark.django_db
def test_demo_creates_tree_accounts_and_population() -> None:
    seed_demo(persons=300)
    assert OrgUnit.objects.get(code="370404").name == "峄城区"
    assert OrgUnit.objects.get(code="370404002").name == "坛山街道"
    assert OrgUnit.objects.filter(kind__in=["community", "village"]).count() >= 10
    assert not OrgUnit.objects.filter(is_demo=False).exists()
    assert Person.objects.count() == 300
    assert Household.objects.count() > 50
    for username, _name, role, _unit in DEMO_ACCOUNTS:
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert user.role_set == {role}
    c1, c2 = User.objects.get(username="demo_c1"), User.objects.get(username="demo_c2")
    assert c1.org_unit != c2.org_unit
    assert c1.org_unit.is_community
    assert c2.org_unit.is_community
    for person in Person.objects.all()[:50]:
        validate_id_number(person.id_number, sex=person.sex, birth_date=person.birth_date)


@pytest.mark.django_db
def test_demo_is_refused_on_production_settings() -> None:
    with override_settings(JISHENG_ENV="production"), pytest.raises(JishengError):
        seed_demo(persons=10)
    assert not User.objects.filter(username="demo_c1").exists()


@pytest.mark.django_db
def test_second_demo_start_reuses_the_instance(capsys) -> None:
    call_command("demo", persons=50, no_serve=True)
    first = Person.objects.count()
    call_command("demo", persons=50, no_serve=True)
    assert Person.objects.count() == first == 50
    assert "Creating" not in capsys.readouterr().out.split("Instance ready")[-1]


@pytest.mark.django_db
def test_demo_accounts_needing_a_second_factor_sign_in_with_the_printed_key() -> None:
    from django.test import Client

    from jisheng.accounts.two_factor import SECOND_FACTOR_ROLES
    from jisheng.demo.seed import demo_totp_code, seed_accounts, seed_org_tree

    district, street, communities = seed_org_tree()
    seed_accounts(district, street, communities)
    for username, _name, role, _unit in DEMO_ACCOUNTS:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": username, "password": DEMO_PASSWORD}
        )
        if role not in SECOND_FACTOR_ROLES:
            assert response.url == "/", username
            continue
        assert response.url == "/accounts/two-factor/verify/", username
        response = client.post("/accounts/two-factor/verify/", {"code": demo_totp_code()})
        assert response.url == "/", username


def test_demo_code_option_prints_the_current_code(capsys: pytest.CaptureFixture[str]) -> None:
    from jisheng.demo.seed import demo_totp_code

    before = demo_totp_code()
    call_command("demo", "--code")
    # The code may roll over to the next time step during the call.
    assert capsys.readouterr().out.strip() in {before, demo_totp_code()}
