from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # Menu entries of each report family.
        from . import navigation, navigation_analysis, navigation_pipeline  # noqa: F401
