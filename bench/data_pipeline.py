"""The pipeline data set, on top of bench/data.py's world (its sellers, department tree and customers):
N opportunities over the last two years, N/5 contracts (one per won opportunity), three receivables per
contract and five receipts per contract (N in all), built in SQL like bench/data.py.

Every figure is computed in integer cents inside the INSERT, the same way the application computes it:
an opportunity's amount is expected × rate / 100 rounded half up (sales.models.pipeline.compute_amount), a
contract's amount is its won opportunity's amount, its receivables split it 30/30/40, and each receivable's
``received`` is the sum of the receipts inserted for it (``balance`` = amount − received), as
contracts.receipts.receipt_post keeps them. :func:`verify` re-checks a sample from the stored rows and stops
the run on any difference. A data set already at the asked size is reused.
"""

from __future__ import annotations

import time
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from contracts.models import Contract, Receipt, Receivable
from core import access
from core.basedata import ensure_default_lookups
from core.models import LookupItem
from core.testing import make_role, make_user
from customers.models import Customer
from org.models import Grant, Role, Scope, User
from reports import rollups
from sales.models import Opportunity
from sales.models.pipeline import compute_amount

from .data import CODE_PREFIX, SELLERS

OPP_PREFIX, CONTRACT_PREFIX, KEY_PREFIX = "SJB", "HTB", "bench-rcpt-"
DAYS = 730  # opportunities spread over the last two years
TABLES = ("contracts_receipt", "contracts_receivable", "contracts_contract", "sales_opportunity")
# The stage mix of 30 opportunities in a row: every 5th is won (it gets the contract), the others spread
# over the open stages, lost (with a reason) and a few terminated.
OPEN_CYCLE = ["initial", "needs", "initial", "proposal", "needs", "negotiation", "lost", "initial",
              "proposal", "lost", "initial", "needs", "terminated", "proposal", "initial", "needs",
              "negotiation", "lost", "initial", "proposal", "needs", "lost", "initial", "terminated"]
# Receipts per contract, by pattern (contract id % 4): (period, percent, minus percent); a receipt is
# R × percent / 100 − R × minus / 100 of its receivable R (cents), so "100, 50" is the rest after a 50 % one.
PATTERNS = {
    0: [(1, 50, 0), (1, 100, 50), (2, 50, 0), (2, 100, 50), (3, 100, 0)],   # all paid
    1: [(1, 50, 0), (1, 100, 50), (2, 50, 0), (2, 100, 50), (3, 40, 0)],    # last period partly paid
    2: [(1, 50, 0), (1, 100, 50), (2, 40, 0), (2, 30, 0), (3, 20, 0)],
    3: [(1, 30, 0), (1, 30, 0), (2, 30, 0), (2, 20, 0), (3, 10, 0)],        # all partly paid
}
SPLIT = (30, 30, 40)  # percent of the contract per receivable period


