from django.utils.translation import gettext_lazy as _

from core import access
from core.basedata import may_manage
from core.navigation import NavItem, add, add_child

from .models import Customer

add(NavItem(_("Customers"), "", icon="users", key="customers", order=10, children=[
    NavItem(_("Customers"), "customers:customer_list", visible=lambda u: access.can(u, "read", Customer)),
    NavItem(_("Contacts"), "customers:contact_list", visible=lambda u: access.can(u, "read", Customer)),
    NavItem(_("Public pool"), "customers:pool_list", visible=lambda u: access.can(u, "read", Customer)),
    NavItem(_("Assignment history"), "customers:assignment_list", visible=lambda u: access.can(u, "read", Customer)),
    NavItem(_("Customer statistics"), "customers:customer_stats", visible=lambda u: access.can(u, "read", Customer)),
]))

add_child("system", NavItem(_("Public pools"), "customers:pool_manage", icon="lifebuoy", visible=may_manage, order=16))
