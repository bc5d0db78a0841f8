from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("Contracts and receivables")

    def ready(self):
        # Registrations: gate, pages, menu, customer 360 figures/tab and delete rule, periodic jobs.
        from . import access, customer_links, navigation, tasks, ui  # noqa: F401
