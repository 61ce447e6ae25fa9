"""The evaluation's arithmetic against figures worked out by hand."""

from datetime import date
from decimal import Decimal as D

import pytest

from parkbrain.evaluation import compute, defaults
from parkbrain.evaluation.choices import (
    Direction,
    Grade,
    GradingMethod,
    Measure,
    Resource,
    SubjectGroup,
    WhenMissing,
)
from parkbrain.reporting.compute import CoefficientTable

BASES = {
    "taxes": ("cumulative", "sum"),
    "value_added": ("cumulative", "sum"),
    "electricity": ("cumulative", "sum"),
    "coal": ("cumulative", "sum"),
    "employees": ("monthly", "average"),
}


def test_year_to_date_sum_is_decembers_figure():
    assert compute.annual_total("cumulative", "sum", {1: D(100), 2: D(250), 12: D(1300)}) == 1300


def test_without_december_the_months_own_values_are_added():
    # months 100, 150, 150
    assert compute.annual_total("cumulative", "sum", {1: D(100), 2: D(250), 3: D(400)}) == 400
    # March is missing, so April's own value cannot be derived: 100 + 150 only
    assert compute.annual_total("cumulative", "sum", {1: D(100), 2: D(250), 4: D(500)}) == 250
    assert compute.annual_total("monthly", "sum", {1: D(7), 5: D(8)}) == 15
    assert compute.annual_total("cumulative", "sum", {}) is None


def test_employees_are_the_average_of_the_months():
    assert compute.annual_total("monthly", "average", {1: D(50), 2: D(54), 3: D(58)}) == 54


def test_annual_figures_convert_energy_and_prefer_agency_figures():
    table = CoefficientTable(
        [
            ("electricity", "equal", 2025, D("0.3000")),
            ("electricity", "equivalent", None, D("0.1229")),
            ("coal", "", None, D("714.3")),
        ]
    )
    reported = {
        "taxes": {6: D(500_000), 12: D(1_000_000)},
        "value_added": {12: D(9_000_000)},
        "electricity": {11: D(900_000), 12: D(1_000_000)},
        "coal": {12: D(10)},
        "employees": {m: D(40 + m % 2) for m in range(1, 13)},  # 41, 40, 41, … → 40.5
    }
    figures = compute.annual_figures(
        reported, BASES, table, 2025, "equal", agency={"taxes_yuan": D(1_200_000)}
    )
    # 1,000,000 kWh × 0.3 kgce = 300 tce; 10 t coal × 714.3 kgce = 7.143 tce
    assert figures["energy_tce"] == D("307.143")
    assert figures["taxes_yuan"] == 1_200_000  # the tax bureau's figure wins
    assert figures["value_added_yuan"] == 9_000_000
    assert figures["employees"] == D("40.5")
    assert figures["emissions_tonnes"] is None
    equivalent = compute.annual_figures(reported, BASES, table, 2025, "equivalent")
    # 1,000,000 × 0.1229 = 122.9 tce + 7.143
    assert equivalent["energy_tce"] == D("130.043")
    assert equivalent["taxes_yuan"] == 1_000_000


def test_points_floor_at_zero_cap_and_lower_is_better():
    rule = compute.Rule(Measure.TAX_PER_MU, D(30), D(20), cap_points=D(60))
    assert compute.points_for(D(10), rule) == (D(15), False)
    assert compute.points_for(D(60), rule) == (D(60), True)  # 90 capped at 60
    assert compute.points_for(D(-4), rule) == (D(0), False)
    lower = compute.Rule(Measure.VALUE_ADDED_PER_TCE, D(10), D(2), Direction.LOWER_IS_BETTER)
    assert compute.points_for(D(1), lower) == (D(15), False)  # 10 × (2 − 0.5)
    assert compute.points_for(D(5), lower) == (D(0), False)  # 10 × (2 − 2.5) < 0


