from django.urls import path

from jisheng.registry import views
from jisheng.registry.import_urls import urlpatterns as import_urlpatterns

app_name = "registry"
urlpatterns = [
    path("persons/", views.person_list, name="person_list"),
    path("persons/<int:person_id>/", views.person_detail, name="person_detail"),
    path("households/", views.household_list, name="household_list"),
    path("households/<int:household_id>/", views.household_detail, name="household_detail"),
    *import_urlpatterns,
]
