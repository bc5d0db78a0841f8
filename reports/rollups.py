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

STATE = "opportunity_day"
SUMS = {"cost": "cost_estimate", "expected": "expected_amount", "amount": "amount"}
GROUPS = ("stage_id", "status", "owner_id")

_FUNCTION = """
CREATE OR REPLACE FUNCTION reports_opportunity_day_apply() RETURNS trigger AS $$
DECLARE
  sign integer;
  r sales_opportunity%ROWTYPE;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.deleted_at IS NOT DISTINCT FROM NEW.deleted_at
     AND OLD.created_at = NEW.created_at AND OLD.owner_id IS NOT DISTINCT FROM NEW.owner_id
     AND OLD.department_id IS NOT DISTINCT FROM NEW.department_id AND OLD.stage_id IS NOT DISTINCT FROM NEW.stage_id
     AND OLD.status = NEW.status AND OLD.cost_estimate IS NOT DISTINCT FROM NEW.cost_estimate
     AND OLD.expected_amount IS NOT DISTINCT FROM NEW.expected_amount AND OLD.amount IS NOT DISTINCT FROM NEW.amount THEN
    RETURN NULL;  -- nothing the roll-up holds has changed (notes, version, updated_at…)
  END IF;
  FOR sign IN SELECT unnest(ARRAY[-1, 1]) LOOP
    IF sign = -1 THEN
      IF TG_OP = 'INSERT' THEN CONTINUE; END IF;
      r := OLD;
    ELSE
      IF TG_OP = 'DELETE' THEN CONTINUE; END IF;
      r := NEW;
    END IF;
    IF r.deleted_at IS NOT NULL THEN CONTINUE; END IF;
    INSERT INTO reports_opportunityday AS d (day, owner_id, department_id, stage_id, status, n, cost, expected, amount)
    VALUES ((r.created_at AT TIME ZONE '{tz}')::date, COALESCE(r.owner_id, 0), COALESCE(r.department_id, 0),
            COALESCE(r.stage_id, 0), r.status, sign, sign * COALESCE(r.cost_estimate, 0),
            sign * COALESCE(r.expected_amount, 0), sign * COALESCE(r.amount, 0))
    ON CONFLICT (day, owner_id, department_id, stage_id, status) DO UPDATE
      SET n = d.n + EXCLUDED.n, cost = d.cost + EXCLUDED.cost, expected = d.expected + EXCLUDED.expected,
          amount = d.amount + EXCLUDED.amount;
  END LOOP;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS reports_opportunity_day ON sales_opportunity;
CREATE TRIGGER reports_opportunity_day AFTER INSERT OR UPDATE OR DELETE ON sales_opportunity
  FOR EACH ROW EXECUTE FUNCTION reports_opportunity_day_apply();
DROP TRIGGER IF EXISTS reports_opportunity_day_truncate ON sales_opportunity;
"""

