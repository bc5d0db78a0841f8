"""The sales world plus products and a manager for the quote tests."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.testing import full_grants, make_role, make_user
from org.models import Grant, Scope
from products.models import PriceLevelGrant
from products.tests.world import coffee, levels_with_prices
from sales import services_records
from sales.models import ContactRecord

from .world import build_world, opportunity

QUOTE_MODULES = ("sales.quote", "products.product")


@dataclass
class QuoteWorld:
    w: object
    manager: object
    product: object
    levels: dict
    record: ContactRecord


def add_grants(user, scope=Scope.OWN) -> None:
    role = user.roles.first()
    for module in QUOTE_MODULES:
        # Everyone in the company sees the product catalogue.
        module_scope = Scope.ALL if module == "products.product" else scope
        for action, level in full_grants(module, module_scope)[module].items():
            Grant.objects.update_or_create(role=role, module=module, action=action, defaults={"scope": level})


def build() -> QuoteWorld:
    w = build_world()
    product = coffee()
    levels = levels_with_prices(product)
    # The seller may quote down to the wholesale price (3.60 per 袋) on their own.
    add_grants(w.seller)
    add_grants(w.outsider)
    PriceLevelGrant.objects.create(role=w.seller.roles.first(), level=levels["批发价"])
    grants = {}
    for module in ("customers.customer", "sales.opportunity", "sales.project", *QUOTE_MODULES):
        grants.update(full_grants(module, Scope.SUBTREE))
    manager = make_user("manager", department=w.seller.department.parent, roles=[make_role("mgr", grants=grants)])
    opp = opportunity(w)
    record = services_records.record_create(actor=w.seller, model=ContactRecord,
                                            data={"opportunity": opp, "content": "报价"})
    return QuoteWorld(w=w, manager=manager, product=product, levels=levels, record=record)


def line(q, **extra) -> dict:
    values = {"product": q.product, "unit": q.product.base_unit, "quantity": Decimal("10"),
              "unit_price": Decimal("4.00"), "discount": Decimal("0"), "tax_rate": Decimal("13")}
    values.update(extra)
    return values
