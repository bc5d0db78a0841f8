"""The 卓越精财 formulas on hand-made figures: exact Decimals, half-up rounding, "—" for division by zero."""

from decimal import Decimal as D

from reports import formulas
from reports.formulas import DASH, display, opportunity_figures, project_figures, quote_figures


def test_opportunity_figures_exact():
    f = opportunity_figures(cost=D("600.00"), expected=D("1000.00"), amount=D("500.00"), count=2)
    assert f == {"count": 2, "cost": D("600.00"), "expected": D("1000.00"), "amount": D("500.00"),
                 "expected_profit": D("400.00"), "expected_margin": D("40.00"),
                 "opportunity_profit": D("-100.00"), "opportunity_margin": D("-20.00")}


def test_margin_rounds_half_up_to_two_places():
    # 2 ÷ 3 × 100 = 66.666… → 66.67; 1 ÷ 8 × 100 = 12.5 exactly; 0.125 → 0.13 (half up, not to even).
    assert opportunity_figures(cost=D("1"), expected=D("3"), amount=D("3"))["expected_margin"] == D("66.67")
    assert formulas.percent(D("1"), D("8")) == D("12.50")
    assert formulas.percent(D("0.125"), D("100")) == D("0.13")
    assert formulas.percent(D("-0.125"), D("100")) == D("-0.13")


def test_division_by_zero_is_none_and_shows_a_dash():
    f = opportunity_figures(cost=D("100.00"), expected=None, amount=D("0"))
    assert f["expected_profit"] == D("-100.00") and f["expected_margin"] is None
    assert f["opportunity_profit"] == D("-100.00") and f["opportunity_margin"] is None
    assert display(f["expected_margin"], "percent") == DASH
    assert formulas.api_value(f["expected_margin"], "percent") is None
    empty = opportunity_figures()
    assert empty["cost"] == D("0.00") and empty["expected_margin"] is None and empty["count"] == 0


def test_project_figures_add_actuals():
    f = project_figures(cost=D("80"), expected=D("100"), amount=D("60"), actual_cost=D("70.50"),
                        actual_sales=D("90.00"), count=1)
    assert (f["actual_cost"], f["actual_sales"], f["actual_profit"], f["actual_margin"]) == (
        D("70.50"), D("90.00"), D("19.50"), D("21.67"))
    assert f["expected_margin"] == D("20.00") and f["opportunity_margin"] == D("-33.33")
    assert project_figures(actual_cost=D("5"))["actual_margin"] is None


def test_quote_figures_unit_price_is_amount_over_quantity():
    f = quote_figures(quantity=D("3.0000"), amount=D("10.01"), discount=D("1.00"), count=1)
    assert f["unit_price"] == D("3.3367") and f["discounted"] == D("9.01") and f["amount"] == D("10.01")
    assert quote_figures(quantity=D("0"), amount=D("0"))["unit_price"] is None


def test_display_formats():
    assert display(D("1234567.5"), "money") == "1,234,567.50"
    assert display(D("-20.00"), "percent") == "-20.00"
    assert display(D("3.6000"), "price") == "3.60" and display(D("3.3367"), "price") == "3.3367"
    assert display(D("48.0000"), "quantity") == "48" and display(1234, "count") == "1,234"
    assert display(D("12480.5000"), "quantity") == "12,480.5" and display(D("39800"), "price") == "39,800.00"
    assert display(None, "money") == DASH


def test_hidden_field_drops_every_column_computed_from_it():
    keys = [c.key for c in formulas.visible_columns(formulas.OPPORTUNITY_COLUMNS, {"cost_estimate"})]
    assert keys == ["count", "expected", "amount"]
    keys = [c.key for c in formulas.visible_columns(formulas.PROJECT_COLUMNS, {"actual_sales"})]
    assert "actual_cost" in keys and not {"actual_sales", "actual_profit", "actual_margin"} & set(keys)
