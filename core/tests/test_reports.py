"""The pivot engine (core.reports) on its own: definitions, buckets, periods, totals and drill-down rules."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.reports.dimensions import Dimension, Measure, days_since_buckets
from core.reports.pivot import TOTAL, Member, PivotResult, _period_end, _period_label, field_info


def test_definitions_are_checked_when_declared():
    with pytest.raises(ValueError):
        Dimension("x", "X", "created_at", trunc="week")
    with pytest.raises(ValueError):
        Measure("m", "M", "median", "amount")
    with pytest.raises(ValueError):
        Measure("m", "M", "sum")


def test_days_since_buckets_cover_every_day_once():
    today = datetime.date(2026, 11, 22)
    buckets = days_since_buckets("last_followup_at", today=today)()
    assert [b.key for b in buckets] == ["0-7", "8-30", "31-90", "91-180", "180+", "never"]
    assert buckets[0].rules == ({"field": "last_followup_at", "operator": "gte", "value": "2026-11-15"},)
    assert buckets[1].rules == ({"field": "last_followup_at", "operator": "gte", "value": "2026-10-23"},
                                {"field": "last_followup_at", "operator": "lte", "value": "2026-11-14"})
    assert buckets[4].rules == ({"field": "last_followup_at", "operator": "lte", "value": "2026-05-25"},)
    assert buckets[5].rules == ({"field": "last_followup_at", "operator": "empty", "value": True},)

    def bucket_of(days: int) -> str:
        day = (today - datetime.timedelta(days=days)).isoformat()
        hits = []
        for b in buckets[:-1]:
            ok = all((day >= r["value"]) if r["operator"] == "gte" else (day <= r["value"]) for r in b.rules)
            if ok:
                hits.append(b.key)
        assert len(hits) == 1, (days, hits)
        return hits[0]

    assert [bucket_of(d) for d in (-3, 0, 7, 8, 30, 31, 90, 91, 180, 181, 5000)] == \
        ["0-7", "0-7", "0-7", "8-30", "8-30", "31-90", "31-90", "91-180", "91-180", "180+", "180+"]


@pytest.mark.parametrize(("start", "kind", "end", "label"), [
    (datetime.date(2026, 2, 1), "month", datetime.date(2026, 2, 28), "2026-02"),
    (datetime.date(2028, 2, 1), "month", datetime.date(2028, 2, 29), "2028-02"),
    (datetime.date(2026, 12, 1), "month", datetime.date(2026, 12, 31), "2026-12"),
    (datetime.date(2026, 10, 1), "quarter", datetime.date(2026, 12, 31), "2026 Q4"),
    (datetime.date(2026, 1, 1), "year", datetime.date(2026, 12, 31), "2026"),
])
def test_periods(start, kind, end, label):
    assert _period_end(start, kind) == end
    assert _period_label(start, kind) == label


def _result(func: str, base=None) -> PivotResult:
    x = Dimension("status", "Status", "status")
    series = Dimension("source", "Source", "source")
    a, b = Member("a", "A", [{"field": "status", "operator": "eq", "value": "a"}]), Member("b", "B", None)
    s1 = Member(1, "S1", [{"field": "source", "operator": "eq", "value": 1}])
    return PivotResult(x=x, series=series, measure=Measure("m", "M", func, None if func == "count" else "amount"),
                       x_members=[a, b], series_members=[s1], base=base,
                       cells={("a", 1): (Decimal("10.00"), 3), ("b", 1): (Decimal("0.01"), 1)})


def test_totals_are_exact_and_an_average_of_nothing_is_none():
    avg = _result("avg")
    assert avg.value("a", 1) == Decimal("3.33")
    assert avg.total == Decimal("2.50")  # (10.00 + 0.01) / 4, rounded half up
    assert avg.value("missing", 1) is None
    total = _result("sum")
    assert total.total == Decimal("10.01") and total.row_total("b") == Decimal("0.01")
    assert _result("count").column_total(1) == 4


def test_drill_joins_the_base_filter_and_member_rules():
    base = {"op": "and", "rules": [{"field": "amount", "operator": "gt", "value": "5"}]}
    result = _result("count", base)
    a, b = result.x_members
    s1 = result.series_members[0]
    assert result.drill(a, s1) == {"op": "and", "rules": [base["rules"][0], a.rules[0], s1.rules[0]]}
    assert result.drill() == {"op": "and", "rules": base["rules"]}
    assert result.drill(b, s1) is None  # a member the list cannot filter has no drill-down
    either = {"op": "or", "rules": [{"field": "amount", "operator": "gt", "value": "5"},
                                    {"field": "status", "operator": "eq", "value": "b"}]}
    assert _result("count", either).drill(a) == {"op": "and", "rules": [either, a.rules[0]]}
    rows = result.as_rows()
    assert [(r["x"], r["series"], r["value"]) for r in rows] == [("a", 1, 3), ("b", 1, 1)]
    assert TOTAL not in {r["series"] for r in rows}


@pytest.mark.django_db
def test_field_info_refuses_unknown_and_non_concrete_fields():
    from customers.models import Customer

    assert field_info(Customer, "last_followup_at").type == "datetime"
    with pytest.raises(ValidationError):
        field_info(Customer, "nope")
    with pytest.raises(ValidationError):
        field_info(Customer, "tags")
