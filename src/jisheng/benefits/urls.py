from django.urls import path

from jisheng.benefits.urls_care import urlpatterns as care_urlpatterns
from jisheng.benefits.views import programs

app_name = "benefits"
urlpatterns = [
    path("", programs.program_list, name="index"),
    *care_urlpatterns,
]
