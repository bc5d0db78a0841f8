from django.utils.translation import gettext_lazy as _

from core import access
from core.basedata import may_manage
from core.navigation import NavItem, add

from .models import Product


def _reads_products(user) -> bool:
    return access.can(user, "read", Product)


add(NavItem(_("Products"), "", icon="package", key="products", order=30, children=[
    NavItem(_("Products"), "products:product_list", visible=_reads_products, order=10),
    NavItem(_("Product categories"), "products:categories", visible=_reads_products, order=20),
    NavItem(_("Units"), "products:units", visible=may_manage, order=30),
    NavItem(_("Price levels"), "products:price_levels", visible=may_manage, order=40),
]))
