from django.utils.translation import gettext_lazy as _

from core import access
from core.navigation import NavItem, add

from .models import Customer

add(NavItem(_("Customers"), "", icon="users", key="customers", order=10, children=[
    NavItem(_("Customers"), "customers:customer_list", visible=lambda u: access.can(u, "read", Customer)),
    NavItem(_("Contacts"), "customers:contact_list", visible=lambda u: access.can(u, "read", Customer)),
]))
