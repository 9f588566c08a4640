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
