"""Pages of the pipeline reports: sales funnel, Top N and receivables tracking."""

from django.urls import path

from .funnel import FunnelPage
from .receivables import ReceivablesPage
from .top import TopPage

urlpatterns = [
    path("funnel/", FunnelPage.as_view(), name="funnel"),
    path("top/", TopPage.as_view(), name="top"),
    path("receivables/", ReceivablesPage.as_view(), name="receivables"),
]
