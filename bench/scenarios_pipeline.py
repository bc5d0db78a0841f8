"""Pipeline scenarios: the report pages, the opportunity board and posting a receipt, each measured
through the real views (or the real service) next to the same work in raw SQL — the floor — in the
same run, as bench/scenarios.py does for the customer pages.

Each floor does what its page computes, read from the page's code: the funnel's one GROUP BY (stage,
status), the analysis's GROUP BY owner, the Top N GROUP BY … LIMIT, the receivables page's rows, its
bounded count and its per-status totals, the board's per-stage totals and card columns, and for a
receipt the row UPDATE and the INSERT in one transaction. A page that does not exist yet is reported
as "not available" instead of stopping the run.
"""

from __future__ import annotations

import datetime
import itertools
import uuid
from decimal import Decimal

from django.db import connection, transaction
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from contracts.models import Receivable
from contracts.receipts import receipt_post
from core.models import LookupItem

from .scenarios import _queries, _sql, _time, chosen, floor_time

TARGETS = {"p95": 300, "ratio": 1.5}
LIVE = "o.deleted_at IS NULL"


def _period(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """[1 Jan, 1 Jan next year) in the company's time zone, as reports.params.Period.datetime_range."""
    tz = timezone.get_current_timezone()
    return (datetime.datetime(year, 1, 1, tzinfo=tz), datetime.datetime(year + 1, 1, 1, tzinfo=tz))


def _available(client: Client, url: str) -> str:
    """Empty when the page answers 200, else why not (the pages are being written meanwhile)."""
    try:
        resolve(url.split("?")[0])
    except Resolver404:
        return "not available (no such page yet)"
    try:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    except Exception as exc:  # noqa: BLE001 — a page half written (NoReverseMatch, a template error) is reported, not fatal
        return f"not available ({type(exc).__name__}: {str(exc)[:60]})"
    return "" if response.status_code == 200 else f"not available (HTTP {response.status_code})"


def _request(client: Client, url: str):
    def run():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, (url, response.status_code)
    return run


def _funnel_floor(start, end, dept_path: str | None):
    join, cond, args = "", "", [start, end]
    if dept_path:
        join, cond = "JOIN org_department d ON d.id = o.department_id ", " AND d.path LIKE %s"
        args.append(dept_path + "%")
    return _sql((f"SELECT o.stage_id, o.status, COUNT(o.id), SUM(o.expected_amount), SUM(o.amount) "
                 f"FROM sales_opportunity o {join}WHERE {LIVE} AND o.created_at >= %s AND o.created_at < %s{cond} "
                 "GROUP BY o.stage_id, o.status", args),
                ("SELECT id, name, active FROM core_lookupitem WHERE kind = 'sales_stage' ORDER BY sort, id", []))


def _analysis_floor(start, end, owner_ids: list[int]):
    # reports.analysis_opportunity: one GROUP BY owner over the period's opportunities with the sums of
    # the money fields and a count; the names of the row keys in one more query.
    return _sql((f"SELECT o.owner_id, COUNT(o.id), SUM(o.cost_estimate), SUM(o.expected_amount), SUM(o.amount) "
                 f"FROM sales_opportunity o WHERE {LIVE} AND o.created_at >= %s AND o.created_at < %s "
                 "GROUP BY o.owner_id", [start, end]),
                (f"SELECT id, username, first_name, last_name FROM org_user WHERE id IN "
                 f"({', '.join(['%s'] * len(owner_ids))})", owner_ids))


def _top_floor(year: int):
    return _sql(("SELECT r.owner_id, u.first_name, u.last_name, u.username, SUM(x.amount) AS zv "
                 "FROM contracts_receipt x JOIN contracts_receivable r ON r.id = x.receivable_id "
                 "LEFT JOIN org_user u ON u.id = r.owner_id "
                 "WHERE r.deleted_at IS NULL AND x.date >= %s AND x.date <= %s "
                 "GROUP BY r.owner_id, u.first_name, u.last_name, u.username "
                 "HAVING SUM(x.amount) IS NOT NULL ORDER BY zv DESC, r.owner_id LIMIT 10",
                 [datetime.date(year, 1, 1), datetime.date(year, 12, 31)]))


def _receivables_floor(today: datetime.date):
    # Counted as core.lists.paging counts (bench/scenarios._count, whose rows are aliased c).
    where = "FROM contracts_receivable c WHERE c.deleted_at IS NULL AND c.balance > 0 AND c.due_date < %s"
    status = ("CASE WHEN r.balance <= 0 THEN 'paid' WHEN r.due_date < %s THEN 'overdue' "
              "WHEN r.received > 0 THEN 'partly_paid' ELSE 'pending' END")
    return _sql(
        ("SELECT r.id, r.period, r.due_date, r.amount, r.received, r.balance, r.customer_id, r.owner_id, "
         "r.contract_id, r.order_id, c.name, u.username, u.first_name, u.last_name, k.code "
         "FROM contracts_receivable r JOIN customers_customer c ON c.id = r.customer_id "
         "LEFT JOIN org_user u ON u.id = r.owner_id LEFT JOIN contracts_contract k ON k.id = r.contract_id "
         "WHERE r.deleted_at IS NULL AND r.balance > 0 AND r.due_date < %s ORDER BY r.due_date, r.id LIMIT 50",
         [today]),
        (f"COUNT {where}", [today]),
        (f"SELECT {status} AS zs, COUNT(r.id), SUM(r.amount), SUM(r.received), SUM(r.balance) "
         "FROM contracts_receivable r WHERE r.deleted_at IS NULL GROUP BY 1", [today]))


def _board_floor(seller, stage_ids: list[int]):
    """sales/views_board.py: stages, the per-stage totals, one seek per non-empty column for its newest
    cards (the card's columns only), the seller as the one person to filter by (own scope)."""
    scope = f"FROM sales_opportunity o WHERE {LIVE} AND (o.owner_id = %s OR o.created_by_id = %s) AND o.owner_id = %s"
    args = [seller.pk] * 3
    cards = ("SELECT o.id, o.version, o.subject, o.amount, o.status, o.terminated, o.converted, o.audited, "
             "o.stage_entered_at, o.stage_id, o.updated_at, c.id, c.name, u.id, u.username, u.first_name, u.last_name "
             "FROM sales_opportunity o JOIN customers_customer c ON c.id = o.customer_id "
             "LEFT JOIN org_user u ON u.id = o.owner_id "
             f"WHERE {LIVE} AND (o.owner_id = %s OR o.created_by_id = %s) AND o.owner_id = %s AND o.stage_id = %s "
             "ORDER BY o.updated_at DESC, o.id DESC LIMIT 20")
    return _sql(
        ("SELECT id, name, extra FROM core_lookupitem WHERE kind = 'sales_stage' AND active ORDER BY sort, id", []),
        (f"SELECT o.stage_id, COUNT(o.id), SUM(o.amount) {scope} GROUP BY o.stage_id", args),
        *[(cards, [*args, stage]) for stage in stage_ids],
        ("SELECT u.id, u.username, u.first_name, u.last_name FROM org_user u WHERE u.is_active AND u.status = 'active' "
         "AND u.id = %s", [seller.pk]))


def _receipt_cases(world) -> dict:
    """receipt_post on the seller's receivables with a balance, one cent each, a new key per call; the
    floor records the same receipt with the raw INSERT and UPDATE in one transaction."""
    seller, today = world["sellers"][0], world["today"]
    ids = list(Receivable.objects.filter(owner=seller, balance__gte=100).order_by("-balance")
               .values_list("pk", flat=True)[:40])
    if not ids:
        return {"skip": "no receivable with a balance"}
    turn = itertools.cycle(ids)
    amount = Decimal("0.01")

    def post():
        receipt_post(actor=seller, receivable=next(turn), amount=amount, date=today,
                     idempotency_key=f"bench-post-{uuid.uuid4().hex}")

    def floor():
        pk = next(turn)
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE contracts_receivable SET received = received + %s, balance = balance - %s, "
                        "version = version + 1, updated_at = %s WHERE id = %s AND balance >= %s",
                        [amount, amount, timezone.now(), pk, amount])
            cur.execute("INSERT INTO contracts_receipt (amount, date, idempotency_key, notes, created_at, "
                        "created_by_id, receivable_id) VALUES (%s, %s, %s, '', %s, %s, %s)",
                        [amount, today, f"bench-floor-{uuid.uuid4().hex}", timezone.now(), seller.pk, pk])
    return {"call": post, "floor": floor}


