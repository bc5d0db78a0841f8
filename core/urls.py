from django.urls import include, path

from . import autocomplete, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("autocomplete/<str:key>/", autocomplete.autocomplete, name="autocomplete"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
    path("settings/", include("core.urls_basedata")),
    path("jobs/", include("core.urls_jobs")),
    path("imports/", include("core.urls_imports")),
    path("records/", include("core.urls_records")),
]
