"""Pages of contacts (联系人): the generic pages, with a detail page that adds important dates, the
contact's follow-ups and vCard download, and writes through customers.services_contact."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from core import ui

from .models import Contact


@ui.register
class ContactUI(ui.ModelUI):
    model = Contact
    icon = "address-book"
    list_columns = ["name", "customer", "title", "department_name", "mobile", "phone", "email", "wechat", "gender",
                    "birthday", "decision_role", "attitude", "owner", "created_at"]
    default_columns = ["name", "customer", "title", "mobile", "email", "decision_role", "attitude", "birthday"]
    search_fields = ["name", "mobile", "phone", "email", "wechat", "customer__name"]
    form_fields = ["customer", "name", "title", "department_name", "mobile", "phone", "email", "wechat", "gender",
                   "birthday", "decision_role", "attitude", "notes"]
    select_related = ["customer"]
    # The ticked contacts of the list as one .vcf file.
    batch_buttons = [
        {"url_name": "customers:contact_vcard_list", "icon": "id", "label": _("vCard"), "needs": "export"},
    ]

    def create(self, *, actor, data: dict, custom: dict):
        from . import services_contact

        return services_contact.contact_create(actor=actor, data=data, custom=custom)

    def update(self, *, actor, instance, data: dict, custom: dict, expected_version: int | None):
        from . import services_contact

        return services_contact.contact_update(actor=actor, instance=instance, data=data, custom=custom,
                                               expected_version=expected_version)

    def delete(self, *, actor, instance):
        from . import services_contact

        return services_contact.contact_delete(actor=actor, instance=instance)

    def urls(self) -> list:
        from . import views_contacts as views

        n = self.model_name
        kw = {"ui": self}
        detail = path(f"{n}/<int:pk>/", views.ContactDetailPage.as_view(**kw), name=f"{n}_detail")
        return [
            path(f"{n}/vcard/", views.contacts_vcard, name=f"{n}_vcard_list"),
            path(f"{n}/<int:pk>/vcard/", views.contact_vcard, name=f"{n}_vcard"),
            path(f"{n}/<int:pk>/dates/", views.contact_dates, name=f"{n}_dates"),
            *[detail if p.name == f"{n}_detail" else p for p in super().urls()],
        ]


# Follow-ups and the reminder job live in modules of their own; importing them here registers them
# when the app is ready (this module is imported from CustomersConfig.ready).
