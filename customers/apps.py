from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("Customers")

    def ready(self):
        # Registrations: gate, home panels, menu entries, pages, and the delete rule (usage).
        from . import (  # noqa: F401
            access,
            dashboard,
            importers,
            navigation,
            navigation_customer,
            reminders,
            ui,
            ui_contacts,
            ui_followups,
            usage,
        )
        from .pools import hooks  # noqa: F401  pool history on assign/leave, the daily pool job
