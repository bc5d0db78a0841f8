"""A small company for the sales tests: seller and outsider each own customers with the "own"
scope on customers, opportunities and projects; boss is an administrator."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from core.basedata import ensure_default_lookups, get_item
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Contact, Customer
from org.models import Scope
from sales import services

MODULES = ("customers.customer", "sales.opportunity", "sales.project")


@dataclass
class World:
    seller: object
    outsider: object
    boss: object
    mine: Customer
    theirs: Customer
    contact: Contact


def grants(scope=Scope.OWN) -> dict:
    out = {}
    for module in MODULES:
        out.update(full_grants(module, scope))
    return out


def build_world() -> World:
    ensure_default_lookups(["sales_stage", "lost_reason", "customer_source"])
    sales = make_department("销售部")
    east, west = make_department("华东组", sales), make_department("华西组", sales)
    own = make_role(grants=grants())
    seller = make_user("seller", department=east, roles=[own])
    outsider = make_user("outsider", department=west, roles=[own])
    boss = make_user("boss", superuser=True, department=sales)
    mine = customer_of(seller, "上海明远精密机械有限公司")
    contact = Contact.objects.create(customer=mine, name="张伟", owner=seller, department=east, created_by=seller)
    return World(seller=seller, outsider=outsider, boss=boss, mine=mine, theirs=customer_of(outsider, "成都天府软件"),
                 contact=contact)


def customer_of(user, name: str) -> Customer:
    return Customer.objects.create(name=name, owner=user, department=user.department, created_by=user)


def stage(code: str):
    return get_item("sales_stage", code)


def opportunity(world: World, *, actor=None, **data):
    values = {"subject": "数控机床改造", "customer": world.mine, "stage": stage("initial"),
              "expected_amount": Decimal("100000.00")}
    values.update(data)
    return services.opportunity_create(actor=actor or world.seller, data=values)
