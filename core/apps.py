from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Platform")

    def ready(self):
        from django.db.models import CharField

        from . import (
            checks,  # noqa: F401  (registers the gate's system check)
            navigation_basedata,  # noqa: F401
        )
        from .lookups import AnyOf

        CharField.register_lookup(AnyOf)
