"""/api/v1/reports/… routes of the 卓越精财 analyses."""

from django.urls import path

from .views_analysis import OpportunityAnalysisView, ProjectAnalysisView, QuoteDetailView

urlpatterns = [
    path("opportunity-analysis/", OpportunityAnalysisView.as_view(), name="api-opportunity-analysis"),
    path("project-analysis/", ProjectAnalysisView.as_view(), name="api-project-analysis"),
    path("quote-detail/", QuoteDetailView.as_view(), name="api-quote-detail"),
]
