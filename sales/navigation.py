from django.utils.translation import gettext_lazy as _

from core import access
from core.basedata import may_manage
from core.navigation import NavItem, add, add_child

from .models import Opportunity, Project, Quote

add(NavItem(_("Sales"), "", icon="target", key="sales", order=20, children=[
    NavItem(_("Opportunities"), "sales:opportunity_list", icon="target", order=10,
            visible=lambda u: access.can(u, "read", Opportunity)),
    NavItem(_("Opportunity board"), "sales:opportunity_board", icon="layout-kanban", order=11,
            visible=lambda u: access.can(u, "read", Opportunity)),
    NavItem(_("Contact records"), "sales:contactrecord_list", icon="notes", order=12,
            visible=lambda u: access.can(u, "read", Opportunity)),
    NavItem(_("Projects"), "sales:project_list", icon="briefcase", order=30,
            visible=lambda u: access.can(u, "read", Project)),
    NavItem(_("Maintenance records"), "sales:maintenancerecord_list", icon="tool", order=31,
            visible=lambda u: access.can(u, "read", Project)),
    NavItem(_("Quotes"), "sales:quote_list", icon="file-invoice", order=40,
            visible=lambda u: access.can(u, "read", Quote)),
]))
add_child("system", NavItem(_("Stage alert rules"), "sales:stage_rules", icon="alarm", visible=may_manage, order=16))
add_child("system", NavItem(_("Quote template"), "sales:quote_template", icon="file-invoice", visible=may_manage, order=17))
