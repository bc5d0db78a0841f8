from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Platform")

    def ready(self):
        from django.db.models import CharField
        from django.db.models.signals import post_delete, post_save

        from org.models import Department

        from . import (
            checks,  # noqa: F401  (registers the gate's system check)
            navigation_basedata,  # noqa: F401
        )
        from .access import departments_changed, shares_changed
        from .lookups import AnyOf
        from .models import RecordShare

        CharField.register_lookup(AnyOf)
        post_save.connect(shares_changed, sender=RecordShare, dispatch_uid="zg-shares-changed")
        post_delete.connect(shares_changed, sender=RecordShare, dispatch_uid="zg-shares-changed")
        post_save.connect(departments_changed, sender=Department, dispatch_uid="zg-departments-changed")
        post_delete.connect(departments_changed, sender=Department, dispatch_uid="zg-departments-changed")
