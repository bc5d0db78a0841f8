"""Menu entries of the 卓越精财 analyses (customer opportunity / project analysis, product quote detail),
under the "Reports" group that reports.navigation makes (imported first by the app config)."""

from django.utils.translation import gettext_lazy as _

from core import access
from core.navigation import NavItem, add_child

add_child("reports", NavItem(_("Opportunity analysis"), "reports:opportunity_analysis", icon="chart-bar", order=40,
                             visible=lambda u: access.can(u, "read", "sales.opportunity")))
add_child("reports", NavItem(_("Project analysis"), "reports:project_analysis", icon="chart-bar", order=41,
                             visible=lambda u: access.can(u, "read", "sales.project")))
add_child("reports", NavItem(_("Product quote detail"), "reports:quote_detail", icon="file-invoice", order=42,
                             visible=lambda u: access.can(u, "read", "sales.quote")))
