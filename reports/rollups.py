"""The opportunity roll-up (reports.models.OpportunityDay): its triggers, its rebuild, and the one read
the funnel and the opportunity analysis by salesperson share.

When may a report read the roll-up instead of the opportunities? Only when the result is the same:
- PostgreSQL (the triggers exist only there; SQLite installations are small enough to scan), with the
  roll-up cut in the current TIME_ZONE;
- the user's scope for the action is "all" (every live opportunity), or a department / department and
  below — then the rows of those departments come from the roll-up and the rows the user sees besides
  (their own or created by them, or shared with them or their department, in other departments) are
  added from the table itself. An "own" scope reads the table: its rows are few.
A TRUNCATE of the opportunities (bulk loads) bypasses row triggers: run ``rebuild()`` after it.
The period is whole local days (reports.params), the subject a salesperson or a department subtree,
and the stage an exact match — all columns of the roll-up.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When

from contracts.models import Receipt, Receivable
from core import access
from org.models import Department, Scope
from sales.models import Opportunity

from .models import OpportunityDay, ReceiptDay, ReceivableDay, RollupState
from .rollup_sql import EVER, STATE, install

SUMS = {"cost": "cost_estimate", "expected": "expected_amount", "amount": "amount"}
GROUPS = ("stage_id", "status", "owner_id")

def rebuild() -> None:
    """(Re)create the triggers for the current TIME_ZONE and recompute the roll-up from the table, in
    one transaction (the table is locked against writes meanwhile, so nothing is counted twice or lost)."""
    if connection.vendor != "postgresql":
        return
    with transaction.atomic(), connection.cursor() as cur:
        install(cur, settings.TIME_ZONE)
    _usable.clear()


_usable: dict[str, bool] = {}


def usable() -> bool:
    """PostgreSQL, and the roll-up was cut in the current time zone (checked once per process)."""
    if connection.vendor != "postgresql":
        return False
    key = settings.TIME_ZONE
    if key not in _usable:
        _usable[key] = RollupState.objects.filter(name=STATE, time_zone=key).exists()
    return _usable[key]


def _roll_scope(user, level: int, *, via: str = ""):
    """The rows a department-level scope reaches through the department alone (Q() for "all"), or None
    when the roll-up cannot stand for the scope (own scope, or a user without a department)."""
    if level == Scope.ALL:
        return Q()
    if level in (Scope.DEPARTMENT, Scope.SUBTREE) and user.department_id:
        if level == Scope.DEPARTMENT:
            return Q(**{f"{via}department": user.department_id})
        return Q(**{f"{via}department__path__startswith": user.department.path})
    return None


def _scoped_roll(roll, user, level: int, subject):
    """A roll-up narrowed to the subject and, below "all", to the user's departments."""
    if subject.owner is not None:
        roll = roll.filter(owner_id=subject.owner.pk)
    elif subject.department is not None:
        roll = roll.filter(department_id__in=Department.objects.filter(
            path__startswith=subject.department.path).values("pk"))
    if level == Scope.DEPARTMENT:
        roll = roll.filter(department_id=user.department_id)
    elif level == Scope.SUBTREE:
        roll = roll.filter(department_id__in=Department.objects.filter(
            path__startswith=user.department.path).values("pk"))
    return roll


def _add(merged: dict, key, row: dict, sums) -> None:
    """Add a table row (own or shared rows outside the user's departments) to the roll-up's row of its key."""
    into = merged.setdefault(key, {**row, "n": 0, **{name: Decimal(0) for name in sums}})
    into["n"] += row["n"]
    for name in sums:
        into[name] = (into[name] or Decimal(0)) + (row[name] or Decimal(0))


def _extras(user, action: str, model, live, roll_scope):
    """What a department-scope user sees besides their departments' rows: own, created or shared, elsewhere."""
    return live.filter(access.scope_q(user, model, Scope.OWN, action=action)).exclude(roll_scope)


def _live(qs, group: list[str], sums=tuple(SUMS)) -> list[dict]:
    return list(qs.order_by().values(*group).annotate(n=Count("pk"), **{name: Sum(SUMS[name]) for name in sums}))


