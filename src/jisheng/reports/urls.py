from django.urls import path

from jisheng.reports import views
from jisheng.reports.dashboards import views as dashboards
from jisheng.reports.forms import views as forms
from jisheng.reports.pivot import views as pivot

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", dashboards.dashboard, name="dashboard"),
    path("reports/forms/", forms.form_index, name="form_index"),
    path("reports/forms/<slug:form>/", forms.form_show, name="form_show"),
    path("reports/forms/<slug:form>/xlsx/", forms.form_xlsx, name="form_xlsx"),
    path("reports/forms/<slug:form>/print/", forms.form_print, name="form_print"),
    path("reports/pivot/", pivot.pivot, name="pivot"),
    path("reports/pivot/xlsx/", pivot.pivot_xlsx, name="pivot_xlsx"),
    path("reports/pivot/print/", pivot.pivot_print, name="pivot_print"),
    path("reports/pivot/favourites/", pivot.favourite_save, name="pivot_favourite_save"),
    path(
        "reports/pivot/favourites/<int:favourite_id>/delete/",
        pivot.favourite_delete,
        name="pivot_favourite_delete",
    ),
]
