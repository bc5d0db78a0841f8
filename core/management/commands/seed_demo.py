"""Fill an empty database with a believable demo company (``make run`` calls it with --if-empty).

The superuser is ``admin``; every demo user (``wangjianguo`` the owner, ``lina`` a salesperson…)
has the password from DEMO_PASSWORD, default ``zhanggui123``. The data is the same on every run.
"""

import os

from django.core.management.base import BaseCommand, CommandError

from core import dbstats
from core.demo import DEFAULT_SEED, DemoContext, seed_all
from org.models import User

DEFAULT_PASSWORD = "zhanggui123"


class Command(BaseCommand):
    help = "Create a demo company (departments, roles, users, customers) in an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the database has users.")
        parser.add_argument("--customers", type=int, default=300, help="How many customers to create (default 300).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="Random seed; the same seed gives the same data.")

    def handle(self, *, if_empty: bool, customers: int, seed: int, verbosity: int, **options):
        if User.objects.exists():
            if if_empty:
                if verbosity >= 1:
                    self.stdout.write("The database has users already; no demo data added.")
                return
            raise CommandError("The database has users already. seed_demo only fills an empty database.")
        if customers < 0:
            raise CommandError("--customers must be zero or more.")
        password = os.environ.get("DEMO_PASSWORD") or DEFAULT_PASSWORD
        log = self.stdout.write if verbosity >= 1 else (lambda text: None)
        ctx = seed_all(DemoContext(password=password, seed=seed, log=log, options={"customers": customers}))
        dbstats.refresh()
        log(self.style.SUCCESS(f"Demo company ready: log in as admin (or e.g. {next(iter(ctx.users))}) "
                               f"with the demo password."))