def test_ties_share_a_grade_and_a_rank():
    scores = {"a": D(10), "b": D(10), "c": D(5), "d": D(1)}
    # 4 subjects at 25/45/25/5 %: cut-offs 1, 2.8 → 3, 3.8 → 4. b ties with a, so A too.
    assert compute.grade_by_shares(scores, (D(25), D(45), D(25), D(5))) == {
        "a": "A",
        "b": "A",
        "c": "B",
        "d": "C",
    }
    assert compute.ranks(scores) == {"a": 1, "b": 1, "c": 3, "d": 4}
    # The same data in another order grades the same.
    assert compute.grade_by_shares(dict(reversed(scores.items())), (D(25), D(45), D(25), D(5))) == (
        compute.grade_by_shares(scores, (D(25), D(45), D(25), D(5)))
    )


def test_twenty_subjects_follow_the_shares():
    scores = {f"s{i:02d}": D(100 - i) for i in range(20)}
    grades = compute.grade_by_shares(scores, (D(25), D(45), D(25), D(5)))
    counts = {g: list(grades.values()).count(g) for g in "ABCD"}
    assert counts == {"A": 5, "B": 9, "C": 5, "D": 1}


def test_bad_grading_parameters_are_refused():
    with pytest.raises(ValueError, match="add up to 90"):
        compute.grade_by_shares({"a": D(1)}, (D(25), D(45), D(15), D(5)))
    with pytest.raises(ValueError, match="fall from A to C"):
        compute.grade_by_thresholds({"a": D(1)}, (D(10), D(20), D(5)))


def _firm(pk, land, above=True, founded=date(2010, 1, 1), parcel=None, **figures):
    return compute.FirmFacts(
        enterprise_id=pk,
        name=f"企业{pk}",
        above_scale=above,
        land_mu=D(land),
        founded_on=founded,
        figures={key: (D(v) if v is not None else None) for key, v in figures.items()},
        parcel_id=parcel,
    )


ABOVE = compute.SchemeRules(
    rules=(
        compute.Rule(Measure.TAX_PER_MU, D(30), D(20), cap_points=D(60)),
        compute.Rule(Measure.VALUE_ADDED_PER_MU, D(20), D(100)),
        compute.Rule(Measure.VALUE_ADDED_PER_TCE, D(20), D(2)),
        compute.Rule(
            Measure.VALUE_ADDED_PER_EMISSION, D(10), D(5000), when_missing=WhenMissing.AVERAGE
        ),
        compute.Rule(Measure.LABOUR_PRODUCTIVITY, D(10), D(20)),
        compute.Rule(Measure.RD_INTENSITY, D(10), D("0.03")),
    ),
)
BELOW = compute.SchemeRules(
    rules=(
        compute.Rule(Measure.TAX_PER_MU, D(50), D(10)),
        compute.Rule(Measure.TAX_PER_KWH, D(50), D("0.2")),
    ),
    min_land_mu=D(3),
)