def sizes(opportunities: int) -> dict:
    return {"opportunities": opportunities, "contracts": opportunities // 5,
            "receivables": opportunities // 5 * 3, "receipts": opportunities // 5 * 5}


# ---- users -----------------------------------------------------------------------------------

def _sync_grants(role: Role, scope: int, modules) -> None:
    """Grant every action of the modules (new modules registered since the last run included)."""
    have = set(role.grants.values_list("module", "action"))
    Grant.objects.bulk_create([Grant(role=role, module=m, action=a, scope=scope) for m in modules
                               for a, _l in Grant.Action.choices if (m, a) not in have])


@transaction.atomic
def _users(world: dict) -> dict:
    """A director who sees the whole company (every module, scope all), and the sellers' own scope on
    opportunities, contracts and receivables (bench/data.py gives them customers only)."""
    director_role = Role.objects.filter(code="bench_pipe_director").first() or make_role("bench_pipe_director")
    _sync_grants(director_role, Scope.ALL, access.MODULES)
    sales_role = Role.objects.filter(code="bench_pipe_sales").first() or make_role("bench_pipe_sales")
    _sync_grants(sales_role, Scope.OWN, ["sales.opportunity", "contracts.contract", "contracts.receivable"])
    director = User.objects.filter(username="bench_director").first()
    if director is None:
        director = make_user("bench_director", department=world["manager"].department.parent, roles=[director_role])
    for seller in world["sellers"]:
        seller.roles.add(sales_role)
    return {"director": director}


# ---- build -----------------------------------------------------------------------------------

def _counts() -> dict:
    return {"opportunities": Opportunity.all_objects.filter(code__startswith=OPP_PREFIX).count(),
            "contracts": Contract.all_objects.filter(code__startswith=CONTRACT_PREFIX).count(),
            "receivables": Receivable.all_objects.filter(contract__code__startswith=CONTRACT_PREFIX).count(),
            "receipts": Receipt.objects.filter(idempotency_key__startswith=KEY_PREFIX).count()}


def build(world: dict, opportunities: int) -> dict:
    ensure_default_lookups(["sales_stage", "lost_reason", "payment_method"])
    out = {**world, **_users(world), "today": timezone.localdate()}
    wanted = sizes(opportunities)
    if _counts() != wanted:
        started = time.perf_counter()
        with transaction.atomic():  # a run stopped half-way leaves the old data set and its indexes
            _wipe()
            _pools(world)
            _insert(opportunities, world, out["today"])
            rollups.rebuild()  # the load bypassed the roll-up's triggers (TRUNCATE, replica role)
            verify()
        _vacuum()
        print(f"built {opportunities} opportunities, {wanted['contracts']} contracts, {wanted['receivables']} "
              f"receivables, {wanted['receipts']} receipts in {time.perf_counter() - started:.0f} s", flush=True)
    return {**out, **wanted}


def release_customers(size: int) -> None:
    """Called before bench/data.py rebuilds its customers at another size: the pipeline rows that point
    at them go first (SQLite checks the foreign keys at commit; PostgreSQL's TRUNCATE … CASCADE would
    take them anyway). The pipeline is rebuilt afterwards."""
    if Customer.all_objects.filter(code__startswith=CODE_PREFIX).count() == size:
        return
    if Opportunity.all_objects.exists() or Receivable.all_objects.exists():
        with transaction.atomic():
            _wipe()


def _pools(world: dict) -> None:
    stages = {i.code: i for i in LookupItem.objects.filter(kind="sales_stage")}
    reasons = list(LookupItem.objects.filter(kind="lost_reason").order_by("sort", "id").values_list("id", flat=True))
    mix = []
    for k in range(30):
        code = "won" if k % 5 == 0 else OPEN_CYCLE[k - k // 5 - 1]
        status = {"won": "won", "lost": "lost", "terminated": "terminated"}.get(code, "open")
        stage = stages["proposal" if code == "terminated" else code]
        rate = int(stage.extra.get("win_rate", 0))
        mix.append((k, stage.pk, rate * 100, status, code == "terminated", reasons[k % len(reasons)] if code == "lost" else None))
    sellers = [(k, u.pk, u.department_id) for k, u in enumerate(world["sellers"])]
    slots = [(p, s, *row) for p, rows in PATTERNS.items() for s, row in enumerate(rows, 1)]
    with connection.cursor() as cur:
        for table in ("bench_pipe_mix", "bench_pipe_sellers", "bench_pipe_slots"):
            cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute("CREATE TABLE bench_pipe_mix (k integer PRIMARY KEY, stage_id bigint, rate_bp integer, "
                    "status varchar(12), terminated boolean, reason_id bigint)")
        cur.execute("CREATE TABLE bench_pipe_sellers (k integer PRIMARY KEY, user_id bigint, dept_id bigint)")
        cur.execute("CREATE TABLE bench_pipe_slots (pattern integer, slot integer, period integer, pct integer, "
                    "minus integer, PRIMARY KEY (pattern, slot))")
        cur.executemany("INSERT INTO bench_pipe_mix VALUES (%s, %s, %s, %s, %s, %s)", mix)
        cur.executemany("INSERT INTO bench_pipe_sellers VALUES (%s, %s, %s)", sellers)
        cur.executemany("INSERT INTO bench_pipe_slots VALUES (%s, %s, %s, %s, %s)", slots)


class _Sql:
    """The few expressions that differ between PostgreSQL and SQLite."""

    def __init__(self, n: int, today: date):
        self.pg = connection.vendor == "postgresql"
        self.today = today.isoformat()
        if self.pg:
            self.with_, self.series = "", f"generate_series(1::bigint, {n}) AS s(i)"
        else:
            self.with_ = f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) "
            self.series = "s"
        self.least = "LEAST" if self.pg else "MIN"

    def pad(self, expr: str) -> str:
        return f"lpad(({expr})::text, 8, '0')" if self.pg else f"printf('%08d', {expr})"

    def day(self, ago: str) -> str:
        """The date ``ago`` days before today (negative: after)."""
        if self.pg:
            return f"(DATE '{self.today}' - ({ago})::integer)"
        return f"date('{self.today}', printf('%+d days', -({ago})))"

    def plus(self, day: str, days: str) -> str:
        return f"({day} + ({days})::integer)" if self.pg else f"date({day}, printf('%+d days', {days}))"

    def at(self, day: str, hour: int) -> str:
        """A moment on a day (local time of Beijing, stored as UTC)."""
        if self.pg:
            return f"(({day})::timestamp + interval '{hour} hours') AT TIME ZONE 'Asia/Shanghai'"
        return f"datetime({day}, '+{hour - 8} hours')"

    def money(self, cents: str) -> str:
        return f"(({cents})::numeric / 100)" if self.pg else f"(({cents}) / 100.0)"

    def cents(self, column: str) -> str:
        return f"(({column}) * 100)::bigint" if self.pg else f"CAST(round(({column}) * 100) AS integer)"

    @property
    def json(self) -> str:
        return "'{}'::jsonb" if self.pg else "'{}'"


def _insert(n: int, world: dict, today: date) -> None:
    q = _Sql(n, today)
    k = sizes(n)
    customers = Customer.all_objects.filter(code__startswith=CODE_PREFIX).count()  # their ids are 1…customers
    director = User.objects.get(username="bench_director").pk
    method = LookupItem.objects.get(kind="payment_method", code="bank_transfer").pk
    age = f"(({n} - s.i) * {DAYS} / {n})"  # days; newer ids are newer opportunities
    # Every customer gets opportunities, and every seller won ones (the ids of won ones are multiples of 5).
    cust = f"(1 + (s.i * 7919 + (s.i / 5) * 2) % {customers})"
    created = q.day(age)
    expected = "(1000000 + (s.i * 104729) % 99000001)"  # cents: 10,000.00 – 1,000,000.00
    rate = "(CASE WHEN m.status = 'open' THEN m.rate_bp + (s.i % 4) * 25 ELSE m.rate_bp END)"  # 0.01 %
    closed = f"{q.least}({q.plus(created, '5 + s.i % 60')}, {_today(q)})"
    entered = q.at(f"{q.least}({q.plus(created, 's.i % 20')}, {closed})", 10)
    with connection.cursor() as cur:
        indexes = _drop_indexes(cur)
        cur.execute(
            f"{q.with_}INSERT INTO sales_opportunity (id, created_at, updated_at, version, deleted_at, custom, win_rate, "
            "cost_estimate, expected_amount, start_date, planned_close, actual_close, code, subject, amount, status, "
            "notes, audited, audited_at, terminated, converted, stage_entered_at, audited_by_id, contact_id, "
            "created_by_id, customer_id, deleted_by_id, department_id, lost_reason_id, owner_id, source_id, stage_id, "
            "from_project_id) "
            f"SELECT s.i, {q.at(created, 9)}, {q.at(created, 9)}, 1, NULL, {q.json}, {q.money(rate)}, "
            f"{q.money(f'{expected} * 6 / 10')}, {q.money(expected)}, {created}, {q.plus(created, '30 + s.i % 90')}, "
            f"CASE WHEN m.status = 'open' THEN NULL ELSE {closed} END, '{OPP_PREFIX}' || {q.pad('s.i')}, "
            f"'采购项目 ' || {q.pad('s.i')}, {q.money(f'({expected} * {rate} + 5000) / 10000')}, m.status, '', "
            f"{'false' if q.pg else '0'}, NULL, m.terminated, {'false' if q.pg else '0'}, "
            f"{entered}, NULL, {cust} * 2, sl.user_id, {cust}, "
            "NULL, sl.dept_id, m.reason_id, sl.user_id, NULL, m.stage_id, NULL "
            f"FROM {q.series} JOIN bench_pipe_mix m ON m.k = s.i % 30 "
            f"JOIN bench_pipe_sellers sl ON sl.k = {cust} % {SELLERS}")
        # One contract per won opportunity (ids 5, 10, …), signed the day it was won, for its amount.
        status = "CASE s.i % 10 WHEN 0 THEN 'completed' WHEN 1 THEN 'executing' ELSE 'approved' END"
        cur.execute(
            f"{q.with_}INSERT INTO contracts_contract (id, created_at, updated_at, version, deleted_at, custom, code, "
            "amount, status, approved_at, notes, title, contract_type, sign_date, start_date, end_date, expected_margin, "
            "terms, approved_by_id, created_by_id, customer_id, deleted_by_id, department_id, opportunity_id, "
            "our_signer_id, owner_id, project_id, their_signer_id) "
            f"SELECT s.i, {q.at('o.actual_close', 11)}, {q.at('o.actual_close', 11)}, 1, NULL, {q.json}, "
            f"'{CONTRACT_PREFIX}' || {q.pad('s.i')}, o.amount, {status}, {q.at('o.actual_close', 11)}, '', "
            f"'销售合同 ' || o.subject, 'sales', o.actual_close, o.actual_close, {q.plus('o.actual_close', '365')}, "
            f"{q.money('4000')}, '', {director}, o.owner_id, o.customer_id, NULL, o.department_id, o.id, o.owner_id, "
            f"o.owner_id, NULL, o.contact_id FROM {q.series} JOIN sales_opportunity o ON o.id = s.i * 5")
    # Receivables and receipts: per contract, so the series runs over the contracts.
    q = _Sql(k["contracts"], today)
    whole = q.cents("c.amount")
    part = (f"(CASE p.period WHEN 3 THEN {whole} - 2 * ({whole} * {SPLIT[0]} / 100) "
            f"ELSE {whole} * {SPLIT[0]} / 100 END)")
    received = (f"(SELECT SUM({part} * t.pct / 100 - {part} * t.minus / 100) FROM bench_pipe_slots t "
                "WHERE t.pattern = s.i % 4 AND t.period = p.period)")
    periods = "(SELECT 1 AS period UNION ALL SELECT 2 UNION ALL SELECT 3) p"
    with connection.cursor() as cur:
        cur.execute(
            f"{q.with_}INSERT INTO contracts_receivable (id, created_at, updated_at, version, deleted_at, custom, period, "
            "due_date, amount, received, balance, reminded_due_at, reminded_overdue_at, contract_id, created_by_id, "
            "customer_id, deleted_by_id, department_id, order_id, owner_id) "
            f"SELECT (s.i - 1) * 3 + p.period, c.created_at, c.created_at, 1, NULL, {q.json}, p.period, "
            f"{q.plus('c.sign_date', '30 * p.period')}, {q.money(part)}, {q.money(received)}, "
            f"{q.money(f'{part} - {received}')}, NULL, NULL, c.id, c.owner_id, c.customer_id, NULL, c.department_id, "
            f"NULL, c.owner_id FROM {q.series} JOIN contracts_contract c ON c.id = s.i CROSS JOIN {periods}")
        r_cents = q.cents("r.amount")
        paid_on = f"{q.least}({q.plus('r.due_date', '3 * t.slot - 20')}, {_today(q)})"
        cur.execute(
            f"{q.with_}INSERT INTO contracts_receipt (id, amount, date, idempotency_key, notes, created_at, "
            "created_by_id, method_id, receivable_id) "
            f"SELECT (s.i - 1) * 5 + t.slot, {q.money(f'{r_cents} * t.pct / 100 - {r_cents} * t.minus / 100')}, "
            f"{paid_on}, '{KEY_PREFIX}' || ((s.i - 1) * 5 + t.slot), '', {q.at(paid_on, 11)}, r.owner_id, {method}, r.id "
            f"FROM {q.series} JOIN bench_pipe_slots t ON t.pattern = s.i % 4 "
            "JOIN contracts_receivable r ON r.id = (s.i - 1) * 3 + t.period")
        _restore_indexes(cur, indexes)
        if q.pg:
            for table in TABLES:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                cur.execute(f"ANALYZE {table}")
        else:
            cur.execute("ANALYZE")


def _vacuum() -> None:
    """PostgreSQL: the visibility map a vacuumed table has in steady state (autovacuum would set it a
    while after the load), so index-only scans are measured as they run in production."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {', '.join(TABLES)}")


def _today(q: _Sql) -> str:
    return f"DATE '{q.today}'" if q.pg else f"'{q.today}'"


def _drop_indexes(cur) -> list[str]:
    """PostgreSQL: drop the secondary indexes of the four tables and switch off foreign-key triggers for
    the load (as bench/data.py does); the rows are generated consistent and verified afterwards."""
    if connection.vendor != "postgresql":
        return []
    cur.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) AND i.indexname NOT IN "
        "(SELECT c.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conindid)", [list(TABLES)])
    indexes = cur.fetchall()
    for name, _definition in indexes:
        cur.execute(f'DROP INDEX IF EXISTS "{name}"')
    cur.execute("SET session_replication_role = replica")
    return [definition for _name, definition in indexes]


def _restore_indexes(cur, definitions: list[str]) -> None:
    if connection.vendor != "postgresql":
        return
    cur.execute("SET session_replication_role = DEFAULT")
    cur.execute("SET maintenance_work_mem = '512MB'")
    for definition in definitions:
        cur.execute(definition)


def _wipe() -> None:
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
        else:
            for table in TABLES:
                cur.execute(f"DELETE FROM {table}")


def verify(sample: int = 300) -> None:
    """Re-check a sample from the stored rows; any difference stops the run."""
    opps = Opportunity.all_objects.filter(code__startswith=OPP_PREFIX).order_by("?")[:sample]
    for o in opps:
        if o.amount != compute_amount(o.expected_amount, o.win_rate):
            raise RuntimeError(f"bench data: opportunity {o.pk} amount {o.amount} != {o.expected_amount} × {o.win_rate}")
    ids = list(Contract.all_objects.filter(code__startswith=CONTRACT_PREFIX).order_by("?").values_list("pk", flat=True)[:sample])
    for contract in Contract.all_objects.filter(pk__in=ids).select_related("opportunity").prefetch_related("receivables__receipts"):
        receivables = list(contract.receivables.all())
        if sum(r.amount for r in receivables) != contract.amount or len(receivables) != 3:
            raise RuntimeError(f"bench data: receivables of contract {contract.pk} do not add up to {contract.amount}")
        for r in receivables:
            paid = sum(x.amount for x in r.receipts.all())
            if paid != r.received or r.balance != r.amount - r.received or r.balance < 0:
                raise RuntimeError(f"bench data: receivable {r.pk}: receipts {paid}, received {r.received}, "
                                   f"balance {r.balance}, amount {r.amount}")
        if contract.opportunity.amount != contract.amount:
            raise RuntimeError(f"bench data: contract {contract.pk} amount differs from its opportunity")


def year_of_data(today: date) -> int:
    """The last whole year the data covers."""
    return today.year - 1

