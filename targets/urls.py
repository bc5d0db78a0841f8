"""Pages of the targets app (namespace "targets")."""

from django.urls import path

from . import views

app_name = "targets"
urlpatterns = [
    path("", views.progress_page, name="progress"),
    path("export/", views.progress_export, name="export"),
    path("edit/", views.target_edit, name="edit"),
    path("<int:pk>/", views.target_detail, name="detail"),
]
