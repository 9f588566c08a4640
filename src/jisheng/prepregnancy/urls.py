from django.urls import path

from jisheng.prepregnancy import views

app_name = "prepregnancy"
urlpatterns = [
    path("", views.index, name="index"),
]
