"""Customers over the API: the generic gated viewset with the customer ModelUI."""

from core.api.viewsets import GatedModelViewSet
from customers.ui import CustomerUI

from .serializers import CustomerSerializer


class CustomerViewSet(GatedModelViewSet):
    """Customers (客户) you may see; writes are audited, versioned and scope-checked."""

    ui = CustomerUI
    serializer_class = CustomerSerializer


def register(router) -> None:
    router.register("customers", CustomerViewSet, basename="customer")
