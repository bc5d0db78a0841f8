"""A small company for the marketing tests.

marketer: all leads (the marketing department's view) and may create customers/opportunities;
seller_a, seller_b: own leads, own customers and opportunities (members of the east team);
outsider: own scope everywhere, in another department; boss: administrator.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.basedata import ensure_default_lookups, get_item
from core.testing import full_grants, make_department, make_role, make_user
from customers.models import Customer
from marketing import services
from marketing.models import Lead, LeadTeam
from org.models import Scope


@dataclass
class World:
    marketer: object
    seller_a: object
    seller_b: object
    outsider: object
    boss: object
    east: object
    team: LeadTeam


def grants(lead_scope=Scope.OWN, other_scope=Scope.OWN) -> dict:
    out = full_grants("marketing.lead", lead_scope)
    for module in ("customers.customer", "sales.opportunity"):
        out.update(full_grants(module, other_scope))
    return out


def build_world() -> World:
    ensure_default_lookups(["lead_lost_reason", "customer_source", "industry", "sales_stage"])
    sales = make_department("销售部")
    east, west = make_department("华东组", sales), make_department("华西组", sales)
    market = make_department("市场部")
    own = make_role(grants=grants())
    marketer = make_user("marketer", department=market, roles=[make_role(grants=grants(Scope.ALL, Scope.OWN))])
    seller_a = make_user("seller_a", department=east, roles=[own])
    seller_b = make_user("seller_b", department=east, roles=[own])
    outsider = make_user("outsider", department=west, roles=[own])
    boss = make_user("boss", superuser=True, department=sales)
    team = LeadTeam.objects.create(name="华东轮流组", department=east)
    return World(marketer=marketer, seller_a=seller_a, seller_b=seller_b, outsider=outsider, boss=boss, east=east,
                 team=team)


def lead(actor, **data) -> Lead:
    values = {"company": "上海明远精密机械有限公司", "contact_name": "张伟", "mobile": "13800138000"}
    values.update(data)
    return services.lead_create(actor=actor, data=values)


def reason(code: str = "no_need"):
    return get_item("lead_lost_reason", code)


def customer_of(user, name: str, **extra) -> Customer:
    return Customer.objects.create(name=name, owner=user, department=user.department, created_by=user, **extra)
