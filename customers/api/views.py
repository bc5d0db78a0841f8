"""Customers and contacts over the API: the generic gated viewset with the customers ModelUIs."""

from core.api.viewsets import GatedModelViewSet
from customers.ui import ContactUI, CustomerUI

from .serializers import ContactSerializer, CustomerSerializer


class CustomerViewSet(GatedModelViewSet):
    """Customers (客户) you may see; writes are audited, versioned and scope-checked."""

    ui = CustomerUI
    serializer_class = CustomerSerializer


class ContactViewSet(GatedModelViewSet):
    """Contacts (联系人); their scope follows their customer."""

    ui = ContactUI
    serializer_class = ContactSerializer
