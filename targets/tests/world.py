"""A small company for the targets tests, with a hand-made set of contracts and receipts in 2026.

sales (root) ─ east: seller (own scope), manager (department and below; may set targets)
             └ west: seller2 (own scope)
boss is an administrator; narrow reads every target but only their own contracts and receipts.

Counted contract amounts of 2026 (approved, executing, completed by sign date):
  seller   Jan 1000.10 · Feb 2000.00 · Apr 300.33   (a draft, a cancelled and a 2025 contract do not count)
  manager  Feb 123.45
  seller2  Jan 4000.00
Receipts of 2026 (by date): seller Jan 800.00 · Feb 199.99 (and one in 2025); seller2 Mar 1000.00.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from contracts.models import Contract, DocumentStatus, Receipt, Receivable
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Customer
from org.models import Scope
from targets.access import MODULE
from targets.models import Level, Measure, PeriodKind, SalesTarget

D = Decimal
YEAR = 2026
READ_ONLY = ["read", "print"]


@dataclass
class World:
    sales: object
    east: object
    west: object
    seller: object
    seller2: object
    manager: object
    boss: object
    narrow: object


def _grants(targets: dict, docs_scope: int) -> dict:
    out = dict(targets)
    for module in ("contracts.contract", "contracts.receivable"):
        out.update(full_grants(module, docs_scope, actions=["read"]))
    return out


def _contract(owner, customer, n, day, amount, status=DocumentStatus.APPROVED):
    return Contract.objects.create(code=f"HT-{n}", title=f"合同{n}", customer=customer, owner=owner,
                                   department=owner.department, created_by=owner, sign_date=day, amount=D(amount),
                                   status=status)


def _receipt(contract, n, day, amount):
    receivable = Receivable.all_objects.filter(contract=contract).first() or Receivable.objects.create(
        contract=contract, customer=contract.customer, due_date=contract.sign_date, amount=contract.amount,
        balance=contract.amount, owner=contract.owner, department=contract.department, created_by=contract.owner)
    return Receipt.objects.create(receivable=receivable, amount=D(amount), date=day, idempotency_key=f"k{n}")


def build_world() -> World:
    sales = make_department("销售部")
    east, west = make_department("华东组", sales), make_department("华西组", sales)
    rep = make_role(grants=_grants(full_grants(MODULE, Scope.OWN, actions=READ_ONLY), Scope.OWN))
    head = make_role(grants=_grants(full_grants(MODULE, Scope.SUBTREE), Scope.SUBTREE))
    reader = make_role(grants=_grants(full_grants(MODULE, Scope.ALL, actions=READ_ONLY), Scope.OWN))
    seller = make_user("seller", department=east, roles=[rep], last_name="李", first_name="娜")
    seller2 = make_user("seller2", department=west, roles=[rep], last_name="周", first_name="杰")
    manager = make_user("manager", department=east, roles=[head], last_name="刘", first_name="洋")
    boss = make_user("boss", superuser=True, department=sales)
    narrow = make_user("narrow", department=east, roles=[reader])
    customer = Customer.objects.create(name="上海明远精密机械有限公司", owner=seller, department=east, created_by=seller)
    day = datetime.date
    first = _contract(seller, customer, 1, day(YEAR, 1, 15), "1000.10")
    _contract(seller, customer, 2, day(YEAR, 2, 3), "2000.00", DocumentStatus.EXECUTING)
    _contract(seller, customer, 3, day(YEAR, 2, 20), "500.00", DocumentStatus.DRAFT)
    _contract(seller, customer, 4, day(YEAR, 3, 1), "700.00", DocumentStatus.CANCELLED)
    _contract(seller, customer, 5, day(YEAR, 4, 10), "300.33", DocumentStatus.COMPLETED)
    _contract(seller, customer, 6, day(YEAR - 1, 12, 31), "999.00")
    _contract(manager, customer, 7, day(YEAR, 2, 10), "123.45")
    west_deal = _contract(seller2, customer, 8, day(YEAR, 1, 20), "4000.00")
    _receipt(first, 1, day(YEAR, 1, 31), "800.00")
    _receipt(first, 2, day(YEAR, 2, 1), "199.99")
    _receipt(first, 3, day(YEAR - 1, 12, 31), "50.00")
    _receipt(west_deal, 4, day(YEAR, 3, 5), "1000.00")
    return World(sales=sales, east=east, west=west, seller=seller, seller2=seller2, manager=manager, boss=boss,
                 narrow=narrow)


def target(level=Level.PERSON, amount="100.00", *, owner=None, department=None, measure=Measure.CONTRACT_AMOUNT,
           period=PeriodKind.MONTH, number=1, year=YEAR) -> SalesTarget:
    """A target row written directly (test set-up, not a change anyone made)."""
    if level == Level.PERSON and department is None:
        department = owner.department
    return SalesTarget.objects.create(measure=measure, level=level, owner=owner, department=department, year=year,
                                      period=period, number=number, amount=D(amount))
