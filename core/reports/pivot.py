"""One GROUP BY query over a gated queryset, returned as a pivot table whose cells know their rows.

``run_pivot`` never reads the table row by row: the database groups and aggregates, Python only
arranges the (at most a few thousand) groups. Each member of a dimension carries the filter rules
that select its rows, so a cell's drill-down definition is the report's own filter AND the rules of
its X member AND those of its series member.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext as _

from core.lists.fields import TYPE_OPERATORS, FieldInfo, _model_field_type
from core.lists.filters import build_q

from .dimensions import Dimension, Measure

TOTAL = "__total__"  # the one series key of a pivot without a second dimension
CENT = Decimal("0.01")


def _error(message: str) -> ValidationError:
    return ValidationError(message, code="invalid_report")


@dataclass
class Member:
    """One value of a dimension: a row or a column of the table, a category or a series of the chart."""

    key: object
    label: str
    rules: list[dict] | None  # None: the list cannot filter on this field, so there is no drill-down
    weight: Decimal | int = 0  # the member's total, used for ordering


@dataclass
class PivotResult:
    x: Dimension
    series: Dimension | None
    measure: Measure
    x_members: list[Member]
    series_members: list[Member]
    base: dict | None
    cells: dict[tuple, tuple] = field(default_factory=dict)  # (x key, series key) → (sum, count)

    # ---- values ---------------------------------------------------------------------------
    def _value(self, total, count):
        func = self.measure.func
        if func == "count":
            return count
        if func == "sum":
            return total
        if not count:
            return None  # an average of nothing is shown as "—", never as 0
        return (total / count).quantize(CENT, rounding=ROUND_HALF_UP)

    def _add(self, pairs) -> tuple:
        total, count = Decimal(0), 0
        for s, n in pairs:
            total += s
            count += n
        return total, count

    def value(self, x_key, series_key=TOTAL):
        return self._value(*self.cells.get((x_key, series_key), (Decimal(0), 0)))

    def _sums(self) -> tuple[dict, dict]:
        """(x key → (sum, count), series key → (sum, count)), added up once per result."""
        if getattr(self, "_sum_cache", None) is None:
            rows: dict = {}
            cols: dict = {}
            for (xk, sk), (s, n) in self.cells.items():
                for target, key in ((rows, xk), (cols, sk)):
                    prev = target.get(key, (Decimal(0), 0))
                    target[key] = (prev[0] + s, prev[1] + n)
            self._sum_cache = (rows, cols)
        return self._sum_cache

    def row_total(self, x_key):
        return self._value(*self._sums()[0].get(x_key, (Decimal(0), 0)))

    def column_total(self, series_key):
        return self._value(*self._sums()[1].get(series_key, (Decimal(0), 0)))

    @property
    def total(self):
        return self._value(*self._add(self.cells.values()))

    # ---- drill-down -----------------------------------------------------------------------
    def drill(self, x_member: Member | None = None, series_member: Member | None = None) -> dict | None:
        """The filter definition selecting exactly the rows behind a cell, a row or column total, or
        the grand total (no members); None when a member cannot be expressed as a list filter."""
        rules: list = []
        if self.base and self.base.get("rules"):
            # An AND definition's rules join ours at the top; an OR one stays a group of its own.
            if self.base.get("op", "and") == "and":
                rules.extend(self.base["rules"])
            else:
                rules.append(self.base)
        for member in (x_member, series_member):
            if member is None:
                continue
            if member.rules is None:
                return None
            rules.extend(member.rules)
        return {"op": "and", "rules": rules}

    def as_rows(self) -> list[dict]:
        """Flat rows for the API: one per non-empty cell."""
        rows = []
        for xm in self.x_members:
            for sm in self.series_members:
                if (xm.key, sm.key) not in self.cells:
                    continue
                rows.append({
                    "x": _json_key(xm.key), "x_label": xm.label,
                    "series": None if sm.key == TOTAL else _json_key(sm.key),
                    "series_label": None if sm.key == TOTAL else sm.label,
                    "value": self.value(xm.key, sm.key),
                    "filter": self.drill(xm, None if sm.key == TOTAL else sm),
                })
        return rows


def _json_key(key):
    return key.isoformat() if isinstance(key, datetime.date) else key


# ---- building the query ---------------------------------------------------------------------

def field_info(model, name: str) -> FieldInfo:
    """A FieldInfo for a concrete model field, to turn bucket rules into conditions."""
    try:
        f = model._meta.get_field(name)
    except FieldDoesNotExist:
        raise _error(_("Unknown field: %(field)s.") % {"field": name}) from None
    if not f.concrete or f.many_to_many:
        raise _error(_("Unknown field: %(field)s.") % {"field": name})
    kind = _model_field_type(f)
    return FieldInfo(name=name, label=str(f.verbose_name), type=kind, operators=TYPE_OPERATORS[kind], model_field=f)


def _group_expression(ui, user, model, dim: Dimension, buckets):
    if dim.trunc:
        # A datetime is truncated in the current (company) time zone, as the list's date filter reads it.
        return Trunc(dim.field, dim.trunc)
    if buckets is not None:
        info = field_info(model, dim.field)
        whens = [When(_bucket_condition(ui, user, info, bucket.rules), then=Value(index))
                 for index, bucket in enumerate(buckets)]
        return Case(*whens, default=Value(None), output_field=IntegerField())
    return F(model._meta.get_field(dim.field).attname)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _bucket_condition(ui, user, info: FieldInfo, rules) -> Q:
    """The condition of a bucket's rules. Date bounds on a datetime become bounds on the stored
    timestamp (local midnight), which selects the same rows as the list's "date of the timestamp"
    comparison without converting every row's timestamp in the GROUP BY query."""
    if info.type == "datetime" and all(r.get("operator") in ("gte", "lte") or
                                       (r.get("operator") == "empty" and r.get("value") is True) for r in rules):
        cond = Q()
        for rule in rules:
            if rule["operator"] == "empty":
                cond &= Q(**{f"{info.name}__isnull": True})
                continue
            day = datetime.date.fromisoformat(str(rule["value"])[:10])
            if rule["operator"] == "gte":
                cond &= Q(**{f"{info.name}__gte": _local_midnight(day)})
            else:
                cond &= Q(**{f"{info.name}__lt": _local_midnight(day + datetime.timedelta(days=1))})
        return cond
    cond, _aliases = build_q(ui, user, {"op": "and", "rules": list(rules)}, fields=[info])
    return cond


