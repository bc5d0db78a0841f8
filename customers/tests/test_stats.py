"""Customer statistics: exact groupings of a known data set, drill-down that finds exactly the counted
rows, data scope and field permissions, and clear errors for bad requests."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.lists.query import ListContext, ListState
from core.reports.pivot import TOTAL
from core.reports.report import ReportQuery
from customers.stats import CUSTOMER_STATS, read_query
from customers.ui import CustomerUI
from org.models import FieldRule

from .stats_world import make_stats_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def sw():
    return make_stats_world()


def run(user, x, series="", measure="count", definition=None, chart="bar"):
    return CUSTOMER_STATS.run(user, ReportQuery(x=x, series=series, measure=measure, chart=chart, definition=definition))


def table(result) -> dict:
    """{(x label, series label or None): value} of the non-empty cells."""
    return {(r["x_label"], r["series_label"]): r["value"] for r in result.as_rows()}


def list_ids(user, definition) -> set[int]:
    """The ids the customer list shows for a filter definition (the list's own query)."""
    ctx = ListContext.load(CustomerUI, user)
    return set(ctx.queryset(ListState(definition=definition)).values_list("pk", flat=True))


def test_count_by_owner(sw):
    result = run(sw.w.manager, "owner")
    assert table(result) == {("王丽", None): 2, ("李强", None): 2}
    assert result.total == 4


def test_decimal_sums_by_owner_and_status_are_exact(sw):
    result = run(sw.w.manager, "owner", "status", "amount")
    assert table(result) == {("王丽", "Deal"): Decimal("100.10"), ("王丽", "Potential"): Decimal("200.20"),
                             ("李强", "Deal"): Decimal("0.01"), ("李强", "Lost"): Decimal("50.00")}
    assert all(isinstance(v, Decimal) for v in table(result).values())
    assert result.total == Decimal("350.31")
    assert result.row_total(sw.w.alice.pk) == Decimal("300.30")
    assert result.column_total("deal") == Decimal("100.11")
    # Series keep the order of the status choices; the owner with the larger sum comes first.
    assert [m.key for m in result.series_members] == ["potential", "deal", "lost"]
    assert [m.label for m in result.x_members] == ["王丽", "李强"]


def test_average_amount(sw):
    result = run(sw.w.manager, "status", measure="amount_avg")
    assert table(result) == {("Potential", None): Decimal("200.20"), ("Deal", None): Decimal("50.06"),
                             ("Lost", None): Decimal("50.00")}
    assert result.total == Decimal("87.58")  # 350.31 / 4, rounded half up


def test_months_follow_the_company_time_zone(sw):
    result = run(sw.w.manager, "created_month")
    assert table(result) == {("2026-01", None): 1, ("2026-02", None): 2, ("2026-03", None): 1}
    assert [m.label for m in result.x_members] == ["2026-01", "2026-02", "2026-03"]
    quarters = run(sw.w.manager, "created_quarter", "source")
    assert table(quarters) == {("2026 Q1", "展会"): 2, ("2026 Q1", "官网"): 1, ("2026 Q1", "Not set"): 1}


def test_days_since_buckets_including_never(sw):
    result = run(sw.w.manager, "days_since_followup")
    assert table(result) == {("0–7 days", None): 1, ("31–90 days", None): 1, ("Over 180 days", None): 1,
                             ("Never", None): 1}
    assert [m.key for m in result.x_members] == [0, 2, 4, 5]  # bucket order, not size
    updates = run(sw.w.manager, "days_since_update")
    assert table(updates) == {("0–7 days", None): 1, ("8–30 days", None): 1, ("91–180 days", None): 1,
                              ("Over 180 days", None): 1}
    # A drill-down exists only where the customer list can filter on the field.
    from core.lists.filters import allowed_fields

    listable = "updated_at" in {f.name for f in allowed_fields(CustomerUI, sw.w.manager)}
    assert all((m.rules is not None) == listable for m in updates.x_members)
    assert (updates.drill(updates.x_members[0]) is not None) == listable


@pytest.mark.parametrize(("x", "series"), [
    ("owner", "status"), ("created_month", "source"), ("days_since_followup", ""), ("source", "owner"),
    ("department", "created_quarter"),
])
def test_every_drill_down_lists_exactly_the_counted_rows(sw, x, series):
    user = sw.w.manager
    base = {"op": "and", "rules": [{"field": "amount", "operator": "lt", "value": "150"}]}
    result = run(user, x, series, definition=base)
    expected = {c.pk for c in sw.all if c.amount < 150}
    assert list_ids(user, result.drill()) == expected
    seen = set()
    for xm in result.x_members:
        assert len(list_ids(user, result.drill(xm))) == result.row_total(xm.key)
        for sm in result.series_members:
            definition = result.drill(xm, None if sm.key == TOTAL else sm)
            ids = list_ids(user, definition)
            assert len(ids) == result.value(xm.key, sm.key)
            assert not ids & seen  # no customer is counted in two cells
            seen |= ids
    assert seen == expected


def test_drill_down_of_a_cell_names_the_rows_by_id(sw):
    result = run(sw.w.manager, "created_month", "source")
    feb = next(m for m in result.x_members if m.label == "2026-02")
    fair = next(m for m in result.series_members if m.label == "展会")
    assert list_ids(sw.w.manager, result.drill(feb, fair)) == {sw.c2.pk}
    unset = next(m for m in result.series_members if m.label == "Not set")
    assert list_ids(sw.w.manager, result.drill(None, unset)) == {sw.c4.pk}


def test_own_scope_counts_only_own_customers(sw):
    result = run(sw.w.alice, "owner", "source")
    assert table(result) == {("王丽", "展会"): 2}
    assert "李强" not in {m.label for m in result.x_members}
    # A filter naming bob's customers finds nothing more for alice.
    bob_only = {"op": "and", "rules": [{"field": "owner", "operator": "eq", "value": sw.w.bob.pk}]}
    assert run(sw.w.alice, "owner", definition=bob_only).total == 0


def test_user_without_grant_is_refused(sw):
    with pytest.raises(PermissionDenied):
        run(sw.w.nobody, "owner")


def _hide(user, field):
    for role in user.roles.all():
        FieldRule.objects.create(role=role, module="customers.customer", field=field, mode="hidden")
    user._zg_field_rules = None


def test_hidden_fields_are_refused_as_dimension_and_measure(sw):
    alice = sw.w.alice
    _hide(alice, "amount")
    _hide(alice, "source")
    assert "source" not in {d.key for d in CUSTOMER_STATS.dimensions_for(alice)}
    assert {m.key for m in CUSTOMER_STATS.measures_for(alice)} == {"count"}
    with pytest.raises(ValidationError, match="You may not use the field source"):
        run(alice, "source")
    with pytest.raises(ValidationError, match="You may not use the field source"):
        run(alice, "owner", "source")
    with pytest.raises(ValidationError, match="You may not use the field amount"):
        run(alice, "owner", measure="amount_avg")
    with pytest.raises(ValidationError, match="You may not use the field amount"):
        run(alice, "owner", definition={"rules": [{"field": "amount", "operator": "gt", "value": "1"}]})


@pytest.mark.parametrize(("params", "message"), [
    ({"x": "nope"}, "Unknown dimension: nope."),
    ({"x": "owner", "series": "owner"}, "Choose two different dimensions."),
    ({"x": "owner", "measure": "points"}, "Unknown measure: points."),
    ({"x": "owner", "chart": "radar"}, "Unknown chart type: radar."),
    ({"x": "owner", "series": "status", "chart": "pie"}, "A pie chart shows one dimension only"),
    ({"x": "owner", "f": "{not json"}, "The filter is not valid."),
    ({"x": "owner", "created_from": "yesterday"}, "must be a date"),
    ({"x": "owner", "saved": "99999"}, "Saved filter not found."),
])
def test_bad_parameters_are_clear_errors(sw, params, message):
    with pytest.raises(ValidationError) as exc:
        CUSTOMER_STATS.run(sw.w.manager, read_query(sw.w.manager, params))
    assert message in " ".join(exc.value.messages)


def test_quick_filters_and_saved_filter_narrow_and_travel_to_the_drill_down(sw):
    from core.lists.services import save_filter

    saved = save_filter(user=sw.w.manager, ui=CustomerUI, name="成交",
                        definition={"op": "and", "rules": [{"field": "status", "operator": "eq", "value": "deal"}]})
    query = read_query(sw.w.manager, {"x": "owner", "created_from": "2026-02-01", "saved": str(saved.pk)})
    result = CUSTOMER_STATS.run(sw.w.manager, query)
    assert table(result) == {("李强", None): 1}
    assert list_ids(sw.w.manager, result.drill()) == {sw.c3.pk}
    # Another user's private saved filter cannot be loaded.
    with pytest.raises(ValidationError):
        read_query(sw.w.alice, {"x": "owner", "saved": str(saved.pk)})


def test_day_buckets_split_at_local_midnight_like_the_list_filter(sw):
    import datetime

    from django.utils import timezone

    from customers.models import Customer

    today = timezone.localdate()

    def at(days_ago, hour, minute, second=0):
        day = today - datetime.timedelta(days=days_ago)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute, second)))

    edge = {}
    for name, when in (("edge7", at(7, 0, 0)), ("edge8late", at(8, 23, 59, 59)), ("edge30", at(30, 0, 0)),
                       ("edge31", at(31, 23, 59, 59))):
        row = Customer.objects.create(name=name, owner=sw.w.manager, created_by=sw.w.manager)
        Customer.objects.filter(pk=row.pk).update(last_followup_at=when)
        edge[name] = row.pk
    result = run(sw.w.manager, "days_since_followup")
    by_label = {m.label: m for m in result.x_members}
    assert edge["edge7"] in list_ids(sw.w.manager, result.drill(by_label["0–7 days"]))
    assert {edge["edge8late"], edge["edge30"]} <= list_ids(sw.w.manager, result.drill(by_label["8–30 days"]))
    assert edge["edge31"] in list_ids(sw.w.manager, result.drill(by_label["31–90 days"]))
    for member in result.x_members:
        assert len(list_ids(sw.w.manager, result.drill(member))) == result.row_total(member.key)
