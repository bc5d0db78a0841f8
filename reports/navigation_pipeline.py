"""Menu entries of the pipeline reports (funnel, Top N, receivables tracking), under the "Reports"
group that reports.navigation makes (imported first by the app config)."""

from django.utils.translation import gettext_lazy as _

from contracts.models import Receivable
from core import access
from core.navigation import NavItem, add_child
from sales.models import Opportunity

from .top import measures_for

add_child("reports", NavItem(_("Sales funnel"), "reports:funnel", icon="chart-funnel", order=10,
                             visible=lambda u: access.can(u, "read", Opportunity)))
add_child("reports", NavItem(_("Top N"), "reports:top", icon="trophy", order=20,
                             visible=lambda u: bool(measures_for(u))))
add_child("reports", NavItem(_("Receivables tracking"), "reports:receivables", icon="cash", order=30,
                             visible=lambda u: access.can(u, "read", Receivable)))