def _measure_aggregates(measure: Measure) -> dict:
    if measure.func == "count":
        return {"zg_n": Count("pk")}
    aggregates = {"zg_sum": Sum(measure.field)}
    # An average needs its own count: rows whose value is empty do not take part in it.
    aggregates["zg_n"] = Count(measure.field) if measure.func == "avg" else Count("pk")
    return aggregates


def run_pivot(qs, *, ui, user, x: Dimension, series: Dimension | None, measure: Measure,
              drill_fields: set[str], base: dict | None = None) -> PivotResult:
    """Group ``qs`` (already gated and filtered) by ``x`` and ``series`` and aggregate ``measure``."""
    model = qs.model
    dims = [("zg_x", x)] + ([("zg_y", series)] if series else [])
    bucket_lists = {alias: (dim.buckets() if dim.buckets else None) for alias, dim in dims}
    annotations, values = {}, []
    for alias, dim in dims:
        annotations[alias] = _group_expression(ui, user, model, dim, bucket_lists[alias])
        values.append(alias)
        if dim.label_field and not dim.trunc and not dim.buckets:
            annotations[f"{alias}_label"] = F(f"{dim.field}__{dim.label_field}")
            values.append(f"{alias}_label")
    # order_by() drops the model's default ordering, which would otherwise cost a sort of the whole scope.
    groups = list(qs.annotate(**annotations).values(*values).annotate(**_measure_aggregates(measure)).order_by())

    members: dict[str, dict] = {alias: {} for alias, _d in dims}
    cells: dict[tuple, tuple] = {}
    for row in groups:
        keys = []
        for alias, dim in dims:
            key = _normalise(model, dim, row[alias])
            if key not in members[alias]:
                members[alias][key] = row.get(f"{alias}_label")
            keys.append(key)
        key = (keys[0], keys[1] if series else TOTAL)
        s = row.get("zg_sum") if measure.func != "count" else None
        total = Decimal(s) if s is not None else Decimal(0)
        prev = cells.get(key, (Decimal(0), 0))  # "" and NULL text values fold into one "empty" member
        cells[key] = (prev[0] + total, prev[1] + row["zg_n"])

    result = PivotResult(x=x, series=series, measure=measure, x_members=[], series_members=[], base=base, cells=cells)
    for alias, dim in dims:
        built = _members(model, dim, members[alias], bucket_lists[alias], dim.field in drill_fields)
        for m in built:
            m.weight = result.row_total(m.key) if alias == "zg_x" else result.column_total(m.key)
        built = _ordered(model, dim, built)
        if alias == "zg_x":
            result.x_members = built
        else:
            result.series_members = built
    if not series:
        result.series_members = [Member(key=TOTAL, label=str(measure.label), rules=[])]
    return result


