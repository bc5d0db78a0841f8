"""Menu entry of the customer basic data page (categories and tags) under "System"."""

from django.utils.translation import gettext_lazy as _

from core.basedata import may_manage
from core.navigation import NavItem, add_child

add_child("system", NavItem(_("Customer categories and tags"), "customers:customer_basedata", icon="tags",
                            visible=may_manage, order=15))