_RECEIPT_FUNCTIONS = """
CREATE OR REPLACE FUNCTION reports_receipt_day_add(day date, owner bigint, dept bigint, cnt bigint, total numeric)
RETURNS void AS $$
  INSERT INTO reports_receiptday AS d (day, owner_id, department_id, n, amount)
  VALUES (day, COALESCE(owner, 0), COALESCE(dept, 0), cnt, total)
  ON CONFLICT (day, owner_id, department_id) DO UPDATE SET n = d.n + EXCLUDED.n, amount = d.amount + EXCLUDED.amount;
$$ LANGUAGE sql;
CREATE OR REPLACE FUNCTION reports_receipt_day_apply() RETURNS trigger AS $$
DECLARE
  rv contracts_receivable%ROWTYPE;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    SELECT * INTO rv FROM contracts_receivable WHERE id = OLD.receivable_id;
    IF FOUND AND rv.deleted_at IS NULL THEN
      PERFORM reports_receipt_day_add(OLD.date, rv.owner_id, rv.department_id, -1, -OLD.amount);
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT * INTO rv FROM contracts_receivable WHERE id = NEW.receivable_id;
    IF FOUND AND rv.deleted_at IS NULL THEN
      PERFORM reports_receipt_day_add(NEW.date, rv.owner_id, rv.department_id, 1, NEW.amount);
    END IF;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS reports_receipt_day ON contracts_receipt;
CREATE TRIGGER reports_receipt_day AFTER INSERT OR UPDATE OR DELETE ON contracts_receipt
  FOR EACH ROW EXECUTE FUNCTION reports_receipt_day_apply();
CREATE OR REPLACE FUNCTION reports_receipt_day_move() RETURNS trigger AS $$
BEGIN
  IF OLD.owner_id IS NOT DISTINCT FROM NEW.owner_id AND OLD.department_id IS NOT DISTINCT FROM NEW.department_id
     AND OLD.deleted_at IS NOT DISTINCT FROM NEW.deleted_at THEN
    RETURN NULL;  -- balances and versions change on every receipt; only these move the receipts
  END IF;
  IF OLD.deleted_at IS NULL THEN
    PERFORM reports_receipt_day_add(r.date, OLD.owner_id, OLD.department_id, -COUNT(*), -SUM(r.amount))
    FROM contracts_receipt r WHERE r.receivable_id = OLD.id GROUP BY r.date;
  END IF;
  IF NEW.deleted_at IS NULL THEN
    PERFORM reports_receipt_day_add(r.date, NEW.owner_id, NEW.department_id, COUNT(*), SUM(r.amount))
    FROM contracts_receipt r WHERE r.receivable_id = NEW.id GROUP BY r.date;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS reports_receipt_day_move ON contracts_receivable;
CREATE TRIGGER reports_receipt_day_move AFTER UPDATE ON contracts_receivable
  FOR EACH ROW EXECUTE FUNCTION reports_receipt_day_move();
"""

_RECEIVABLE_FUNCTIONS = """
CREATE OR REPLACE FUNCTION reports_receivable_day_apply() RETURNS trigger AS $$
DECLARE
  sign integer;
  r contracts_receivable%ROWTYPE;
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.deleted_at IS NOT DISTINCT FROM NEW.deleted_at AND OLD.due_date = NEW.due_date
     AND OLD.owner_id IS NOT DISTINCT FROM NEW.owner_id AND OLD.department_id IS NOT DISTINCT FROM NEW.department_id
     AND OLD.amount = NEW.amount AND OLD.received = NEW.received AND OLD.balance = NEW.balance THEN
    RETURN NULL;
  END IF;
  FOR sign IN SELECT unnest(ARRAY[-1, 1]) LOOP
    IF sign = -1 THEN
      IF TG_OP = 'INSERT' THEN CONTINUE; END IF;
      r := OLD;
    ELSE
      IF TG_OP = 'DELETE' THEN CONTINUE; END IF;
      r := NEW;
    END IF;
    IF r.deleted_at IS NOT NULL THEN CONTINUE; END IF;
    INSERT INTO reports_receivableday AS d (day, owner_id, department_id, state, n, amount, received, balance)
    VALUES (r.due_date, COALESCE(r.owner_id, 0), COALESCE(r.department_id, 0),
            CASE WHEN r.balance <= 0 THEN 0 WHEN r.received > 0 THEN 1 ELSE 2 END,
            sign, sign * r.amount, sign * r.received, sign * r.balance)
    ON CONFLICT (day, owner_id, department_id, state) DO UPDATE
      SET n = d.n + EXCLUDED.n, amount = d.amount + EXCLUDED.amount, received = d.received + EXCLUDED.received,
          balance = d.balance + EXCLUDED.balance;
  END LOOP;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS reports_receivable_day ON contracts_receivable;
CREATE TRIGGER reports_receivable_day AFTER INSERT OR UPDATE OR DELETE ON contracts_receivable
  FOR EACH ROW EXECUTE FUNCTION reports_receivable_day_apply();
"""

_RECEIVABLE_FILL = """
INSERT INTO reports_receivableday (day, owner_id, department_id, state, n, amount, received, balance)
SELECT due_date, COALESCE(owner_id, 0), COALESCE(department_id, 0),
       CASE WHEN balance <= 0 THEN 0 WHEN received > 0 THEN 1 ELSE 2 END,
       COUNT(*), SUM(amount), SUM(received), SUM(balance)
FROM contracts_receivable WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4
"""

_RECEIPT_FILL = """
INSERT INTO reports_receiptday (day, owner_id, department_id, n, amount)
SELECT r.date, COALESCE(v.owner_id, 0), COALESCE(v.department_id, 0), COUNT(*), SUM(r.amount)
FROM contracts_receipt r JOIN contracts_receivable v ON v.id = r.receivable_id
WHERE v.deleted_at IS NULL GROUP BY 1, 2, 3
"""

