"""Shared set-up of the customer tests: two sales departments under one manager, people with grants."""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework.test import APIClient

from core.testing import full_grants, make_department, make_role, make_user
from customers import services
from customers.models import Customer
from org.models import Scope

MODULE = "customers.customer"


@dataclass
class World:
    north: object
    south: object
    alice: object    # salesperson in 北区, own scope
    bob: object      # salesperson in 南区, own scope
    manager: object  # 销售部 manager, department and sub-departments
    nobody: object   # no grants at all


def ensure_regions() -> None:
    """Regions come from a data migration; a transactional test (live server) run earlier flushes them."""
    from customers.models import Region
    from customers.regions import load_regions

    if not Region.objects.exists():
        load_regions()


def make_world() -> World:
    ensure_regions()
    company = make_department("销售部")
    north = make_department("北区", company)
    south = make_department("南区", company)
    own = make_role("sales", grants=full_grants(MODULE, Scope.OWN))
    sub = make_role("manager", grants=full_grants(MODULE, Scope.SUBTREE))
    return World(
        north=north, south=south,
        alice=make_user("alice", department=north, roles=[own], first_name="丽", last_name="王"),
        bob=make_user("bob", department=south, roles=[own], first_name="强", last_name="李"),
        manager=make_user("manager", department=company, roles=[sub]),
        nobody=make_user("nobody", department=north),
    )


def create(actor, name: str, **data) -> Customer:
    return services.customer_create(actor=actor, data={"name": name, **data}, confirm_duplicates=True)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
