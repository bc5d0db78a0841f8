"""/api/v1/reports/funnel/, /top/ and /receivables/ (the pipeline reports)."""

from django.urls import path

from .views_pipeline import FunnelView, ReceivablesView, TopView

urlpatterns = [
    path("funnel/", FunnelView.as_view(), name="api-report-funnel"),
    path("top/", TopView.as_view(), name="api-report-top"),
    path("receivables/", ReceivablesView.as_view(), name="api-report-receivables"),
]