def cases(world) -> list[dict]:
    director, seller = world["director"], world["sellers"][0]
    year = world["today"].year - 1  # the last whole year of the data
    start, end = _period(year)
    as_director, as_seller = Client(), Client()
    as_director.force_login(director)
    as_seller.force_login(seller)
    dept = seller.department
    stages = list(LookupItem.objects.filter(kind="sales_stage", active=True).order_by("sort", "id")
                  .values_list("pk", flat=True))
    y = f"period=year&year={year}"
    return [
        {"name": "board, one seller (own rows)", "client": as_seller,
         "url": f"/sales/opportunity/board/?owner={seller.pk}", "floor": _board_floor(seller, stages)},
        # The target for posting a receipt is its time alone; the ratio is shown, not judged.
        {"name": "receipt_post, seller (per call)", **_receipt_cases(world), "targets": {"p95": 20}},
        {"name": f"funnel, company, {year}", "client": as_director, "url": f"/reports/funnel/?{y}",
         "floor": _funnel_floor(start, end, None)},
        {"name": f"funnel, {dept.name}, {year}", "client": as_director,
         "url": f"/reports/funnel/?{y}&department={dept.pk}", "floor": _funnel_floor(start, end, dept.path)},
        {"name": f"opportunity analysis by seller, {year}", "client": as_director,
         "url": f"/reports/opportunity-analysis/?by=owner&{y}", "floor": _analysis_floor(start, end, [u.pk for u in world["sellers"]])},
        {"name": f"Top 10 sellers by receipts, {year}", "client": as_director,
         "url": f"/reports/top/?measure=receipts&by=owner&limit=10&{y}", "floor": _top_floor(year)},
        {"name": "receivables, overdue, company", "client": as_director,
         "url": "/reports/receivables/?status=overdue", "floor": _receivables_floor(world["today"])},
    ]


