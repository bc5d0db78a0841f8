"""What a pivot can group by (dimensions) and what it adds up (measures).

Dimensions read one model field, in one of three ways:

* the field's own value — a foreign key is shown by its related row's label, a choice by its
  display label;
* a truncated date (month, quarter, year) of a date or datetime field;
* buckets: named conditions written as filter rules of core.lists.filters (e.g. "0–7 days since the
  last follow-up" is ``last_followup_at ≥ today − 7``). The same rules group the rows and drill down
  to them, so a drill-down always finds exactly the rows a bucket counted.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

TRUNC_KINDS = ("month", "quarter", "year")
MEASURE_FUNCS = ("count", "sum", "avg")


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    rules: tuple[dict, ...]  # filter rules (core.lists.filters JSON) on the dimension's field


@dataclass(frozen=True)
class Dimension:
    key: str
    label: object
    field: str
    trunc: str | None = None
    # Buckets are computed per request: "days since" buckets depend on today's date.
    buckets: Callable[[], list[Bucket]] | None = None
    # For a foreign key: the related column used as its label, read in the same GROUP BY query
    # (no label query). Without it the related rows' str() is read in one extra query.
    label_field: str | None = None
    # "value": biggest first (owners, sources); "label": alphabetical. Dates, buckets and choices
    # always keep their natural order.
    order: str = "value"

    def __post_init__(self):
        if self.trunc is not None and self.trunc not in TRUNC_KINDS:
            raise ValueError(f"Unknown date truncation {self.trunc!r}")


@dataclass(frozen=True)
class Measure:
    key: str
    label: object
    func: str = "count"
    field: str | None = None  # the numeric field summed or averaged; None for a count of rows

    def __post_init__(self):
        if self.func not in MEASURE_FUNCS:
            raise ValueError(f"Unknown measure function {self.func!r}")
        if self.func != "count" and not self.field:
            raise ValueError("Sum and average need a field")


def days_since_buckets(field: str, edges: tuple[int, ...] = (7, 30, 90, 180), *, today: datetime.date | None = None):
    """Buckets of whole days between a date(time) field and today: 0–7, 8–30, …, over the last edge, never.

    A date in the future counts as 0 days. Datetimes compare by their date in the company's time zone,
    as the list filter does.
    """

    def build() -> list[Bucket]:
        day = today or timezone.localdate()
        result: list[Bucket] = []
        low = 0
        for high in edges:
            rules = [{"field": field, "operator": "gte", "value": (day - datetime.timedelta(days=high)).isoformat()}]
            if low:
                rules.append({"field": field, "operator": "lte", "value": (day - datetime.timedelta(days=low)).isoformat()})
            result.append(Bucket(key=f"{low}-{high}", label=_("%(low)s–%(high)s days") % {"low": low, "high": high},
                                 rules=tuple(rules)))
            low = high + 1
        last = edges[-1]
        result.append(Bucket(key=f"{last}+", label=_("Over %(n)s days") % {"n": last},
                             rules=({"field": field, "operator": "lte",
                                     "value": (day - datetime.timedelta(days=last + 1)).isoformat()},)))
        result.append(Bucket(key="never", label=_("Never"), rules=({"field": field, "operator": "empty", "value": True},)))
        return result

    return build


def days_since(key: str, label, field: str, edges: tuple[int, ...] = (7, 30, 90, 180)) -> Dimension:
    return Dimension(key=key, label=label, field=field, buckets=days_since_buckets(field, edges))