def _small_zone():
    firms = [
        # F1: 200万/10亩 = 20 → 30; 1000万/10 = 100 → 20; 1000万/500 tce = 2 → 20;
        # 1000万/0.25 t = 4000 → 8; 1000万/50 = 20 → 10; 0.3/10 = 0.03 → 10. Score 98.
        _firm(
            1,
            10,
            taxes_yuan=2_000_000,
            value_added_yuan=10_000_000,
            energy_tce=500,
            emissions_tonnes="0.25",
            employees=50,
            rd_yuan=300_000,
            revenue_yuan=10_000_000,
        ),
        # F2: 600万/10 = 60 → 90 capped at 60; 2000万/10 = 200 → 40; 2000/2500 = 0.8 → 8;
        # no emissions → average 5.6; 2000/100 = 20 → 10; 0.03 → 10. Score 133.6.
        _firm(
            2,
            10,
            taxes_yuan=6_000_000,
            value_added_yuan=20_000_000,
            energy_tce=2500,
            emissions_tonnes=None,
            employees=100,
            rd_yuan=600_000,
            revenue_yuan=20_000_000,
        ),
        # F3: 100万/20 = 5 → 7.5; 800/20 = 40 → 8; 800/800 = 1 → 10; 800/0.4 = 2000 → 4;
        # 800/80 = 10 → 5; no R&D → 0. Score 34.5.
        _firm(
            3,
            20,
            taxes_yuan=1_000_000,
            value_added_yuan=8_000_000,
            energy_tce=800,
            emissions_tonnes="0.4",
            employees=80,
            rd_yuan=0,
            revenue_yuan=8_000_000,
        ),
        # F4 (规上) and F5 (规下) share parcel 1 of 12 mu and are one 规上 subject. Sums: tax
        # 180万/12 = 15 → 22.5; VA 720/12 = 60 → 12; 720/300 tce = 2.4 → 24;
        # 720/0.3 t = 2400 → 4.8; 720/60 = 12 → 6; R&D 15万/800万 = 0.01875 → 6.25.
        # Score 75.55.
        _firm(
            4,
            8,
            parcel=1,
            taxes_yuan=1_200_000,
            value_added_yuan=6_000_000,
            energy_tce=300,
            emissions_tonnes="0.3",
            employees=40,
            rd_yuan=150_000,
            revenue_yuan=6_000_000,
        ),
        _firm(
            5,
            4,
            above=False,
            parcel=1,
            taxes_yuan=600_000,
            value_added_yuan=1_200_000,
            employees=20,
            revenue_yuan=2_000_000,
        ),
        # F6: 10万/5 = 2 → 3; 100/5 = 20 → 4; 100/200 = 0.5 → 5; no emissions → 5.6;
        # 100/25 = 4 → 2; 1.5万/100万 = 0.015 → 5. Score 24.6.
        _firm(
            6,
            5,
            taxes_yuan=100_000,
            value_added_yuan=1_000_000,
            energy_tce=200,
            employees=25,
            rd_yuan=15_000,
            revenue_yuan=1_000_000,
        ),
        # F7 was founded in 2025: a start-up, ungraded.
        _firm(7, 30, founded=date(2025, 3, 1), taxes_yuan=10_000, value_added_yuan=50_000),
        # F8: 规下 on 2 mu, below the 3 mu line: not evaluated.
        _firm(8, 2, above=False, taxes_yuan=50_000, electricity_kwh=100_000),
        # F9: 规下 on 4 mu: 20万/4 = 5 → 25; 200,000 元/500,000 kWh = 0.4 → 100. Score 125.
        _firm(9, 4, above=False, taxes_yuan=200_000, electricity_kwh=500_000),
        # F10: 规上 on 6 mu with nothing reported: not producing, ungraded.
        _firm(10, 6),
    ]
    parcels = {1: compute.ParcelFacts(1, "TX-001", D(12))}
    return firms, parcels


def test_small_zone_worked_by_hand():
    firms, parcels = _small_zone()
    schemes = {SubjectGroup.ABOVE_SCALE: ABOVE, SubjectGroup.BELOW_SCALE: BELOW}
    outcomes = {o.key: o for o in compute.evaluate(firms, parcels, schemes, 2025)}
    assert "firm-8" not in outcomes and "firm-4" not in outcomes and "firm-5" not in outcomes
    scores = {key: o.score for key, o in outcomes.items()}
    # Emission average over F1, F3 and the parcel: (8 + 4 + 4.8) / 3 = 5.6
    assert scores == {
        "firm-1": D(98),
        "firm-2": D("133.6"),
        "firm-3": D("34.5"),
        "firm-6": D("24.6"),
        "firm-7": None,
        "firm-9": D(125),
        "firm-10": None,
        "parcel-1": D("75.55"),
    }
    parcel = outcomes["parcel-1"]
    assert parcel.group == SubjectGroup.ABOVE_SCALE
    assert parcel.enterprise_ids == (4, 5)
    assert parcel.land_mu == 12
    assert parcel.figures["taxes_yuan"] == 1_800_000
    assert parcel.figures["emissions_tonnes"] == D("0.3")
    f2 = {i.measure: i for i in outcomes["firm-2"].items}
    assert f2[Measure.TAX_PER_MU].capped and f2[Measure.TAX_PER_MU].points == 60
    assert f2[Measure.VALUE_ADDED_PER_EMISSION].imputed
    assert f2[Measure.VALUE_ADDED_PER_EMISSION].points == D("5.6")
    # 5 graded 规上 subjects at 25/45/25/5 %: cut-offs 1.25 → 1, 3.5 → 4, 4.75 → 5.
    grades = {key: o.grade for key, o in outcomes.items()}
    assert grades == {
        "firm-2": "A",
        "firm-1": "B",
        "parcel-1": "B",
        "firm-3": "B",
        "firm-6": "C",
        "firm-7": Grade.UNGRADED,
        "firm-10": Grade.UNGRADED,
        # One 规下 subject: A cut 0.25 → 0, A+B 0.7 → 1, so B.
        "firm-9": "B",
    }
    assert outcomes["firm-7"].ungraded_reason == compute.UNGRADED_STARTUP
    assert outcomes["firm-10"].ungraded_reason == compute.UNGRADED_NOT_PRODUCING
    assert [outcomes[k].rank for k in ("firm-2", "firm-1", "parcel-1", "firm-3", "firm-6")] == [
        1,
        2,
        3,
        4,
        5,
    ]


