"""Demo sales targets for the current year: each salesperson and sales manager, each sales department and
the company, for contract amount and receipts, split by month with a Chinese sales year's rhythm (a
quiet February around the Spring Festival, a strong December).

Amounts follow the demo's own contracts (seeded before, ORDER 45): a person's year target is their
counted contract amount so far this year, annualised, times 0.95–1.25, so some people are ahead and
some behind. Receipt targets are 80 % of the contract targets. A department's target is the sum of its
people's (plus a little), the company's the sales centre's plus 10 %.

It also gives the demo roles their grants on the targets module (the generic demo matrix does not know
it): salespeople read their own targets, managers read and set their department's, the director the
sales centre's and reads all; finance reads all.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from django.db.models import Sum
from django.utils import timezone

from contracts.models import Contract
from org.models import Grant, Scope

from .access import MODULE
from .models import Level, Measure, PeriodKind, SalesTarget
from .selectors import COUNTED_STATUSES

ORDER = 60
# Share of the year's target in each month; they add up to 1.
SEASON = (Decimal("0.06"), Decimal("0.04"), Decimal("0.08"), Decimal("0.08"), Decimal("0.09"), Decimal("0.09"),
          Decimal("0.08"), Decimal("0.08"), Decimal("0.09"), Decimal("0.09"), Decimal("0.09"), Decimal("0.13"))
SALES_ROOT = "销售中心"
RECEIPT_SHARE = Decimal("0.80")
ALL = ("read", "create", "update", "delete", "export", "print")
GRANTS = {
    "sales_rep": {"read": Scope.OWN, "print": Scope.OWN},
    "sales_manager": {**{a: Scope.SUBTREE for a in ALL}},
    "sales_director": {**{a: Scope.SUBTREE for a in ALL}, "read": Scope.ALL, "export": Scope.ALL},
    "finance": {"read": Scope.ALL, "export": Scope.ALL, "print": Scope.ALL},
}


def _round(value: Decimal, step: Decimal, rounding=ROUND_HALF_UP) -> Decimal:
    return ((value / step).quantize(Decimal(1), rounding=rounding) * step).quantize(Decimal("0.01"))


def monthly(total: Decimal) -> list[Decimal]:
    """The year's target by month, each to 100 yuan; December takes the remainder so the months add up."""
    months = [_round(total * share, Decimal(100)) for share in SEASON[:11]]
    return [*months, total - sum(months, Decimal(0))]


def _grant(ctx) -> None:
    for code, actions in GRANTS.items():
        role = ctx.roles.get(code)
        if role is None:
            continue
        Grant.objects.filter(role=role, module=MODULE).delete()
        Grant.objects.bulk_create([Grant(role=role, module=MODULE, action=a, scope=int(s)) for a, s in actions.items()])


def seed(ctx) -> None:
    _grant(ctx)
    root = ctx.departments.get(SALES_ROOT)
    if root is None:
        ctx.log("targets: no sales centre, no targets seeded")
        return
    rng = ctx.rng("targets")
    today = timezone.localdate()
    year = today.year
    elapsed = Decimal(today.timetuple().tm_yday) / Decimal(365)
    setter = ctx.users.get("chenzhiqiang") or ctx.admin
    people = [u for u in ctx.users_with_role("sales_rep") + ctx.users_with_role("sales_manager")
              if u.department_id and u.department.path.startswith(root.path)]
    sold = dict(Contract.objects.filter(status__in=COUNTED_STATUSES, sign_date__year=year, owner__in=people)
                .order_by().values_list("owner_id").annotate(total=Sum("amount")))
    floor = Decimal(300000)
    yearly = {}
    for person in people:
        pace = (sold.get(person.pk) or Decimal(0)) / max(elapsed, Decimal("0.1"))
        factor = Decimal(rng.randint(95, 125)) / 100
        yearly[person.pk] = max(_round(pace * factor, Decimal(10000)), floor)
    rows = []

    def add(level, total, **subject):
        for measure, share in ((Measure.CONTRACT_AMOUNT, Decimal(1)), (Measure.RECEIPTS, RECEIPT_SHARE)):
            amount = _round(total * share, Decimal(10000))
            for number, part in enumerate(monthly(amount), start=1):
                rows.append(SalesTarget(measure=measure, level=level, year=year, period=PeriodKind.MONTH,
                                        number=number, amount=part, created_by=setter, **subject))

    for person in people:
        add(Level.PERSON, yearly[person.pk], owner=person, department=person.department)
    sales_depts = [d for d in ctx.departments.values() if d.path.startswith(root.path)]
    for dept in sales_depts:
        inside = sum((yearly[p.pk] for p in people if p.department.path.startswith(dept.path)), Decimal(0))
        if inside:
            add(Level.DEPARTMENT, _round(inside * Decimal("1.05"), Decimal(10000), ROUND_CEILING), department=dept)
    company = sum(yearly.values(), Decimal(0)) * Decimal("1.05") * Decimal("1.10")
    add(Level.COMPANY, _round(company, Decimal(100000), ROUND_CEILING))
    SalesTarget.objects.bulk_create(rows)
    ctx.log(f"targets: {len(rows)} monthly targets for {len(people)} people, {len(sales_depts)} departments "
            f"and the company ({year})")
