"""Codes are shown as what they mean: a registered residence by its place name, an
ethnicity by its name, in the resident's page and in the subject-access report."""

from __future__ import annotations

from jisheng.core.actors import Actor
from jisheng.core.divisions import division_name
from jisheng.core.roles import Role
from jisheng.registry.models import Person
from jisheng.registry.subject_access import subject_access_report


def test_a_division_code_is_named_by_the_org_tree_or_its_province(org) -> None:
    assert division_name("370404") == "山东省峄城区（370404）"
    assert division_name("110105") == "北京市（110105）"
    assert division_name("990000") == "990000"
    assert division_name("") == ""


def test_the_report_names_ethnicity_and_registered_residence(org, make_person, make_user) -> None:
    person = make_person(name="王秀英", sex="F")
    Person.objects.filter(pk=person.pk).update(ethnicity="01", hukou_division="370404")
    staff = make_user(Role.STREET_STAFF)

    report = subject_access_report(actor=Actor(user=staff), person_id=person.pk)

    (section,) = [s for s in report.sections if s.key == "registry.person"]
    row = dict(zip(section.header, section.rows[0], strict=True))
    assert row["民族"] == "汉族"
    assert row["户籍地"] == "山东省峄城区（370404）"


def test_the_residents_page_names_the_registered_residence(
    org, make_person, make_user, client_for
) -> None:
    person = make_person(name="王秀英", sex="F")
    Person.objects.filter(pk=person.pk).update(hukou_division="370404")

    body = client_for(make_user(Role.STREET_STAFF)).get(f"/registry/persons/{person.pk}/")

    assert "山东省峄城区（370404）" in body.content.decode()