def opportunity_groups(user, action: str, *, period, subject, group: list[str], stage_id=None,
                       sums: tuple[str, ...] = tuple(SUMS), force_live: bool = False) -> list[dict]:
    """Count and sums (cost, expected, amount) of the live opportunities the user may ``action``, created
    in ``period`` (None: ever), narrowed to ``subject`` (and ``stage_id``), grouped by ``group`` (of stage_id, status,
    owner_id). Rows as from ``values(*group).annotate(n, *sums)`` (sums of cost, expected, amount); a sum may be None
    where the table holds no value, 0 where the roll-up does — the reports treat both as 0."""
    assert set(group) <= set(GROUPS), group
    live = Opportunity.objects.filter(subject.q())
    roll = OpportunityDay.objects.filter(day=EVER)  # all time (the kanban's column totals): the EVER rows
    if period is not None:
        start, end = period.datetime_range()
        live = live.filter(created_at__gte=start, created_at__lt=end)
        roll = OpportunityDay.objects.filter(day__gt=EVER, day__gte=period.start, day__lte=period.end)
    if stage_id is not None:
        live = live.filter(stage_id=stage_id)
    spec = access.spec_for(Opportunity)
    level = access.scope_level(user, spec.module, action)
    if level == Scope.NONE:
        return []
    if subject.owner is not None and subject.owner.pk == user.pk and not spec.own_only_if:
        # One's own opportunities: every scope reaches all of them, so within this subject the roll-up
        # stands for the gate as it does for "all" (no department narrowing, nothing to add).
        level = Scope.ALL
    roll_scope = _roll_scope(user, level)
    if force_live or roll_scope is None or not usable():
        return _live(access.visible_to(user, action, live), group, sums)
    roll = _scoped_roll(roll, user, level, subject)
    if stage_id is not None:
        roll = roll.filter(stage_id=stage_id)
    merged = {}
    for row in roll.order_by().values(*group).annotate(n=Sum("n"), **{name: Sum(name) for name in sums}).filter(n__gt=0):
        for key in ("stage_id", "owner_id"):  # the roll-up writes 0 for "none"
            if key in row and row[key] == 0:
                row[key] = None
        merged[tuple(row[g] for g in group)] = row
    if level != Scope.ALL:
        for row in _live(_extras(user, action, Opportunity, live, roll_scope), group, sums):
            _add(merged, tuple(row[g] for g in group), row, sums)
    return list(merged.values())


def receipt_owner_sums(user, action: str, *, period, subject, force_live: bool = False) -> list[dict]:
    """Receipts in ``period`` of the live receivables the user may ``action``, narrowed to ``subject``,
    summed per salesperson of the receivable: [{"owner_id", "n", "amount"}]. From the receipt roll-up
    when the scope allows (as for opportunities), else from the table."""
    live = Receipt.objects.filter(subject.q(owner="receivable__owner", department="receivable__department"),
                                  receivable__deleted_at__isnull=True, date__gte=period.start, date__lte=period.end)
    level = access.scope_level(user, access.spec_for(Receivable).module, action)
    if level == Scope.NONE:
        return []

    def table(qs) -> list[dict]:
        return list(qs.order_by().values(owner_id=F("receivable__owner_id")).annotate(n=Count("pk"), amount=Sum("amount")))

    roll_scope = _roll_scope(user, level, via="receivable__")
    if force_live or roll_scope is None or not usable():
        return table(access.visible_to(user, action, live))
    roll = _scoped_roll(ReceiptDay.objects.filter(day__gte=period.start, day__lte=period.end), user, level, subject)
    merged = {}
    for row in roll.order_by().values("owner_id").annotate(n=Sum("n"), amount=Sum("amount")).filter(n__gt=0):
        row["owner_id"] = row["owner_id"] or None
        merged[row["owner_id"]] = row
    if level != Scope.ALL:
        for row in table(_extras(user, action, Receipt, live, roll_scope)):
            _add(merged, row["owner_id"], row, ("amount",))
    return list(merged.values())


def receivable_status_sums(user, action: str, *, live, subject, period, today, status_expr,
                           force_live: bool = False) -> dict:
    """{status: {"n", "amount", "received", "balance"}} of the live receivables the user may ``action`` —
    ``live`` is their queryset narrowed to the subject and due period, ``status_expr(today)`` the
    status as SQL. From the receivable roll-up when the scope allows, else from the table."""
    from contracts.models import ReceivableStatus

    level = access.scope_level(user, access.spec_for(Receivable).module, action)
    if level == Scope.NONE:
        return {}
    money = ("amount", "received", "balance")

    def table(qs) -> dict:
        return {row["zs"]: row for row in qs.order_by().annotate(zs=status_expr(today)).values("zs").annotate(
            n=Count("id"), **{name: Sum(name) for name in money})}

    roll_scope = _roll_scope(user, level)
    if force_live or roll_scope is None or not usable():
        return table(access.visible_to(user, action, live))
    roll = ReceivableDay.objects.all()
    if period is not None:
        roll = roll.filter(day__gte=period.start, day__lte=period.end)
    roll = _scoped_roll(roll, user, level, subject)
    # The status as the table's status_expr decides it: the roll-up's state and whether the day has passed.
    state = Case(When(state=0, then=Value(ReceivableStatus.PAID)),
                 When(day__lt=today, then=Value(ReceivableStatus.OVERDUE)),
                 When(state=1, then=Value(ReceivableStatus.PARTLY_PAID)),
                 default=Value(ReceivableStatus.PENDING), output_field=CharField())
    found = {row["zs"]: row for row in roll.order_by().annotate(zs=state).values("zs").annotate(
        n=Sum("n"), **{name: Sum(name) for name in money}).filter(n__gt=0)}
    if level != Scope.ALL:
        for key, row in table(_extras(user, action, Receivable, live, roll_scope)).items():
            _add(found, key, row, money)
    return found
