"""Paging of list pages and API lists at any size.

Totals: an exact count up to ``EXACT_LIMIT`` rows; beyond that PostgreSQL gives the planner's row
estimate (the table's ``reltuples`` when the whole table is listed) and the page says "about N", so a
first page over a million rows does not wait for a full count. SQLite counts exactly.

Deep pages: OFFSET makes page 5,000 read and throw away 100,000 rows first, so beyond
``OFFSET_LIMIT`` rows the next/previous links carry a cursor (the sort values of the last/first row
shown, ``?after=`` / ``?before=``) and the page is a seek on the sort index. Page numbers stay for the
shallow pages; a cursor works only for sorts on plain columns of the model (others keep OFFSET).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import time
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connections
from django.db.models import F, Q
from django.db.models.expressions import OrderBy

EXACT_LIMIT = 2000
OFFSET_LIMIT = 1000


# ---- totals -------------------------------------------------------------------------------------

def count_rows(qs) -> tuple[int, bool]:
    """(total, estimated) of a queryset: exact when small or not on PostgreSQL, else the planner's estimate."""
    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        return qs.count(), False
    # Counting at most EXACT_LIMIT + 1 rows costs little however many rows match. The row query is
    # compiled once for the bounded count and, past the limit, for the planner's estimate.
    plain = qs.order_by()
    try:
        sql, params = plain.values("pk").query.get_compiler(qs.db).as_sql()
    except EmptyResultSet:  # a condition no row can meet (e.g. an empty id list)
        return 0, False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql} LIMIT {EXACT_LIMIT + 1}) zg_bounded", params)
        exact = cursor.fetchone()[0]
    if exact <= EXACT_LIMIT:
        return exact, False
    return max(_estimate(plain, sql, params), exact), True


# The planner's estimate comes from the table's statistics, which change when ANALYZE runs (autovacuum),
# not with each row written: asked again within a minute it gives the same number, so a page's estimate
# is kept that long per statement and values (the bounded exact count still runs on every page).
ESTIMATE_SECONDS = 60
ESTIMATES_KEPT = 2048
_ESTIMATES: dict[tuple, tuple[float, int]] = {}


def _estimate(plain, sql: str, params) -> int:
    try:
        key = (plain.db, sql, tuple(tuple(p) if isinstance(p, list) else p for p in params))
        hash(key)
    except TypeError:
        key = None
    now = time.monotonic()
    hit = _ESTIMATES.get(key) if key is not None else None
    if hit is not None and now - hit[0] < ESTIMATE_SECONDS:
        return hit[1]
    rows = _planned_rows(plain, sql, params)
    if key is not None:
        if len(_ESTIMATES) >= ESTIMATES_KEPT:
            _ESTIMATES.clear()
        _ESTIMATES[key] = (now, rows)
    return rows


