"""Pure functions over reported values: the other basis (month ↔ year to date), standard coal,
plausibility. Values are Decimals in each indicator's unit; months are 1–12."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .choices import Aggregation, Basis, EnergyConvention

KG_PER_TONNE = Decimal(1000)
ENERGY_INDICATORS = ("electricity", "natural_gas", "coal", "other_energy")
PLAUSIBILITY_INPUTS = ("output_value", *ENERGY_INDICATORS)


def monthly_values(
    basis: str, aggregation: str, reported: Mapping[int, Decimal]
) -> dict[int, Decimal]:
    """Each month's own value. From year-to-date figures a month needs the month before
    (or to be January); months that cannot be derived are left out."""
    if basis == Basis.MONTHLY:
        return dict(reported)
    result = {}
    for month, value in reported.items():
        if month == 1:
            result[month] = value
        elif month - 1 in reported:
            before = reported[month - 1]
            if aggregation == Aggregation.SUM:
                result[month] = value - before
            else:  # a year-to-date average: this month = m·avg(m) − (m−1)·avg(m−1)
                result[month] = month * value - (month - 1) * before
    return result


def cumulative_values(
    basis: str, aggregation: str, reported: Mapping[int, Decimal]
) -> dict[int, Decimal]:
    """Year-to-date figures. From monthly figures a month needs every month before it."""
    if basis == Basis.CUMULATIVE:
        return dict(reported)
    result = {}
    running = Decimal(0)
    for month in range(1, 13):
        if month not in reported:
            break
        running += reported[month]
        result[month] = running if aggregation == Aggregation.SUM else running / month
    return result


class CoefficientTable:
    """GB/T 2589 factors (kgce per unit) looked up by indicator, convention and year: the
    year's own row, else the latest earlier year, else the row for every year."""

    def __init__(self, rows: list[tuple[str, str, int | None, Decimal]]) -> None:
        self.rows = rows
        self._memo: dict[tuple[str, str, int], Decimal | None] = {}

    @classmethod
    def load(cls) -> "CoefficientTable":
        from .models import EnergyCoefficient

        return cls(
            list(
                EnergyCoefficient.objects.values_list(
                    "indicator__code", "convention", "year", "kgce_per_unit"
                )
            )
        )

    def factor(self, code: str, convention: str, year: int) -> Decimal | None:
        key = (code, convention, year)
        if key not in self._memo:
            self._memo[key] = self._lookup(code, convention, year)
        return self._memo[key]

    def _lookup(self, code: str, convention: str, year: int) -> Decimal | None:
        candidates = [
            (row_year, factor)
            for row_code, row_convention, row_year, factor in self.rows
            if row_code == code
            and row_convention in (convention, "")
            and (row_year is None or row_year <= year)
        ]
        if not candidates:
            return None
        # A dated row beats the undated one; the latest dated row wins.
        return max(candidates, key=lambda item: -1 if item[0] is None else item[0])[1]


def standard_coal_tonnes(
    energy: Mapping[str, Decimal],
    table: CoefficientTable,
    year: int,
    convention: str = EnergyConvention.EQUIVALENT,
) -> Decimal | None:
    """Comprehensive energy consumption in tonnes of standard coal (tce) from energy amounts
    in their own units; None when no energy figure is given."""
    total, seen = Decimal(0), False
    for code in ENERGY_INDICATORS:
        if code in energy:
            factor = table.factor(code, convention, year)
            if factor is None:
                raise LookupError(f"no GB/T 2589 coefficient for {code} ({convention}, {year})")
            total += energy[code] * factor / KG_PER_TONNE
            seen = True
    return total if seen else None


@dataclass(frozen=True)
class Plausibility:
    """Thresholds for warnings; the defaults follow common 统计 review practice."""

    output_swing: Decimal = Decimal("0.5")  # ±50 % against the same month last year
    intensity_ratio: Decimal = Decimal(2)  # energy per unit output doubled


@dataclass(frozen=True)
class Finding:
    rule: str
    indicator: str
    this_value: Decimal
    compared_value: Decimal


def plausibility_findings(
    this_month: Mapping[str, Decimal],
    same_month_last_year: Mapping[str, Decimal],
    limits: Plausibility = Plausibility(),
) -> list[Finding]:
    """Warnings for one month's own values against the same month a year before."""
    findings = []
    output, before = this_month.get("output_value"), same_month_last_year.get("output_value")
    if output is not None and before is not None and before > 0:
        change = output / before - 1
        if abs(change) > limits.output_swing:
            findings.append(Finding("output_swing", "output_value", output, before))
    energy, energy_before = this_month.get("energy_tce"), same_month_last_year.get("energy_tce")
    if (
        energy is not None
        and energy_before is not None
        and output
        and before
        and output > 0
        and before > 0
        and energy_before > 0
    ):
        intensity, intensity_before = energy / output, energy_before / before
        if intensity >= limits.intensity_ratio * intensity_before:
            findings.append(Finding("intensity_doubled", "energy_tce", intensity, intensity_before))
    return findings
