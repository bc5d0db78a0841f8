"""A hand-made company for the pipeline report tests, with every figure known in advance.

Departments: 销售部 → 华东组 (→ 华东一组) and 华西组. People: ``a`` (华东组) and ``b`` (华东一组) and
``c`` (华西组) have the "own" scope; ``manager`` (华东组) has "department and sub-departments";
``boss`` is an administrator; ``nobody`` has no grants at all.

Opportunities (all but o8/o9/o_deleted created in 2026, Asia/Shanghai):
  o1 a 初步接洽 100000.00 / 10000.00 open      o5 b 方案报价 40000.00 / 20000.00 open
  o2 a 初步接洽  50000.00 /  5000.00 open      o6 b (no stage) — / — lost
  o3 a 需求确认  80000.00 / 20000.00 open      o7 c 初步接洽 60000.00 / 6000.00 terminated
  o4 a 赢单      30000.00 / 30000.00 won (created 2026-12-31 23:59:59, the last second of the year)
Contracts (signed 2026 unless said): ca1 a 100000 approved, ca2 a 50000 executing, ca3 a draft,
  ca4 a 70000 signed 2025-12-31, cb1 b 120000 completed, cc1 c 80000 approved, cc2 c cancelled.
Receivables (due relative to today): r1 a paid, r2 a overdue 40 days, r5 a overdue 3 days,
  r3 b pending, r4 c partly paid; receipts in 2026: a 50000 + 10000, c 20000 (and a 10000 in 2025).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from contracts.models import Contract, DocumentLine, DocumentStatus, Receipt, Receivable
from core.basedata import ensure_default_lookups, get_item
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Customer
from org.models import Scope
from products.models import Product, Unit
from sales.models import Opportunity

MODULES = ("customers.customer", "sales.opportunity", "contracts.contract", "contracts.receivable")
D = Decimal


def grants(scope) -> dict:
    out = {}
    for module in MODULES:
        out.update(full_grants(module, scope))
    return out


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=timezone.get_current_timezone())


@dataclass
class World:
    a: object
    b: object
    c: object
    manager: object
    boss: object
    nobody: object
    east: object
    east1: object
    west: object
    opps: dict
    stages: dict
    customers: dict
    products: dict
    contracts: dict
    receivables: dict
    today: datetime.date


def _opp(key, user, customer, stage, expected, amount, status, created):
    opp = Opportunity.objects.create(subject=f"商机 {key}", customer=customer, owner=user, department=user.department,
                                     created_by=user, stage=stage, expected_amount=expected, amount=amount,
                                     status=status)
    Opportunity.all_objects.filter(pk=opp.pk).update(created_at=created)
    return opp


def _customer(name, user, created):
    cust = Customer.objects.create(name=name, owner=user, department=user.department, created_by=user)
    Customer.all_objects.filter(pk=cust.pk).update(created_at=created)
    return cust


def _contract(user, customer, amount, status, signed):
    return Contract.objects.create(title="供货合同", customer=customer, owner=user, department=user.department,
                                   created_by=user, amount=D(amount), status=status, sign_date=signed)


def _receivable(contract, due, amount, received, period=1):
    return Receivable.objects.create(contract=contract, customer=contract.customer, owner=contract.owner,
                                     department=contract.department, due_date=due, amount=D(amount),
                                     received=D(received), balance=D(amount) - D(received), period=period)


def build() -> World:
    ensure_default_lookups(["sales_stage"])
    sales = make_department("销售部")
    east = make_department("华东组", sales)
    east1 = make_department("华东一组", east)
    west = make_department("华西组", sales)
    own = make_role(grants=grants(Scope.OWN))
    subtree = make_role(grants=grants(Scope.SUBTREE))
    a = make_user("a", department=east, roles=[own], first_name="安", last_name="王")
    b = make_user("b", department=east1, roles=[own], first_name="博", last_name="李")
    c = make_user("c", department=west, roles=[own], first_name="成", last_name="赵")
    manager = make_user("manager", department=east, roles=[subtree])
    boss = make_user("boss", superuser=True, department=sales)
    nobody = make_user("nobody", department=east, roles=[make_role()])
    stages = {code: get_item("sales_stage", code) for code in ("initial", "needs", "proposal", "negotiation",
                                                               "won", "lost")}
    y = local(2026, 3, 1, 10, 0)
    cust = {"a1": _customer("明远机械", a, local(2026, 1, 5, 9, 0)), "a2": _customer("华光电子", a, local(2026, 2, 1, 9, 0)),
            "b": _customer("江南纺织", b, local(2026, 3, 1, 9, 0)), "c": _customer("天府软件", c, local(2025, 12, 31, 23, 0))}
    st = stages
    opps = {
        "o1": _opp("o1", a, cust["a1"], st["initial"], D("100000.00"), D("10000.00"), "open", y),
        "o2": _opp("o2", a, cust["a2"], st["initial"], D("50000.00"), D("5000.00"), "open", y),
        "o3": _opp("o3", a, cust["a1"], st["needs"], D("80000.00"), D("20000.00"), "open", y),
        "o4": _opp("o4", a, cust["a1"], st["won"], D("30000.00"), D("30000.00"), "won", local(2026, 12, 31, 23, 59, 59)),
        "o5": _opp("o5", b, cust["b"], st["proposal"], D("40000.00"), D("20000.00"), "open", y),
        "o6": _opp("o6", b, cust["b"], None, None, None, "lost", y),
        "o7": _opp("o7", c, cust["c"], st["initial"], D("60000.00"), D("6000.00"), "terminated", y),
        # Outside 2026 by one second on either side, and one in the recycle bin.
        "o8": _opp("o8", a, cust["a1"], st["initial"], D("1.00"), D("1.00"), "open", local(2025, 12, 31, 23, 59, 59)),
        "o9": _opp("o9", a, cust["a1"], st["initial"], D("1.00"), D("1.00"), "open", local(2027, 1, 1, 0, 0)),
        "o_deleted": _opp("o_deleted", a, cust["a1"], st["initial"], D("1.00"), D("1.00"), "open", y),
    }
    Opportunity.all_objects.filter(pk=opps["o_deleted"].pk).update(deleted_at=timezone.now())

    unit = Unit.objects.create(name="台")
    products = {"p1": Product.objects.create(code="P-1", name="数控机床", base_unit=unit),
                "p2": Product.objects.create(code="P-2", name="伺服电机", base_unit=unit)}
    S = DocumentStatus
    contracts = {
        "ca1": _contract(a, cust["a1"], "100000.00", S.APPROVED, datetime.date(2026, 3, 1)),
        "ca2": _contract(a, cust["a2"], "50000.00", S.EXECUTING, datetime.date(2026, 5, 1)),
        "ca3": _contract(a, cust["a1"], "999.00", S.DRAFT, datetime.date(2026, 5, 2)),
        "ca4": _contract(a, cust["a1"], "70000.00", S.APPROVED, datetime.date(2025, 12, 31)),
        "cb1": _contract(b, cust["b"], "120000.00", S.COMPLETED, datetime.date(2026, 6, 1)),
        "cc1": _contract(c, cust["c"], "80000.00", S.APPROVED, datetime.date(2026, 2, 1)),
        "cc2": _contract(c, cust["c"], "10000.00", S.CANCELLED, datetime.date(2026, 2, 2)),
    }
    for key, product, amount in (("ca1", "p1", "60000.00"), ("ca1", "p2", "40000.00"), ("ca2", "p1", "50000.00"),
                                 ("cb1", "p2", "120000.00"), ("cc1", "p1", "80000.00"), ("ca3", "p1", "999.00")):
        DocumentLine.objects.create(contract=contracts[key], product=products[product], unit=unit, quantity=1,
                                    price=D(amount), amount=D(amount))

    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    rec = {
        "r1": _receivable(contracts["ca1"], today - 100 * day, "60000.00", "60000.00"),
        "r2": _receivable(contracts["ca1"], today - 40 * day, "40000.00", "10000.00", period=2),
        "r5": _receivable(contracts["ca2"], today - 3 * day, "50000.00", "0.00"),
        "r3": _receivable(contracts["cb1"], today + 30 * day, "120000.00", "0.00"),
        "r4": _receivable(contracts["cc1"], today + 5 * day, "80000.00", "20000.00"),
        "r_deleted": _receivable(contracts["ca1"], today, "5.00", "0.00", period=3),
    }
    Receivable.all_objects.filter(pk=rec["r_deleted"].pk).update(deleted_at=timezone.now())
    for key, receivable, amount, date in (("k1", "r1", "50000.00", datetime.date(2026, 3, 10)),
                                          ("k2", "r1", "10000.00", datetime.date(2025, 12, 20)),
                                          ("k3", "r2", "10000.00", datetime.date(2026, 2, 1)),
                                          ("k4", "r4", "20000.00", datetime.date(2026, 4, 5)),
                                          ("k5", "r_deleted", "5.00", datetime.date(2026, 4, 5))):
        Receipt.objects.create(receivable=rec[receivable], amount=D(amount), date=date, idempotency_key=key)
    return World(a=a, b=b, c=c, manager=manager, boss=boss, nobody=nobody, east=east, east1=east1, west=west,
                 opps=opps, stages=stages, customers=cust, products=products, contracts=contracts, receivables=rec,
                 today=today)
