"""A small company for the contact, follow-up and 360 tests (imported by those test modules).

销售部 has two groups. seller and peer sit in 华东组, outsider in 华西组, all with the "own" scope;
manager has "department and sub-departments" over 销售部 and is seller's superior; reader may read
everything but change nothing of his own.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.basedata import ensure_default_lookups
from core.models import LookupItem
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Contact, Customer
from org.models import Scope

MODULE = "customers.customer"


@dataclass
class World:
    seller: object
    peer: object
    outsider: object
    manager: object
    reader: object
    mine: Customer
    theirs: Customer
    visit: LookupItem
    phone: LookupItem


def build_world() -> World:
    ensure_default_lookups(["contact_method"])
    sales = make_department("销售部")
    east, west = make_department("华东组", sales), make_department("华西组", sales)
    own = make_role(grants=full_grants(MODULE, Scope.OWN))
    manager = make_user("manager", department=sales, roles=[make_role(grants=full_grants(MODULE, Scope.SUBTREE))])
    seller = make_user("seller", department=east, roles=[own], superior=manager)
    peer = make_user("peer", department=east, roles=[own])
    outsider = make_user("outsider", department=west, roles=[own])
    reader_grants = {MODULE: {"read": Scope.ALL, "update": Scope.OWN, "create": Scope.OWN}}
    reader = make_user("reader", department=sales, roles=[make_role(grants=reader_grants)])
    return World(
        seller=seller, peer=peer, outsider=outsider, manager=manager, reader=reader,
        mine=customer_of(seller, "上海明远精密机械有限公司"), theirs=customer_of(outsider, "成都天府软件有限公司"),
        visit=LookupItem.objects.get(kind="contact_method", code="visit"),
        phone=LookupItem.objects.get(kind="contact_method", code="phone"),
    )


def customer_of(user, name: str) -> Customer:
    return Customer.objects.create(name=name, owner=user, department=user.department, created_by=user)


def contact_of(customer: Customer, name: str = "张伟", **extra) -> Contact:
    return Contact.objects.create(customer=customer, name=name, owner=customer.owner, department=customer.department,
                                  created_by=customer.created_by, **extra)
