from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = _("Sales")

    def ready(self):
        # Registrations: gate, pages, menu, customer 360 figures/tab and delete rule, periodic jobs.
        from . import access, customer_links, navigation, recycle, services_quotes, tasks, ui, ui_quotes  # noqa: F401
