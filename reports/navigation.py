"""The "Reports" menu group; each report family adds its entries with add_child("reports", …)."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem, add

add(NavItem(_("Reports"), "", icon="chart-bar", key="reports", order=70))
