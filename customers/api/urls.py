"""Routes the customers app adds under /api/v1/."""

from .views import ContactViewSet, CustomerViewSet


def register(router) -> None:
    router.register("customers", CustomerViewSet, basename="customer")
    router.register("contacts", ContactViewSet, basename="contact")