def _normalise(model, dim: Dimension, value):
    if value is None:
        return None
    if dim.trunc:
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            return value.date()
        return value
    if dim.buckets is None:
        f = model._meta.get_field(dim.field)
        if not f.is_relation and isinstance(value, str) and value == "":
            return None
    return value


def _period_end(start: datetime.date, kind: str) -> datetime.date:
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    month = start.month - 1 + months
    following = datetime.date(start.year + month // 12, month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def _period_label(start: datetime.date, kind: str) -> str:
    if kind == "month":
        return start.strftime("%Y-%m")
    if kind == "quarter":
        return _("%(year)s Q%(n)s") % {"year": start.year, "n": (start.month - 1) // 3 + 1}
    return str(start.year)


def _members(model, dim: Dimension, found: dict, buckets, drillable: bool) -> list[Member]:
    name = dim.field
    empty_rules = [{"field": name, "operator": "empty", "value": True}]
    result = []
    if buckets is not None:
        for key in found:
            if key is None:  # a row no bucket matched (the buckets do not cover every value)
                result.append(Member(key=None, label=_("Other"), rules=None))
            else:
                bucket = buckets[key]
                result.append(Member(key=key, label=str(bucket.label), rules=list(bucket.rules) if drillable else None))
        return result
    f = model._meta.get_field(name)
    labels = dict(found)
    if f.is_relation and not dim.label_field:
        ids = [k for k in found if k is not None]
        # One query for the labels of all related rows that occur (at most one per dimension).
        labels.update({obj.pk: str(obj) for obj in f.related_model._base_manager.filter(pk__in=ids).order_by()} if ids else {})
    choices = {str(k): str(v) for k, v in (f.flatchoices or [])} if f.choices else {}
    for key in found:
        if key is None:
            label, rules = _("Not set"), empty_rules
        elif dim.trunc:
            label = _period_label(key, dim.trunc)
            rules = [{"field": name, "operator": "gte", "value": key.isoformat()},
                     {"field": name, "operator": "lte", "value": _period_end(key, dim.trunc).isoformat()}]
        elif isinstance(f, models.BooleanField):
            label, rules = (_("Yes") if key else _("No")), [{"field": name, "operator": "eq", "value": bool(key)}]
        else:
            label = choices.get(str(key)) if choices else labels.get(key)
            rules = [{"field": name, "operator": "eq", "value": key}]
        result.append(Member(key=key, label=str(label if label is not None else key), rules=rules if drillable else None))
    return result


def _ordered(model, dim: Dimension, members: list[Member]) -> list[Member]:
    present = [m for m in members if m.key is not None]
    empty = [m for m in members if m.key is None]  # "not set" / "other" always last
    f = model._meta.get_field(dim.field)
    if dim.trunc or dim.buckets is not None:
        present.sort(key=lambda m: m.key)
    elif f.choices:
        order = {str(k): i for i, (k, _v) in enumerate(f.flatchoices)}
        present.sort(key=lambda m: order.get(str(m.key), len(order)))
    elif dim.order == "label":
        present.sort(key=lambda m: m.label)
    else:
        present.sort(key=lambda m: (-(m.weight or 0), m.label))
    return present + empty
