"""Contacts over the API; their scope follows their customer."""

from core.api.serializers import SYSTEM_OUTPUT, RecordSerializer
from core.api.viewsets import GatedModelViewSet
from customers.models import Contact
from customers.ui_contacts import ContactUI


class ContactSerializer(RecordSerializer):
    class Meta(RecordSerializer.Meta):
        model = Contact
        fields = [*SYSTEM_OUTPUT, *ContactUI.form_fields]


class ContactViewSet(GatedModelViewSet):
    """Contacts (联系人); their scope follows their customer."""

    ui = ContactUI
    serializer_class = ContactSerializer


def register(router) -> None:
    router.register("contacts", ContactViewSet, basename="contact")
