"""Demo data for ``manage.py seed_demo``: a believable small Chinese trading and manufacturing company.

Each module of this package seeds one area and defines ``ORDER`` (when it runs) and
``seed(ctx: DemoContext)``; later modules (sales, products, service…) add a module of their own and
find the departments, users and customers created before them on the context. Every module draws
from its own random generator seeded with the run's seed and the module's name, so the data is the
same on every run and adding a module does not change what the others produce.

Seed rows are written directly (``bulk_create``) with coherent owner, department and creator, but
without audit entries or version snapshots: they are the starting state of the database, not
changes anyone made, and writing them through the services would make seeding slow.
"""

from __future__ import annotations

import importlib
import pkgutil
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

DEFAULT_SEED = 2026


@dataclass
class DemoContext:
    password: str
    seed: int = DEFAULT_SEED
    now: datetime = field(default_factory=timezone.now)
    log: Callable[[str], None] = print
    admin: object = None
    departments: dict[str, object] = field(default_factory=dict)  # by Chinese name
    roles: dict[str, object] = field(default_factory=dict)  # by code
    users: dict[str, object] = field(default_factory=dict)  # by username
    role_of: dict[str, str] = field(default_factory=dict)  # username → role code
    customers: list = field(default_factory=list)
    options: dict = field(default_factory=dict)  # e.g. {"customers": 300}

    def rng(self, name: str) -> random.Random:
        # A string seed is hashed with SHA-512, so it is stable across runs and PYTHONHASHSEED.
        return random.Random(f"{self.seed}:{name}")

    def users_with_role(self, code: str) -> list:
        return [self.users[name] for name, role in self.role_of.items() if role == code]


def steps() -> list:
    """The seeding modules of this package, in their ORDER."""
    modules = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)
               if not info.name.startswith("_")]
    modules = [m for m in modules if hasattr(m, "seed")]
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))


@transaction.atomic
def seed_all(ctx: DemoContext) -> DemoContext:
    for module in steps():
        module.seed(ctx)
    return ctx