_FILL = """
INSERT INTO reports_opportunityday (day, owner_id, department_id, stage_id, status, n, cost, expected, amount)
SELECT (created_at AT TIME ZONE %s)::date, COALESCE(owner_id, 0), COALESCE(department_id, 0), COALESCE(stage_id, 0),
       status, COUNT(*), COALESCE(SUM(cost_estimate), 0), COALESCE(SUM(expected_amount), 0), COALESCE(SUM(amount), 0)
FROM sales_opportunity WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5
"""


def install(cursor, time_zone: str) -> None:
    """SQL only (migrations call it too): triggers for ``time_zone``, the roll-up recomputed, the state row."""
    tz = time_zone.replace("'", "")
    cursor.execute("LOCK TABLE sales_opportunity IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute(_FUNCTION.replace("{tz}", tz))
    cursor.execute("TRUNCATE reports_opportunityday")
    cursor.execute(_FILL, [tz])
    cursor.execute("LOCK TABLE contracts_receivable, contracts_receipt IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute(_RECEIPT_FUNCTIONS)
    cursor.execute("TRUNCATE reports_receiptday")
    cursor.execute(_RECEIPT_FILL)
    cursor.execute(_RECEIVABLE_FUNCTIONS)
    cursor.execute("TRUNCATE reports_receivableday")
    cursor.execute(_RECEIVABLE_FILL)
    cursor.execute("DELETE FROM reports_rollupstate WHERE name = %s", [STATE])
    cursor.execute("INSERT INTO reports_rollupstate (name, time_zone, built_at) VALUES (%s, %s, now())", [STATE, tz])


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


def _live(qs, group: list[str]) -> list[dict]:
    return list(qs.order_by().values(*group).annotate(
        n=Count("pk"), **{name: Sum(field) for name, field in SUMS.items()}))


def opportunity_groups(user, action: str, *, period, subject, group: list[str], stage_id=None,
                       force_live: bool = False) -> list[dict]:
    """Count and sums (cost, expected, amount) of the live opportunities the user may ``action``, created
    in ``period``, narrowed to ``subject`` (and ``stage_id``), grouped by ``group`` (of stage_id, status,
    owner_id). Rows as from ``values(*group).annotate(n, cost, expected, amount)``; a sum may be None
    where the table holds no value, 0 where the roll-up does — the reports treat both as 0."""
    assert set(group) <= set(GROUPS), group
    start, end = period.datetime_range()
    live = Opportunity.objects.filter(subject.q(), created_at__gte=start, created_at__lt=end)
    if stage_id is not None:
        live = live.filter(stage_id=stage_id)
    level = access.scope_level(user, access.spec_for(Opportunity).module, action)
    if level == Scope.NONE:
        return []
    roll_scope = None
    if level == Scope.ALL:
        roll_scope = Q()
    elif level in (Scope.DEPARTMENT, Scope.SUBTREE) and user.department_id:
        roll_scope = (Q(department=user.department_id) if level == Scope.DEPARTMENT
                      else Q(department__path__startswith=user.department.path))
    if force_live or roll_scope is None or not usable():
        return _live(access.visible_to(user, action, live), group)

    roll = _scoped_roll(OpportunityDay.objects.filter(day__gte=period.start, day__lte=period.end), user, level,
                        subject)
    if stage_id is not None:
        roll = roll.filter(stage_id=stage_id)
    extras = []
    if level != Scope.ALL:
        # What the user sees besides their departments' rows: own, created or shared, elsewhere.
        own = access.scope_q(user, Opportunity, Scope.OWN, action=action)
        extras = _live(live.filter(own).exclude(roll_scope), group)
    rows = list(roll.order_by().values(*group).annotate(n=Sum("n"), cost=Sum("cost"), expected=Sum("expected"),
                                                        amount=Sum("amount")).filter(n__gt=0))
    for row in rows:  # the roll-up writes 0 for "none"
        for key in ("stage_id", "owner_id"):
            if key in row and row[key] == 0:
                row[key] = None
    if not extras:
        return rows
    merged = {tuple(r[g] for g in group): r for r in rows}
    for row in extras:
        key = tuple(row[g] for g in group)
        if key not in merged:
            merged[key] = row
            continue
        into = merged[key]
        into["n"] += row["n"]
        for name in SUMS:
            into[name] = (into[name] or Decimal(0)) + (row[name] or Decimal(0))
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

    roll_scope = None
    if level == Scope.ALL:
        roll_scope = Q()
    elif level in (Scope.DEPARTMENT, Scope.SUBTREE) and user.department_id:
        roll_scope = (Q(receivable__department=user.department_id) if level == Scope.DEPARTMENT
                      else Q(receivable__department__path__startswith=user.department.path))
    if force_live or roll_scope is None or not usable():
        return table(access.visible_to(user, action, live))
    roll = _scoped_roll(ReceiptDay.objects.filter(day__gte=period.start, day__lte=period.end), user, level, subject)
    extras = []
    if level != Scope.ALL:
        extras = table(live.filter(access.scope_q(user, Receipt, Scope.OWN, action=action)).exclude(roll_scope))
    rows = list(roll.order_by().values("owner_id").annotate(n=Sum("n"), amount=Sum("amount")).filter(n__gt=0))
    merged = {}
    for row in rows:
        merged[row["owner_id"] or None] = {"owner_id": row["owner_id"] or None, "n": row["n"], "amount": row["amount"]}
    for row in extras:
        into = merged.setdefault(row["owner_id"], {"owner_id": row["owner_id"], "n": 0, "amount": Decimal(0)})
        into["n"] += row["n"]
        into["amount"] = (into["amount"] or Decimal(0)) + (row["amount"] or Decimal(0))
    return list(merged.values())


def _scoped_roll(roll, user, level, subject):
    """A roll-up narrowed to the subject and, below "all", to the user's departments (or None: the roll-up
    cannot express the scope)."""
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


def receivable_status_sums(user, action: str, *, live, subject, period, today, status_expr,
                           force_live: bool = False) -> dict:
    """{status: {"n", "amount", "received", "balance"}} of the live receivables the user may ``action`` —
    ``live`` is their queryset narrowed to the subject and due period, ``status_expr(today)`` the
    status as SQL. From the receivable roll-up when the scope allows, else from the table."""
    level = access.scope_level(user, access.spec_for(Receivable).module, action)
    if level == Scope.NONE:
        return {}

    def table(qs) -> dict:
        return {row["zs"]: row for row in qs.order_by().annotate(zs=status_expr(today)).values("zs").annotate(
            n=Count("id"), amount=Sum("amount"), received=Sum("received"), balance=Sum("balance"))}

    roll_scope = None
    if level == Scope.ALL:
        roll_scope = Q()
    elif level in (Scope.DEPARTMENT, Scope.SUBTREE) and user.department_id:
        roll_scope = (Q(department=user.department_id) if level == Scope.DEPARTMENT
                      else Q(department__path__startswith=user.department.path))
    if force_live or roll_scope is None or not usable():
        return table(access.visible_to(user, action, live))
    roll = ReceivableDay.objects.all()
    if period is not None:
        roll = roll.filter(day__gte=period.start, day__lte=period.end)
    roll = _scoped_roll(roll, user, level, subject)
    from contracts.models import ReceivableStatus

    state = Case(When(state=0, then=Value(ReceivableStatus.PAID)),
                 When(day__lt=today, then=Value(ReceivableStatus.OVERDUE)),
                 When(state=1, then=Value(ReceivableStatus.PARTLY_PAID)),
                 default=Value(ReceivableStatus.PENDING), output_field=CharField())
    found = {row["zs"]: dict(row) for row in roll.order_by().annotate(zs=state).values("zs").annotate(
        n=Sum("n"), amount=Sum("amount"), received=Sum("received"), balance=Sum("balance")).filter(n__gt=0)}
    if level != Scope.ALL:
        extras = table(live.filter(access.scope_q(user, Receivable, Scope.OWN, action=action)).exclude(roll_scope))
        for key, row in extras.items():
            into = found.setdefault(key, {"zs": key, "n": 0, "amount": Decimal(0), "received": Decimal(0),
                                          "balance": Decimal(0)})
            into["n"] += row["n"]
            for name in ("amount", "received", "balance"):
                into[name] = (into[name] or Decimal(0)) + (row[name] or Decimal(0))
    return found
