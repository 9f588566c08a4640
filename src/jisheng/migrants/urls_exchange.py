"""Exchange pages (a separate URL module beside the records' ``urls.py``)."""

from django.urls import path

from jisheng.migrants.views import exchange as views

app_name = "migrants_exchange"

urlpatterns = [
    path("", views.received, name="received"),
    path("sent/", views.sent, name="sent"),
    path("notices/<int:notice_id>/", views.notice_detail, name="notice_detail"),
    path("queries/", views.queries, name="queries"),
    path("queries/<int:query_id>/", views.query_detail, name="query_detail"),
    path("assessment/", views.assessment, name="assessment"),
    path("assessment/xlsx/", views.assessment_xlsx, name="assessment_xlsx"),
    path("peers/", views.peers, name="peers"),
]
