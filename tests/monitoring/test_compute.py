"""Rule evaluation worked out by hand, free of the database."""

from decimal import Decimal as D

import pytest

from parkbrain.monitoring import compute
from parkbrain.monitoring.choices import FigureBasis, Operator, QualityCheck, RuleKind
from parkbrain.reporting.compute import CoefficientTable

CATALOGUE = compute.Catalogue(
    bases={
        "output_value": ("cumulative", "sum"),
        "taxes": ("cumulative", "sum"),
        "revenue": ("cumulative", "sum"),
        "electricity": ("cumulative", "sum"),
        "natural_gas": ("cumulative", "sum"),
        "employees": ("monthly", "average"),
    },
    coefficients=CoefficientTable(
        [
            ("electricity", "equivalent", None, D("0.1229")),
            ("natural_gas", "", None, D("1.2143")),
        ]
    ),
)
YTD, MONTH = FigureBasis.YEAR_TO_DATE, FigureBasis.MONTH


def test_year_to_date_and_monthly_figures_from_cumulative_reports():
    reported = {"output_value": {1: D(100), 2: D(250), 3: D(420)}}
    assert compute.figure(reported, "output_value", 3, YTD, 2026, CATALOGUE) == D(420)
    assert compute.figure(reported, "output_value", 3, MONTH, 2026, CATALOGUE) == D(170)
    assert compute.figure(reported, "output_value", 4, YTD, 2026, CATALOGUE) is None
    # Employees are reported per month: the year to date is their average.
    staff = {"employees": {1: D(90), 2: D(110), 3: D(130)}}
    assert compute.figure(staff, "employees", 3, YTD, 2026, CATALOGUE) == D(110)


def test_standard_coal_needs_every_energy_figure_of_the_month():
    # 10,000 kWh × 0.1229 = 1,229 kgce; 1,000 m³ × 1.2143 = 1,214.3 kgce → 2.4433 tce.
    reported = {
        "electricity": {1: D(4000), 2: D(10000)},
        "natural_gas": {1: D(400), 2: D(1000)},
    }
    assert compute.figure(reported, "energy_tce", 2, YTD, 2026, CATALOGUE) == D("2.4433")
    # February alone: 6,000 kWh and 600 m³ → 737.4 + 728.58 = 1,465.98 kgce.
    assert compute.figure(reported, "energy_tce", 2, MONTH, 2026, CATALOGUE) == D("1.46598")
    del reported["natural_gas"][1]  # gas for February alone cannot be derived
    assert compute.figure(reported, "energy_tce", 2, MONTH, 2026, CATALOGUE) is None
    assert compute.figure({}, "energy_tce", 2, YTD, 2026, CATALOGUE) is None


def test_year_to_date_growth_compares_the_same_months():
    rule = compute.Rule(RuleKind.YOY_CHANGE, "output_value", operator=Operator.LT, threshold=D(-20))
    last = {"output_value": {1: D(100), 2: D(200), 3: D(300), 4: D(400)}}
    this = {"output_value": {1: D(60), 2: D(120), 3: D(180)}}
    outcome = compute.evaluate_yoy_change(this, last, rule, 3, 2026, CATALOGUE)
    # 180 / 300 − 1 = −40 %: below −20 %.
    assert outcome == compute.Outcome(True, D(180), D(300), D(-40))
    milder = {"output_value": {1: D(90), 2: D(180), 3: D(270)}}
    assert not compute.evaluate_yoy_change(milder, last, rule, 3, 2026, CATALOGUE).holds
    # No base last year, or no figure this year: not evaluable.
    assert compute.evaluate_yoy_change(this, {}, rule, 3, 2026, CATALOGUE) is None
    assert compute.evaluate_yoy_change(this, last, rule, 4, 2026, CATALOGUE) is None


def test_growth_of_a_ratio_energy_per_output():
    rule = compute.Rule(
        RuleKind.YOY_CHANGE, "electricity", "output_value", operator=Operator.GT, threshold=D(30)
    )
    last = {"electricity": {1: D(1000)}, "output_value": {1: D(300)}}
    this = {"electricity": {1: D(1000)}, "output_value": {1: D(180)}}
    outcome = compute.evaluate_yoy_change(this, last, rule, 1, 2026, CATALOGUE)
    assert outcome.holds
    assert round(outcome.tested, 4) == D("66.6667")  # 300 / 180 − 1
    this["output_value"][1] = D(0)  # no output: no ratio to compare
    assert compute.evaluate_yoy_change(this, last, rule, 1, 2026, CATALOGUE) is None


