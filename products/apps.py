from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProductsConfig(AppConfig):
    name = "products"
    verbose_name = _("Products")

    def ready(self):
        # Registrations: gate, menu entries and pages.
        from . import access, navigation, ui  # noqa: F401
