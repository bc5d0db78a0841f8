from django.utils.translation import gettext_lazy as _

from core import access
from core.basedata import may_manage
from core.navigation import NavItem, add

from .models import Lead

add(NavItem(_("Marketing"), "", icon="speakerphone", key="marketing", order=15, children=[
    NavItem(_("Leads"), "marketing:lead_list", icon="target-arrow", visible=lambda u: access.can(u, "read", Lead)),
    NavItem(_("Lead pool"), "marketing:lead_pool", icon="inbox", visible=lambda u: access.can(u, "read", Lead)),
    NavItem(_("Lead teams"), "marketing:team_list", icon="users-group", visible=may_manage, order=60),
    NavItem(_("Web forms"), "marketing:form_list", icon="forms", visible=may_manage, order=70),
]))
