from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self):
        # Registrations: gate, home panels, menu entries, pages, and the delete rule (usage).
        from . import access, dashboard, navigation, navigation_customer, reminders, ui, ui_contacts, ui_followups, usage  # noqa: F401
