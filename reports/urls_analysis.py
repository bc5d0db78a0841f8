"""Pages of the 卓越精财 analyses (customer opportunity / project analysis, product quote detail)."""

from django.urls import path

from . import views_analysis

urlpatterns = [
    path("opportunity-analysis/", views_analysis.AnalysisPage.as_view(), name="opportunity_analysis"),
    path("project-analysis/", views_analysis.ProjectAnalysisPage.as_view(), name="project_analysis"),
    path("quote-detail/", views_analysis.QuoteDetailPage.as_view(), name="quote_detail"),
]