def run_all(world, repeat: int = 30):
    for case in chosen(cases(world)):
        row = {"name": case["name"], "median": 0.0, "p95": 0.0, "queries": 0, "floor": 0.0, "ratio": 0.0}
        if "skip" in case:
            yield {**row, "skip": case["skip"]}
            continue
        if "call" in case:
            page = case["call"]
        else:
            why = _available(case["client"], case["url"])
            if why:
                yield {**row, "skip": why}
                continue
            page = _request(case["client"], case["url"])
        median, p95 = _time(page, repeat)
        floor_median, _serial = floor_time(case["floor"], repeat)
        row.update(median=median, p95=p95, queries=_queries(page), floor=floor_median,
                   ratio=median / floor_median if floor_median else float("nan"))
        row["verdict"] = _verdict(row, case.get("targets", TARGETS))
        yield row


def _verdict(row: dict, targets: dict) -> str:
    """Targets hold for PostgreSQL at the full size; on SQLite they are shown, not judged."""
    names = [f"{key}≤{limit}" for key, limit in targets.items()]
    if connection.vendor != "postgresql":
        return " ".join(names) + " (judged on PostgreSQL)"
    checks = [(name, row[key] <= limit) for name, (key, limit) in zip(names, targets.items(), strict=True)]
    over = [f"{key} {row[key] / limit:.1f}× target" for key, limit in targets.items() if row[key] > limit]
    return " ".join(f"{n} {'ok' if ok else 'MISS'}" for n, ok in checks) + (f" ({', '.join(over)})" if over else "")


def print_table(world, repeat: int) -> None:
    print(f"pipeline: {world['opportunities']:,} opportunities, {world['contracts']:,} contracts, "
          f"{world['receivables']:,} receivables, {world['receipts']:,} receipts", flush=True)
    print(f"{'scenario':46} {'median ms':>9} {'p95 ms':>8} {'queries':>7} {'floor ms':>8} {'ratio':>6}  targets")
    for row in run_all(world, repeat=repeat):
        if "skip" in row:
            print(f"{row['name']:46} {row['skip']}", flush=True)
            continue
        print(f"{row['name']:46} {row['median']:9.1f} {row['p95']:8.1f} {row['queries']:7d} {row['floor']:8.2f} "
              f"{row['ratio']:6.1f}  {row['verdict']}", flush=True)

