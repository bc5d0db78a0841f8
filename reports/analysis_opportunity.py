"""Customer opportunity analysis (客户商机分析), and the grouped analysis the project analysis shares.

Rows are salespeople (``by=owner``) or customers (``by=customer``). Which records count: every live
(not binned) record the user may read (core.access.visible_to) created in the period — ``created_at``
is the date that puts an opportunity or project in a period, compared as a half-open range of
timestamps ``[start, end)`` so the index on it serves the filter. ``department``/``owner`` narrow the
rows to a department subtree or a person (never widen them); ``stage`` to one sales stage.

The database does one GROUP BY (sums of the money fields and a count per row key); the formulas of
reports.formulas run in Python on the grouped rows, which are few per salesperson, so sorting by a
computed column (profit, margin) uses exactly the figures shown. The totals row is computed from the
summed inputs, never by adding up percentages. Pages show 50 rows; the export has them all.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import access
from core.models import LookupItem
from org.models import Department, User
from sales.models import Opportunity

from . import rollups
from .formulas import OPPORTUNITY_COLUMNS, Column, opportunity_figures, visible_columns
from .params import Period, Subject, read_period, read_subject

PAGE_SIZE = 50
MAX_PAGE = 100_000
BY_CHOICES = {"owner": gettext_lazy("Salesperson"), "customer": gettext_lazy("Customer")}


@dataclass(frozen=True)
class AnalysisQuery:
    by: str
    period: Period
    subject: Subject
    stage: LookupItem | None = None
    sort: str = "-expected"  # "label" or a column key; a leading "-" sorts descending
    page: int = 1
    extra: tuple[tuple[str, object], ...] = ()  # further filters of one report (e.g. the quoted product)

    def params(self, **override) -> dict:
        """The query as URL parameters (for paging, sorting and export links)."""
        out = {"by": self.by, **self.period.params, **self.subject.params}
        if self.stage is not None:
            out["stage"] = self.stage.pk
        out.update({name: getattr(value, "pk", value) for name, value in self.extra})
        out["sort"] = self.sort
        if self.page != 1:
            out["page"] = self.page
        out.update(override)
        return {k: v for k, v in out.items() if v not in (None, "")}


@dataclass
class AnalysisRow:
    key: object
    label: str
    figures: dict
    filter: dict | None = None
    url: str = ""


@dataclass
class AnalysisResult:
    query: AnalysisQuery
    columns: list[Column]
    rows: list[AnalysisRow]
    totals: AnalysisRow
    count: int
    page_count: int
    extras: dict = field(default_factory=dict)


# ---- parameters ----------------------------------------------------------------------------------

def read_sort(params, columns: list[Column], default: str) -> str:
    if default.lstrip("-") not in {c.key for c in columns}:
        default = "-count"  # the default column is hidden from this user
    raw = (params.get("sort") or default).strip()
    name = raw[1:] if raw.startswith("-") else raw
    if name != "label" and name not in {c.key for c in columns}:
        raise ValidationError(_("Cannot sort by %(value)s.") % {"value": raw[:30]})
    return raw


def read_page(params) -> int:
    raw = (params.get("page") or "1").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise ValidationError(_("%(value)s is not a valid page.") % {"value": raw[:20]})
    return int(raw)


def refuse_hidden_filters(params, hidden: set[str], names=("owner", "department", "stage", "customer")) -> None:
    """Narrowing by a field the user may not see would reveal it (whose records, which stage)."""
    for name in names:
        if name in hidden and (params.get(name) or "").strip():
            raise ValidationError(_("You may not filter by %(field)s.") % {"field": name})


def read_stage(params) -> LookupItem | None:
    raw = (params.get("stage") or "").strip()
    if not raw:
        return None
    stage = LookupItem.objects.filter(kind="sales_stage", pk=raw).first() if raw.isdigit() else None
    if stage is None:
        raise ValidationError(_("This sales stage does not exist."))
    return stage


# ---- rows: sort, page, drill-down ----------------------------------------------------------------

def sort_rows(rows: list[AnalysisRow], sort: str) -> list[AnalysisRow]:
    """Sorted by a column (or the label); empty figures ("—") go last either way; ties by label."""
    desc, name = sort.startswith("-"), sort.lstrip("-")
    rows = sorted(rows, key=lambda r: (r.label, str(r.key)))
    if name == "label":
        return sorted(rows, key=lambda r: r.label, reverse=desc)
    filled = [r for r in rows if r.figures.get(name) is not None]
    empty = [r for r in rows if r.figures.get(name) is None]
    return sorted(filled, key=lambda r: r.figures[name], reverse=desc) + empty


def page_of(rows: list, page: int) -> tuple[list, int]:
    page_count = max(1, math.ceil(len(rows) / PAGE_SIZE))
    if page > page_count:
        raise ValidationError(_("There is no page %(page)s.") % {"page": page})
    return rows[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], page_count


def drill_url(list_url: str, definition: dict | None) -> str:
    if not definition:
        return ""
    return list_url + "?" + urlencode({"f": json.dumps(definition, ensure_ascii=False, separators=(",", ":"))})


class DrillRules:
    """Filter rules of the record list that select a row's records: the period, the subject, the stage
    and the row key. The department subtree is read once per result, and only when a link needs it."""

    def __init__(self, query: AnalysisQuery, date_field: str, hidden: set[str]):
        self.query, self.date_field, self.hidden = query, date_field, hidden
        self._base: list[dict] | None = None

    def base(self) -> list[dict] | None:
        if self._base is None:
            period, subject = self.query.period, self.query.subject
            rules = [{"field": self.date_field, "operator": "gte", "value": period.start.isoformat()},
                     {"field": self.date_field, "operator": "lte", "value": period.end.isoformat()}]
            if subject.owner is not None:
                rules.append({"field": "owner", "operator": "eq", "value": subject.owner.pk})
            elif subject.department is not None:
                ids = list(Department.objects.filter(path__startswith=subject.department.path)
                           .order_by("pk").values_list("pk", flat=True))
                rules.append({"field": "department", "operator": "in", "value": ids})
            if self.query.stage is not None:
                rules.append({"field": "stage", "operator": "eq", "value": self.query.stage.pk})
            self._base = rules
        return self._base

    def definition(self, field_name: str | None = None, key=None) -> dict | None:
        """The filter of one row (``field_name`` = ``key``; None key = not set), or of all rows."""
        used = {r["field"] for r in self.base()} | ({field_name} if field_name else set())
        if used & self.hidden:
            return None  # the list would refuse a filter on a field the user may not see
        rules = list(self.base())
        if field_name is not None:
            rules.append({"field": field_name, "operator": "empty", "value": True} if key is None
                         else {"field": field_name, "operator": "eq", "value": key})
        return {"op": "and", "rules": rules}


def user_labels(ids) -> dict:
    ids = [i for i in ids if i is not None]
    users = User.objects.filter(pk__in=ids).only("pk", "username", "first_name", "last_name") if ids else []
    return {u.pk: (u.get_full_name() or u.username) for u in users}


# ---- the grouped analysis ------------------------------------------------------------------------

@dataclass(frozen=True)
class GroupedAnalysis:
    key: str
    title: object
    model: type
    list_ui: Callable  # → the ModelUI whose list the rows drill down to
    sums: dict  # figure argument → model field summed
    figures: Callable
    columns: list[Column]
    date_field: str = "created_at"
    default_sort: str = "-expected"

    def columns_for(self, user) -> list[Column]:
        return visible_columns(self.columns, access.hidden_fields(user, self.model))

    def read_query(self, user, params) -> AnalysisQuery:
        """The query of a request; ValidationError with a message for the user on bad input."""
        by = (params.get("by") or "owner").strip()
        if by not in BY_CHOICES:
            raise ValidationError(_("Unknown grouping: %(value)s.") % {"value": by[:20]})
        hidden = access.hidden_fields(user, self.model)
        if by in hidden:
            raise ValidationError(_("You may not group by %(field)s.") % {"field": BY_CHOICES[by]})
        refuse_hidden_filters(params, hidden)
        return AnalysisQuery(by=by, period=read_period(params), subject=read_subject(params),
                             stage=read_stage(params),
                             sort=read_sort(params, self.columns_for(user), self.default_sort),
                             page=read_page(params))

    def queryset(self, user, query: AnalysisQuery, action: str = "read"):
        start, end = query.period.datetime_range()
        qs = access.visible_to(user, action, self.model).filter(
            **{f"{self.date_field}__gte": start, f"{self.date_field}__lt": end})
        qs = qs.filter(query.subject.q())
        if query.stage is not None:
            qs = qs.filter(stage=query.stage)
        return qs

    def run(self, user, query: AnalysisQuery, *, action: str = "read", paged: bool = True) -> AnalysisResult:
        access.require(user, action, self.model)
        hidden = access.hidden_fields(user, self.model)
        columns = visible_columns(self.columns, hidden)
        # A hidden field is not even summed: no sort order or total can reveal it.
        sums = {arg: Sum(name) for arg, name in self.sums.items() if name not in hidden}
        group = [f"{query.by}_id"] + (["customer__name"] if query.by == "customer" else [])
        if self.model is Opportunity and query.by == "owner":
            # By salesperson: the daily roll-up where it gives the same answer (reports.rollups).
            grouped = [{"owner_id": r["owner_id"], "zg_count": r["n"], **{arg: r[arg] for arg in sums}}
                       for r in rollups.opportunity_groups(
                           user, action, period=query.period, subject=query.subject, group=["owner_id"],
                           stage_id=query.stage.pk if query.stage is not None else None)]
        else:
            grouped = list(self.queryset(user, query, action).order_by().values(*group)
                           .annotate(zg_count=Count("pk"), **sums))
        key_name = group[0]
        labels = (user_labels(r[key_name] for r in grouped) if query.by == "owner"
                  else {r[key_name]: r["customer__name"] for r in grouped})
        none_label = _("(No salesperson)") if query.by == "owner" else _("(No customer)")
        rows, total_in = [], dict.fromkeys(sums, Decimal(0))
        for r in grouped:
            inputs = {arg: r[arg] for arg in sums}
            for arg, value in inputs.items():
                total_in[arg] += value or 0
            rows.append(AnalysisRow(key=r[key_name], label=labels.get(r[key_name]) or none_label,
                                    figures=self._figures(inputs, r["zg_count"], columns)))
        count_all = sum(r["zg_count"] for r in grouped)
        rows = sort_rows(rows, query.sort)
        page_count = 1
        if paged:
            rows, page_count = page_of(rows, query.page)
        drill = DrillRules(query, self.date_field, hidden)
        list_url = self.list_ui().url("list")
        for row in rows:
            row.filter = drill.definition(query.by, row.key)
            row.url = drill_url(list_url, row.filter)
        totals = AnalysisRow(key=None, label=_("Total"), figures=self._figures(total_in, count_all, columns))
        totals.filter = drill.definition()
        totals.url = drill_url(list_url, totals.filter)
        return AnalysisResult(query=query, columns=columns, rows=rows, totals=totals, count=len(grouped),
                              page_count=page_count)

    def _figures(self, inputs: dict, count: int, columns: list[Column]) -> dict:
        values = self.figures(**inputs, count=count)
        return {c.key: values[c.key] for c in columns}


def _opportunity_ui():
    from sales.ui import OpportunityUI

    return OpportunityUI


OPPORTUNITY_ANALYSIS = GroupedAnalysis(
    key="reports.opportunity_analysis",
    title=gettext_lazy("Customer opportunity analysis"),
    model=Opportunity,
    list_ui=_opportunity_ui,
    sums={"cost": "cost_estimate", "expected": "expected_amount", "amount": "amount"},
    figures=opportunity_figures,
    columns=OPPORTUNITY_COLUMNS,
)
