from django.utils.translation import gettext_lazy as _

from core import access
from core.navigation import NavItem, add

from .models import Contract, Order, Receivable

add(NavItem(_("Contracts"), "", icon="file-certificate", key="contracts", order=25, children=[
    NavItem(_("Contracts"), "contracts:contract_list", icon="file-certificate", order=10,
            visible=lambda u: access.can(u, "read", Contract)),
    NavItem(_("Orders"), "contracts:order_list", icon="shopping-cart", order=20,
            visible=lambda u: access.can(u, "read", Order)),
    NavItem(_("Receivables"), "contracts:receivable_list", icon="cash", order=30,
            visible=lambda u: access.can(u, "read", Receivable)),
    NavItem(_("Receipts"), "contracts:receipt_list", icon="receipt", order=40,
            visible=lambda u: access.can(u, "read", Receivable)),
]))
