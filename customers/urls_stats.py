"""Customer statistics page and its Excel export (included by customers/urls.py, namespace "customers")."""

from django.urls import path

from . import views_stats

urlpatterns = [
    path("stats/", views_stats.StatsPage.as_view(), name="customer_stats"),
    path("stats/export/", views_stats.StatsExport.as_view(), name="customer_stats_export"),
]
