from django.urls import path

from jisheng.contraceptives import views

app_name = "contraceptives"
urlpatterns = [
    path("", views.index, name="index"),
]