@pytest.mark.parametrize(
    ("operator", "value", "holds"),
    [("lt", -1, True), ("lt", 0, False), ("lte", 0, True), ("gt", 0, False), ("gte", 0, True)],
)
def test_threshold_operators(operator, value, holds):
    rule = compute.Rule(RuleKind.THRESHOLD, "taxes", operator=operator, threshold=D(0))
    # Taxes are never negative in practice; the operator logic is what is tested here.
    reported = {"taxes": {1: D(value)}}
    assert compute.evaluate_threshold(reported, rule, 1, 2026, CATALOGUE).holds is holds


def test_unknown_operator_is_an_error():
    with pytest.raises(ValueError, match="operator"):
        compute.compare(D(1), "eq", D(1))


def test_output_without_energy():
    rule = compute.Rule(
        RuleKind.DATA_QUALITY,
        "output_value",
        "energy_tce",
        QualityCheck.WITHOUT,
        basis=MONTH,
    )
    without = {"output_value": {1: D(50), 2: D(120)}}
    outcome = compute.evaluate_data_quality(without, rule, 2, 2026, CATALOGUE)
    assert outcome == compute.Outcome(True, D(70), None, None)
    with_power = {**without, "electricity": {1: D(10), 2: D(30)}}
    assert not compute.evaluate_data_quality(with_power, rule, 2, 2026, CATALOGUE).holds
    no_output = {"output_value": {1: D(0)}}
    assert not compute.evaluate_data_quality(no_output, rule, 1, 2026, CATALOGUE).holds


def test_taxes_above_revenue():
    rule = compute.Rule(
        RuleKind.DATA_QUALITY,
        "taxes",
        "revenue",
        QualityCheck.RATIO,
        operator=Operator.GT,
        threshold=D(1),
    )
    outcome = compute.evaluate_data_quality(
        {"taxes": {3: D(80)}, "revenue": {3: D(50)}}, rule, 3, 2026, CATALOGUE
    )
    assert outcome == compute.Outcome(True, D(80), D(50), D("1.6"))
    fine = {"taxes": {3: D(5)}, "revenue": {3: D(50)}}
    assert not compute.evaluate_data_quality(fine, rule, 3, 2026, CATALOGUE).holds
    # Taxes against no revenue at all fail; without a revenue figure nothing is said.
    zero = {"taxes": {3: D(5)}, "revenue": {3: D(0)}}
    assert compute.evaluate_data_quality(zero, rule, 3, 2026, CATALOGUE).holds
    assert compute.evaluate_data_quality({"taxes": {3: D(5)}}, rule, 3, 2026, CATALOGUE) is None


def test_ranks_share_places_on_ties():
    assert compute.ranks({"a": D(300), "b": D(300), "c": D(150)}) == {"a": 1, "b": 1, "c": 3}


def test_rank_drop_counts_only_firms_in_both_periods():
    rule = compute.Rule(RuleKind.RANK_CHANGE, "output_value", operator="gte", threshold=D(2))
    before = {1: D(300), 2: D(300), 3: D(150), 9: D(1000)}  # 9 has left since
    now = {1: D(180), 2: D(330), 3: D(210), 8: D(5000)}  # 8 is new
    outcomes = compute.evaluate_rank_change(now, before, rule)
    assert set(outcomes) == {1, 2, 3}
    assert outcomes[1] == compute.Outcome(True, D(3), D(1), D(2))
    assert outcomes[2] == compute.Outcome(False, D(1), D(1), D(0))
    assert outcomes[3] == compute.Outcome(False, D(2), D(3), D(-1))


def test_months_owed_counts_back_within_the_year():
    statuses = {1: "accepted", 2: "submitted", 3: "returned", 4: "draft"}
    assert compute.months_owed(statuses, 5) == 3  # May missing, April draft, March returned
    assert compute.months_owed(statuses, 2) == 0
    assert compute.months_owed({}, 3) == 3
    rule = compute.Rule(RuleKind.MISSING_REPORT, operator="gte", threshold=D(1))
    assert compute.evaluate_missing_report(
        statuses,
        rule,
        2,
    ) == compute.Outcome(False, D(0), D(1), D(0))


def test_indicators_needed_expands_standard_coal():
    rules = [
        compute.Rule(RuleKind.YOY_CHANGE, "energy_tce", "output_value"),
        compute.Rule(RuleKind.MISSING_REPORT),
    ]
    assert compute.indicators_needed(rules) == {
        "output_value",
        "electricity",
        "natural_gas",
        "coal",
        "other_energy",
    }
