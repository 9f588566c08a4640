from django.urls import path

from jisheng.accounts import calendar_views, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/", views.two_factor_page, name="two_factor"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("two-factor/enrol/", views.two_factor_enrol, name="two_factor_enrol"),
    path("two-factor/codes/", views.two_factor_codes, name="two_factor_codes"),
    path("password/", views.password_change, name="password_change"),
    path("users/", views.user_list, name="user_list"),
    path("users/<int:user_id>/toggle-active/", views.user_toggle_active, name="user_toggle_active"),
    path("roles/", views.role_list, name="role_list"),
    path("roles/<int:user_id>/grant/", views.role_grant, name="role_grant"),
    path("roles/<int:user_id>/revoke/<str:role>/", views.role_revoke, name="role_revoke"),
    path(
        "roles/<int:user_id>/reset-second-factor/",
        views.second_factor_reset,
        name="second_factor_reset",
    ),
    path("org-units/", views.org_units, name="org_units"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path(
        "calendar/<int:day_id>/remove/", calendar_views.calendar_day_remove, name="calendar_remove"
    ),
    path("tokens/", views.token_list, name="token_list"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
