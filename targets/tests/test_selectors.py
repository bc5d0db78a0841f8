"""Actuals to the cent on the hand-made data set (see world.py), derived targets, GROUP BY queries, and
figures that never include records the viewer may not see."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from targets.dashboard import performance
from targets.models import Level, Measure, PeriodKind
from targets.selectors import progress, rate

from .world import YEAR, build_world, target

pytestmark = pytest.mark.django_db
D = Decimal
CA, RC = Measure.CONTRACT_AMOUNT, Measure.RECEIPTS


@pytest.fixture
def world():
    return build_world()


def row_of(result, key):
    return next(r for r in result.rows if r.key == key)


def actuals(row):
    return [f.actual for f in row.months]


def test_person_actuals_count_approved_contracts_by_sign_date(world):
    target(owner=world.seller, amount="1000.00", number=1)
    result = progress(user=world.boss, year=YEAR, measure=CA, level=Level.PERSON)
    row = row_of(result, f"u{world.seller.pk}")
    assert actuals(row)[:5] == [D("1000.10"), D("2000.00"), D("0.00"), D("300.33"), D("0.00")]
    assert [f.actual for f in row.quarters] == [D("3000.10"), D("300.33"), D("0.00"), D("0.00")]
    assert row.year.actual == D("3300.43")
    assert row.months[0].rate == D("100.0") and row.months[0].target_id is not None
    assert row.complete


def test_department_actuals_cover_the_subtree_and_company_everything(world):
    target(Level.DEPARTMENT, department=world.east, amount="5000.00", period=PeriodKind.YEAR, number=0)
    target(Level.DEPARTMENT, department=world.sales, amount="10000.00", period=PeriodKind.YEAR, number=0)
    target(Level.COMPANY, amount="7423.88", period=PeriodKind.YEAR, number=0)
    result = progress(user=world.boss, year=YEAR, measure=CA, level=Level.DEPARTMENT)
    east, sales = row_of(result, f"d{world.east.pk}"), row_of(result, f"d{world.sales.pk}")
    assert actuals(east)[:4] == [D("1000.10"), D("2123.45"), D("0.00"), D("300.33")]
    assert east.year.actual == D("3423.88") and east.year.rate == D("68.5")
    assert sales.year.actual == D("7423.88")
    assert result.total.year.target == D("15000.00") and result.total.year.actual == D("10847.76")
    company = progress(user=world.boss, year=YEAR, measure=CA, level=Level.COMPANY).rows[0]
    assert company.year.actual == D("7423.88") and company.year.rate == D("100.0") and company.year.done


def test_receipts_by_date(world):
    target(owner=world.seller, measure=RC, amount="0.00", number=2)
    target(Level.COMPANY, measure=RC, amount="3000.00", period=PeriodKind.QUARTER, number=1)
    row = progress(user=world.boss, year=YEAR, measure=RC, level=Level.PERSON).rows[0]
    assert actuals(row)[:3] == [D("800.00"), D("199.99"), D("0.00")] and row.year.actual == D("999.99")
    assert row.months[1].target == D("0.00") and row.months[1].rate is None  # zero target: no rate
    company = progress(user=world.boss, year=YEAR, measure=RC, level=Level.COMPANY, granularity="quarter").rows[0]
    assert company.periods[0].actual == D("1999.99") and company.periods[0].rate == D("66.7")


def test_coarser_periods_sum_finer_targets_unless_they_have_their_own(world):
    for n, amount in ((1, "10.00"), (2, "20.00"), (4, "40.00")):
        target(owner=world.seller, amount=amount, number=n)
    row = progress(user=world.boss, year=YEAR, measure=CA, level=Level.PERSON).rows[0]
    assert [f.target for f in row.quarters] == [D("30.00"), D("40.00"), None, None]
    assert row.year.target == D("70.00") and row.year.target_id is None
    target(owner=world.seller, amount="500.00", period=PeriodKind.QUARTER, number=2)
    target(owner=world.seller, amount="9000.00", period=PeriodKind.YEAR, number=0)
    row = progress(user=world.boss, year=YEAR, measure=CA, level=Level.PERSON).rows[0]
    assert row.quarters[1].target == D("500.00") and row.year.target == D("9000.00") and row.year.target_id


def test_rate_rounds_half_up():
    assert rate(D("1"), D("3")) == D("33.3") and rate(D("2"), D("3")) == D("66.7") and rate(D("1"), None) is None


def test_actuals_take_the_same_queries_for_many_subjects(world):
    target(owner=world.seller)

    def count(level):
        with CaptureQueriesContext(connection) as queries:
            progress(user=world.boss, year=YEAR, measure=CA, level=level)
        return len(queries)

    one = count(Level.PERSON)
    target(owner=world.seller2)
    target(owner=world.manager)
    assert count(Level.PERSON) == one
    target(Level.DEPARTMENT, department=world.east)
    one = count(Level.DEPARTMENT)
    target(Level.DEPARTMENT, department=world.west)
    target(Level.DEPARTMENT, department=world.sales)
    assert count(Level.DEPARTMENT) == one


def test_salesperson_sees_only_own_targets_and_figures(world):
    target(owner=world.seller, amount="1000.00")
    target(owner=world.seller2, amount="1000.00")
    target(Level.COMPANY, amount="1000.00")
    target(Level.DEPARTMENT, department=world.east, amount="1000.00")
    result = progress(user=world.seller, year=YEAR, measure=CA, level=Level.PERSON)
    assert [r.key for r in result.rows] == [f"u{world.seller.pk}"]
    assert not progress(user=world.seller, year=YEAR, measure=CA, level=Level.COMPANY).rows
    assert not progress(user=world.seller, year=YEAR, measure=CA, level=Level.DEPARTMENT).rows
    assert not progress(user=world.seller2, year=YEAR, measure=CA, level=Level.PERSON,
                        owner=world.seller).rows


def test_narrow_viewer_gets_only_figures_of_records_they_can_see(world):
    """narrow reads every target but only their own contracts (none): actuals are zero and marked partial."""
    target(Level.COMPANY, amount="1000.00")
    target(owner=world.seller, amount="1000.00", measure=RC)
    company = progress(user=world.narrow, year=YEAR, measure=CA, level=Level.COMPANY)
    assert company.rows[0].year.actual == D("0.00") and not company.complete
    person = progress(user=world.narrow, year=YEAR, measure=RC, level=Level.PERSON).rows[0]
    assert person.year.actual == D("0.00") and not person.complete
    # The manager's subtree covers the east salesperson fully, but not the company.
    assert progress(user=world.manager, year=YEAR, measure=CA, level=Level.PERSON).complete


def test_panel_figures_for_month_quarter_year(world):
    target(owner=world.seller, amount="1000.00", number=2)
    target(owner=world.seller, amount="4000.00", period=PeriodKind.QUARTER, number=1)
    target(Level.DEPARTMENT, department=world.east, amount="2000.00", number=2)
    target(Level.COMPANY, amount="1.00", number=2)
    mine = performance(world.seller, today=datetime.date(YEAR, 2, 15))
    assert [b["level"] for b in mine] == [Level.PERSON]  # own scope: no department or company figures
    month, quarter, year = mine[0]["lines"][0]["figures"]
    assert (month.target, month.actual, month.rate) == (D("1000.00"), D("2000.00"), D("200.0"))
    assert (quarter.target, quarter.actual, quarter.rate) == (D("4000.00"), D("3000.10"), D("75.0"))
    assert year.target == D("4000.00") and year.actual == D("3300.43")
    head = performance(world.manager, today=datetime.date(YEAR, 2, 15))
    assert [b["level"] for b in head] == [Level.DEPARTMENT]  # no own target, no "all" scope
    assert head[0]["lines"][0]["figures"][0].actual == D("2123.45")
    boss = performance(world.boss, today=datetime.date(YEAR, 2, 15))
    assert [b["level"] for b in boss] == [Level.COMPANY] and boss[0]["lines"][0]["figures"][0].actual == D("2123.45")


def test_panel_query_count_is_pinned(world):
    """The home page panel: one query to find which targets exist, then targets + actuals per measure.
    More months with targets must not add queries."""
    target(owner=world.seller, number=2)
    target(owner=world.seller, number=2, measure=RC)
    today = datetime.date(YEAR, 2, 15)
    performance(world.seller, today=today)  # warm the grant cache of the user object
    with CaptureQueriesContext(connection) as queries:
        performance(world.seller, today=today)
    assert len(queries) == 5, [q["sql"] for q in queries]
    for n in range(3, 13):
        target(owner=world.seller, number=n)
    with CaptureQueriesContext(connection) as queries:
        performance(world.seller, today=today)
    assert len(queries) == 5
