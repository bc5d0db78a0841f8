"""Routes the sales app adds under /api/v1/."""

from .views import ContactRecordViewSet, MaintenanceRecordViewSet, OpportunityViewSet, ProjectViewSet
from .views_quotes import QuoteViewSet


def register(router) -> None:
    router.register("opportunities", OpportunityViewSet, basename="opportunity")
    router.register("contact-records", ContactRecordViewSet, basename="contact-record")
    router.register("projects", ProjectViewSet, basename="project")
    router.register("maintenance-records", MaintenanceRecordViewSet, basename="maintenance-record")
    router.register("quotes", QuoteViewSet, basename="quote")
