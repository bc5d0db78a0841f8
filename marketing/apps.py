from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "marketing"
    verbose_name = _("Marketing")

    def ready(self):
        # Registrations: basic data list, gate, pages, menu, assignment hook and the lead importer.
        from . import access, basedata, hooks, importers, navigation, ui  # noqa: F401
