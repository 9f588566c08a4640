from django.urls import path

from jisheng.reports import views

app_name = "reports"
urlpatterns = [path("", views.home, name="home")]
