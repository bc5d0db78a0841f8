from django.urls import path

from . import views_auth as views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.login_totp_view, name="login_totp"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("profile/", views.profile_view, name="profile"),
    path("profile/two-factor/", views.totp_setup_view, name="totp_setup"),
    path("profile/two-factor/off/", views.totp_disable_view, name="totp_disable"),
    path("login-history/", views.login_history_view, name="login_history"),
    path("security/", views.security_policy_view, name="security_policy"),
]
