"""A small company for the contracts tests: seller and outsider each own customers with the "own"
scope on customers, products (read), contracts, orders and receivables; boss is an administrator."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from contracts import services
from contracts.models import Contract
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Contact, Customer
from org.models import Scope
from products.models import Product, Unit, UnitConversion

MODULES = ("customers.customer", "contracts.contract", "contracts.order", "contracts.receivable")
SIGNED = datetime.date(2026, 11, 2)


@dataclass
class World:
    seller: object
    outsider: object
    boss: object
    mine: Customer
    theirs: Customer
    contact: Contact
    product: Product
    box: Unit


def grants(scope=Scope.OWN) -> dict:
    out = full_grants("products.product", Scope.ALL, actions=["read"])
    for module in MODULES:
        out.update(full_grants(module, scope))
    return out


def build_world() -> World:
    sales = make_department("销售部")
    east, west = make_department("华东组", sales), make_department("华西组", sales)
    own = make_role(grants=grants())
    seller = make_user("seller", department=east, roles=[own])
    outsider = make_user("outsider", department=west, roles=[own])
    boss = make_user("boss", superuser=True, department=sales)
    mine = Customer.objects.create(name="上海明远精密机械有限公司", owner=seller, department=east, created_by=seller)
    theirs = Customer.objects.create(name="成都天府软件", owner=outsider, department=west, created_by=outsider)
    contact = Contact.objects.create(customer=mine, name="张伟", owner=seller, department=east, created_by=seller)
    bag, box = Unit.objects.create(name="袋"), Unit.objects.create(name="箱")
    product = Product.objects.create(code="P-1", name="轴承", base_unit=bag, list_price=Decimal("10.00"),
                                     tax_rate=Decimal("13"))
    UnitConversion.objects.create(product=product, unit=box, factor=Decimal("24"))
    return World(seller=seller, outsider=outsider, boss=boss, mine=mine, theirs=theirs, contact=contact,
                 product=product, box=box)


def contract(world: World, *, actor=None, lines=None, plan=None, **data) -> Contract:
    values = {"title": "数控机床供货合同", "customer": world.mine, "sign_date": SIGNED}
    values.update(data)
    if lines is None:
        lines = [{"product": world.product, "quantity": "3", "price": "333.33", "discount": "10"}]
    return services.document_create(actor=actor or world.seller, model=Contract, data=values, lines=lines,
                                    plan=plan)
