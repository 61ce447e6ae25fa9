"""Derivations worked out by hand."""

from decimal import Decimal as D

import pytest

from parkbrain.reporting import compute


def test_monthly_from_year_to_date_sums():
    reported = {1: D(100), 2: D(250), 3: D(420), 5: D(800)}
    assert compute.monthly_values("cumulative", "sum", reported) == {
        1: D(100),
        2: D(150),
        3: D(170),
        # month 5 cannot be derived without month 4
    }


def test_monthly_from_year_to_date_averages():
    # Employees: YTD average 100 in Jan, 110 over Jan-Feb → February had 120.
    reported = {1: D(100), 2: D(110), 3: D(120)}
    assert compute.monthly_values("cumulative", "average", reported) == {
        1: D(100),
        2: D(120),
        3: D(140),
    }


def test_year_to_date_from_monthly_figures():
    monthly = {1: D(90), 2: D(110), 3: D(130), 5: D(1)}
    assert compute.cumulative_values("monthly", "sum", monthly) == {1: D(90), 2: D(200), 3: D(330)}
    assert compute.cumulative_values("monthly", "average", monthly) == {
        1: D(90),
        2: D(100),
        3: D(110),
    }


def test_the_two_directions_are_inverse():
    monthly = {m: D(m * 7 + 3) for m in range(1, 13)}
    cumulative = compute.cumulative_values("monthly", "sum", monthly)
    assert compute.monthly_values("cumulative", "sum", cumulative) == monthly


TABLE = compute.CoefficientTable(
    [
        ("electricity", "equivalent", None, D("0.1229")),
        ("electricity", "equal", 2022, D("0.3007")),
        ("electricity", "equal", 2023, D("0.3020")),
        ("natural_gas", "", None, D("1.2143")),
        ("coal", "", None, D("714.3")),
        ("other_energy", "", None, D(1000)),
    ]
)


def test_standard_coal_by_hand():
    # 1,000,000 kWh × 0.1229 = 122,900 kgce; 10,000 m³ × 1.2143 = 12,143 kgce;
    # 50 t coal × 714.3 = 35,715 kgce; 2 tce other = 2,000 kgce → 172,758 kgce = 172.758 tce
    energy = {
        "electricity": D(1_000_000),
        "natural_gas": D(10_000),
        "coal": D(50),
        "other_energy": D(2),
    }
    assert compute.standard_coal_tonnes(energy, TABLE, 2023) == D("172.758")


def test_equal_value_uses_the_years_factor_or_the_latest_before():
    energy = {"electricity": D(1000)}
    assert compute.standard_coal_tonnes(energy, TABLE, 2023, "equal") == D("0.302")
    assert compute.standard_coal_tonnes(energy, TABLE, 2026, "equal") == D("0.302")
    assert compute.standard_coal_tonnes(energy, TABLE, 2022, "equal") == D("0.3007")
    with pytest.raises(LookupError):
        compute.standard_coal_tonnes(energy, TABLE, 2021, "equal")


def test_no_energy_figures_means_no_standard_coal():
    assert compute.standard_coal_tonnes({}, TABLE, 2023) is None


def test_output_swing_over_half_is_a_finding():
    findings = compute.plausibility_findings({"output_value": D(160)}, {"output_value": D(100)})
    assert [f.rule for f in findings] == ["output_swing"]
    assert compute.plausibility_findings({"output_value": D(150)}, {"output_value": D(100)}) == []
    findings = compute.plausibility_findings({"output_value": D(40)}, {"output_value": D(100)})
    assert [f.rule for f in findings] == ["output_swing"]


def test_energy_intensity_doubling_is_a_finding():
    this = {"output_value": D(100), "energy_tce": D(20)}
    before = {"output_value": D(100), "energy_tce": D(10)}
    findings = compute.plausibility_findings(this, before)
    assert [(f.rule, f.this_value, f.compared_value) for f in findings] == [
        ("intensity_doubled", D("0.2"), D("0.1"))
    ]
    this["energy_tce"] = D("19.9")
    assert compute.plausibility_findings(this, before) == []
