from django.urls import path

from jisheng.core import views

app_name = "core"
urlpatterns = [
    path("tasks/<int:progress_id>/", views.task_progress, name="task_progress"),
    path("tasks/<int:progress_id>/download/", views.task_download, name="task_download"),
]
