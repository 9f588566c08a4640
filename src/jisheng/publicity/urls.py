from django.urls import path

from jisheng.publicity import views

app_name = "publicity"

urlpatterns = [
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:activity_id>/", views.activity_detail, name="activity_detail"),
    path(
        "activities/<int:activity_id>/photos/", views.activity_photo_add, name="activity_photo_add"
    ),
    path("activities/<int:activity_id>/cost/", views.activity_cost, name="activity_cost"),
    path("photos/<int:photo_id>/", views.photo, name="photo"),
    path("photos/<int:photo_id>/thumbnail/", views.photo_thumbnail, name="photo_thumbnail"),
    path("assets/", views.asset_list, name="asset_list"),
    path("assets/new/", views.asset_create, name="asset_create"),
    path("assets/<int:asset_id>/", views.asset_detail, name="asset_detail"),
    path("assets/<int:asset_id>/edit/", views.asset_edit, name="asset_edit"),
    path("assets/<int:asset_id>/photos/", views.asset_photo_add, name="asset_photo_add"),
    path("trainings/", views.training_list, name="training_list"),
    path("trainings/new/", views.training_create, name="training_create"),
    path("trainings/<int:training_id>/", views.training_detail, name="training_detail"),
    path("trainings/<int:training_id>/cost/", views.training_cost, name="training_cost"),
    path("staff/<int:user_id>/trainings/", views.staff_trainings, name="staff_trainings"),
    path("coverage/", views.coverage, name="coverage"),
]
