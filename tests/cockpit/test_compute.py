"""The cockpit's arithmetic on a hand-built set of reported figures.

Three firms, output value reported year to date (yuan):
    firm 1: 2026 Jan 90, Feb 200, Mar 330;  2025 Jan 80, Feb 180, Mar 300
    firm 2: 2026 Feb 100, Mar 160 (new this year, no January)
    firm 3: 2026 Feb 50 (did not report March);  2025 Feb 40, Mar 70
"""

from datetime import date
from decimal import Decimal as D

import pytest

from parkbrain.cockpit import compute
from parkbrain.cockpit.compute import Period

AS_OF = date(2026, 4, 20)
ROWS: compute.FirmRows = {
    "output_value": {
        1: {1: (D(90), D(80))},
        2: {1: (D(200), D(180)), 2: (D(100), None), 3: (D(50), D(40))},
        3: {1: (D(330), D(300)), 2: (D(160), None), 3: (None, D(70))},
    }
}


def test_year_to_date_total_and_comparable_growth():
    values = compute.period_values(ROWS, Period("ytd", 2026, 3), "output_value")
    figure = compute.total("output_value", "产值", "元", values, Period("ytd", 2026, 3), AS_OF)
    assert figure.value == D(490)  # 330 + 160; firm 3 did not report March
    assert figure.growth == D(330) / D(300) - 1  # only firm 1 has March in both years
    assert (figure.provenance.firms, figure.provenance.compared_firms) == (2, 1)
    assert (figure.provenance.numerator, figure.provenance.denominator) == (D(330), D(300))


def test_a_single_month_is_the_difference_of_year_to_date_figures():
    values = compute.period_values(ROWS, Period("month", 2026, 3), "output_value")
    assert values[1] == (D(130), D(120))  # 330 − 200, 300 − 180
    assert values[2] == (D(60), None)  # 160 − 100; nothing last year
    assert values[3] == (None, D(30))  # no March this year: counted in neither total
    figure = compute.total("x", "x", "元", values, Period("month", 2026, 3), AS_OF)
    assert figure.value == D(190)
    assert figure.growth == D(130) / D(120) - 1


def test_a_month_without_the_month_before_has_no_value():
    values = compute.period_values(ROWS, Period("month", 2026, 2), "output_value")
    assert values[1] == (D(110), D(100))  # 200 − 90, 180 − 80
    assert values[2] == (None, None)  # firm 2 has no January
    assert values[3] == (None, None)


def test_january_is_its_own_month():
    values = compute.period_values(ROWS, Period("month", 2026, 1), "output_value")
    assert values == {1: (D(90), D(80))}


def test_trend_month_by_month():
    points = compute.trend(ROWS, "output_value", 3)
    jan, feb, mar = points
    assert (jan.this_month, jan.last_month, jan.this_to_date, jan.firms) == (D(90), D(80), D(90), 1)
    assert jan.growth_to_date == D(90) / D(80) - 1
    # February: only firm 1 has both months; to date all three: 200 + 100 + 50.
    assert (feb.this_month, feb.last_month, feb.this_to_date) == (D(110), D(100), D(350))
    assert feb.growth_to_date == D(250) / D(220) - 1  # firms 1 and 3: (200 + 50) ÷ (180 + 40)
    # March: firm 1 (130 against 120) and firm 2 (60, nothing to compare).
    assert (mar.this_month, mar.last_month, mar.this_to_date) == (D(190), D(120), D(490))
    assert mar.growth_to_date == D(330) / D(300) - 1


def test_breakdown_sums_to_the_total_and_ranks_by_value():
    values = compute.period_values(ROWS, Period("ytd", 2026, 2), "output_value")
    groups = compute.breakdown(values, lambda e: ("big", "大") if e == 1 else ("small", "小"))
    assert [(g.key, g.value, g.firms) for g in groups] == [("big", D(200), 1), ("small", D(150), 2)]
    assert groups[1].growth == D(50) / D(40) - 1  # firm 2 has no last year
    assert sum(g.value for g in groups) == D(350)


def test_ranking_largest_first_ties_by_id():
    values = {7: (D(5), D(4)), 3: (D(9), None), 4: (D(5), D(0)), 8: (None, D(1))}
    assert compute.ranking(values, 3) == [(3, D(9), None), (4, D(5), None), (7, D(5), D("0.25"))]


def test_energy_is_converted_per_firm_and_year():
    from parkbrain.reporting.compute import CoefficientTable

    rows: compute.FirmRows = {
        "electricity": {3: {1: (D(1_000_000), D(800_000))}},
        "natural_gas": {3: {1: (D(10_000), None)}},
    }
    table = CoefficientTable(
        [
            ("electricity", "equivalent", None, D("0.1229")),
            ("natural_gas", "equivalent", None, D("1.2143")),
        ]
    )
    values = compute.energy_values(rows, Period("ytd", 2026, 3), table, "equivalent")
    # 1,000,000 kWh × 0.1229 kgce + 10,000 m³ × 1.2143 kgce = 122.9 + 12.143 tce
    assert values[1] == (D("135.043"), D("98.32"))


def test_shares_keep_both_terms():
    figure = compute.share("s", "占比", "%", D(131), D(393), "…", AS_OF, firms=262)
    assert figure.value == D(131) / D(393)
    assert (figure.provenance.numerator, figure.provenance.denominator) == (D(131), D(393))
    assert compute.share("s", "占比", "%", D(1), D(0), "…", AS_OF).value is None


@pytest.mark.parametrize(
    ("as_of", "kind", "expected"),
    [
        (date(2026, 11, 26), "ytd", Period("ytd", 2026, 10)),
        (date(2026, 1, 5), "ytd", Period("ytd", 2025, 12)),
        (date(2026, 11, 26), "year", Period("year", 2025, 12)),
        (date(2026, 1, 5), "year", Period("year", 2025, 12)),
    ],
)
def test_latest_period_is_the_last_month_over(as_of, kind, expected):
    assert Period.latest(as_of, kind) == expected


def test_a_year_period_ends_in_december():
    with pytest.raises(ValueError):
        Period("year", 2025, 6)
