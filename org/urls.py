from django.urls import include, path

app_name = "org"

urlpatterns = [
    path("", include("org.urls_auth")),
    path("", include("org.urls_admin")),
]
