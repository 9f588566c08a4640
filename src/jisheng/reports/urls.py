from django.urls import path

from jisheng.reports import views
from jisheng.reports.dashboards import views as dashboards

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", dashboards.dashboard, name="dashboard"),
]
