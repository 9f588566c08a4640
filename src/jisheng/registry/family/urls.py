"""Routes of the family view and the family corrections."""

from django.urls import URLPattern, path

from jisheng.registry.family import views

urlpatterns: list[URLPattern] = [
    path("persons/<int:person_id>/family/", views.person_family, name="person_family"),
    path("persons/<int:person_id>/family/parent/", views.parent_link, name="family_parent_link"),
    path("persons/<int:person_id>/family/spouse/", views.spouse_link, name="family_spouse_link"),
    path(
        "persons/<int:person_id>/family/child-elsewhere/",
        views.non_resident_child,
        name="family_non_resident_child",
    ),
    path(
        "persons/<int:person_id>/family/facts/",
        views.non_resident_facts,
        name="family_non_resident_facts",
    ),
    path(
        "persons/<int:person_id>/family/links/<int:other_id>/remove/",
        views.parent_unlink,
        name="family_parent_unlink",
    ),
    path(
        "persons/<int:person_id>/family/marriages/<int:marriage_id>/remove/",
        views.spouse_unlink,
        name="family_spouse_unlink",
    ),
    path(
        "persons/<int:person_id>/family/relation/",
        views.member_relation,
        name="family_member_relation",
    ),
    path("households/<int:household_id>/head/", views.household_head, name="household_head"),
]