def _planned_rows(plain, sql: str, params) -> int:
    connection = connections[plain.db]
    if plain.query.where == plain.model._default_manager.all().query.where:  # the whole (live) table
        table = plain.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
            row = cursor.fetchone()
        if row and row[0] > 0:
            return int(row[0])
    try:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
    except DatabaseError:
        return 0
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class CountedPaginator(Paginator):
    """A paginator whose total comes from :func:`count_rows` (and says whether it is an estimate)."""

    def __init__(self, object_list, per_page, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.estimated = False

    @property
    def count(self) -> int:
        if "_count" not in self.__dict__:
            self._count, self.estimated = count_rows(self.object_list)
        return self._count


# ---- cursors ------------------------------------------------------------------------------------

@dataclass
class SortKeys:
    """The ordering of a queryset as [(field, descending)] when every key is a plain model column."""

    keys: list[tuple[str, bool]]
    fields: dict = field(default_factory=dict)

    @classmethod
    def of(cls, qs) -> SortKeys | None:
        opts = qs.model._meta
        keys: list[tuple[str, bool]] = []
        for entry in qs.query.order_by:
            if isinstance(entry, str):
                name, desc = entry.lstrip("-"), entry.startswith("-")
            elif isinstance(entry, OrderBy) and isinstance(entry.expression, F):
                name, desc = entry.expression.name, entry.descending
            else:
                return None
            name = opts.pk.name if name == "pk" else name
            if "__" in name:
                return None
            try:
                model_field = opts.get_field(name)
            except Exception:
                return None
            if not model_field.concrete or model_field.is_relation and not model_field.many_to_one:
                return None
            keys.append((model_field.attname if model_field.is_relation else name, desc))
        if not keys or keys[-1][0] != opts.pk.attname:
            return None
        return cls(keys=keys, fields={name: opts.get_field(name) for name, _d in keys})

    def encode(self, obj) -> str:
        values = [getattr(obj, name) for name, _desc in self.keys]
        raw = json.dumps(values, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, cursor: str) -> list | None:
        if not cursor or not re.fullmatch(r"[A-Za-z0-9_-]{1,800}", cursor):
            return None
        try:
            values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except (binascii.Error, ValueError):
            return None
        if not isinstance(values, list) or len(values) != len(self.keys):
            return None
        try:
            return [None if v is None else self.fields[name].to_python(v) for v, (name, _d) in zip(values, self.keys, strict=True)]
        except Exception:
            return None

    def beyond(self, values: list, *, backwards: bool = False) -> Q:
        """Rows after the row with these sort values (before it with ``backwards``), in the list's order."""
        cond = self._beyond(values, 0, backwards)
        name, desc = self.keys[0]
        first = values[0]
        if first is not None and not self.fields[name].null:
            # A plain bound on the first key lets the database seek the index instead of filtering.
            cond &= Q(**{f"{name}__{'lte' if desc != backwards else 'gte'}": first})
        return cond

    def _beyond(self, values: list, i: int, backwards: bool) -> Q:
        name, desc = self.keys[i]
        desc = desc != backwards
        value, nullable = values[i], self.fields[name].null
        # Empty values sort last going down and first going up (see filters._ordered).
        if value is None:
            beyond = Q(**{f"{name}__isnull": False}) if not desc else Q(pk__in=[])
            same = Q(**{f"{name}__isnull": True})
        else:
            beyond = Q(**{f"{name}__{'lt' if desc else 'gt'}": value})
            if nullable and desc:
                beyond |= Q(**{f"{name}__isnull": True})
            same = Q(**{name: value})
        if i == len(self.keys) - 1:
            return beyond
        return beyond | (same & self._beyond(values, i + 1, backwards))


# ---- the page -----------------------------------------------------------------------------------

@dataclass
class Paged:
    page: Page
    estimated: bool
    prev_query: str = ""
    next_query: str = ""
    numbers: list = field(default_factory=list)


def paginate(qs, size: int, params) -> Paged:
    """The page asked for by ``page`` / ``after`` / ``before``; links for its neighbours as query strings."""
    paginator = CountedPaginator(qs, size)
    try:
        number = max(int(params.get("page") or 1), 1)
    except (TypeError, ValueError):
        number = 1
    keys = SortKeys.of(qs)
    cursor_values, backwards = None, False
    if keys is not None:
        for name in ("after", "before"):
            cursor_values = keys.decode(params.get(name) or "")
            if cursor_values is not None:
                backwards = name == "before"
                break
    if cursor_values is not None and number > 1:
        page = _seek_page(qs, paginator, keys, cursor_values, backwards, number, size)
    else:
        page = paginator.get_page(number)
    paged = Paged(page=page, estimated=paginator.estimated)
    rows = list(page.object_list)
    seek = keys is not None and rows
    if page.has_previous():
        prev = page.number - 1
        if seek and (prev - 1) * size > OFFSET_LIMIT:
            paged.prev_query = f"before={keys.encode(rows[0])}&page={prev}"
        else:
            paged.prev_query = f"page={prev}"
    if page.has_next():
        nxt = page.number + 1
        if seek and (nxt - 1) * size > OFFSET_LIMIT:
            paged.next_query = f"after={keys.encode(rows[-1])}&page={nxt}"
        else:
            paged.next_query = f"page={nxt}"
    paged.numbers = _numbers(page, size, seekable=keys is not None)
    return paged


def _seek_page(qs, paginator, keys: SortKeys, values, backwards: bool, number: int, size: int) -> Page:
    if backwards:
        rows = list(qs.filter(keys.beyond(values, backwards=True)).reverse()[:size])[::-1]
    else:
        rows = list(qs.filter(keys.beyond(values))[:size])
    count = paginator.count
    if not backwards and len(rows) < size:
        # The last page: the total is known exactly from where it ends (an estimate may be off).
        paginator._count = (number - 1) * size + len(rows)
    elif (number - 1) * size + len(rows) >= count:
        paginator._count = number * size + 1  # more rows follow than the estimate said
    paginator.__dict__.pop("num_pages", None)
    number = min(number, paginator.num_pages)
    return Page(rows, number, paginator)


def _numbers(page, size: int, *, seekable: bool) -> list[int | None]:
    """Page links around the current page, with None where a gap (…) goes. With cursors, numbered
    links (OFFSET) are offered only as deep as ``OFFSET_LIMIT`` rows, plus the current page."""
    last, current = page.paginator.num_pages, page.number
    wanted = {1, 2, current - 2, current - 1, current, current + 1, current + 2}
    if not page.paginator.estimated:
        wanted |= {last - 1, last}
    if seekable:
        wanted = {n for n in wanted if n == current or (n - 1) * size <= OFFSET_LIMIT}
    numbers: list[int | None] = []
    for n in sorted(n for n in wanted if 1 <= n <= last):
        if numbers and numbers[-1] is not None and n > numbers[-1] + 1:
            numbers.append(None)
        numbers.append(n)
    return numbers