def test_small_zone_graded_by_thresholds():
    firms, parcels = _small_zone()
    rules = compute.SchemeRules(
        rules=ABOVE.rules,
        grading=GradingMethod.THRESHOLD,
        thresholds=(D(90), D(60), D(30)),
    )
    outcomes = compute.evaluate(firms, parcels, {SubjectGroup.ABOVE_SCALE: rules}, 2025)
    grades = {o.key: o.grade for o in outcomes if o.score is not None}
    # 133.6 and 98 ≥ 90; 75.55 ≥ 60; 34.5 ≥ 30; 24.6 below.
    assert grades == {"firm-1": "A", "firm-2": "A", "parcel-1": "B", "firm-3": "C", "firm-6": "D"}
    # Without a 规下 scheme the 规下 firms are not evaluated at all.
    assert "firm-9" not in {o.key for o in outcomes}


def test_shipped_scheme_is_huangyan_2022():
    above = defaults.INDICATORS[SubjectGroup.ABOVE_SCALE]
    assert [row[1] for row in above] == [30, 20, 20, 10, 10, 10]
    assert [row[2] for row in above] == [
        D("24.097"),
        D("136.16"),
        D("2.694"),
        D("4929.81"),
        D("18.14"),
        D("0.0302"),
    ]
    below = defaults.INDICATORS[SubjectGroup.BELOW_SCALE]
    assert [(row[1], row[2]) for row in below] == [(50, D("11.5932")), (50, D("0.2352"))]


def test_a_firm_at_the_huangyan_benchmarks_on_tax_and_value_added():
    rules = tuple(
        compute.Rule(m, w, b, unit=u, when_missing=wm)
        for m, w, b, u, wm in defaults.INDICATORS[SubjectGroup.ABOVE_SCALE]
    )
    # 10 mu, tax 240.97万 → 24.097/mu (30 points); VA 1361.6万 → 136.16/mu (20 points);
    # nothing else known and no one with emissions: 0 for the rest.
    figures = {"taxes_yuan": D(2_409_700), "value_added_yuan": D(13_616_000)}
    values = {"x": {r.measure: compute.measure_value(r.measure, figures, D(10)) for r in rules}}
    items = compute.score_items(values, rules)["x"]
    assert compute.total_score(items) == 50


def test_distribution_helpers():
    values = [D(1), D(2), D(3), D(4), D(5)]
    assert compute.quartiles(values) == (D(1), D(2), D(3), D(4), D(5))
    assert compute.quartiles([D(1), D(2), D(3), D(4)]) == (
        D(1),
        D("1.75"),
        D("2.5"),
        D("3.25"),
        D(4),
    )
    assert compute.histogram([D(5), D(12), D(19), D(20)], D(10)) == [(0, 1), (10, 2), (20, 1)]
    assert compute.bin_width(D(100)) == 10  # 100 / 12 = 8.3 → 10
    assert compute.bin_width(D(355)) == 50  # 29.6 → 50
    assert compute.bin_width(D(20)) == 2  # 1.67 → 2


def test_charges_follow_grade_and_usage():
    rates = {("D", Resource.ELECTRICITY): D("0.10"), ("A", Resource.ELECTRICITY): D("-0.02")}
    usage = {Resource.ELECTRICITY: D(1_000_000), Resource.WATER: D(5000), Resource.LAND: D(10)}
    assert compute.charges(usage, "D", rates) == {Resource.ELECTRICITY: D(100_000)}
    assert compute.charges(usage, "A", rates) == {Resource.ELECTRICITY: D(-20_000)}
    assert compute.charges(usage, "B", rates) == {}
