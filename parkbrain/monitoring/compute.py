"""Pure functions evaluating warning rules over reported figures.

Figures arrive as reported: for one enterprise-year, indicator code → month → value on the
indicator's own basis (year to date or monthly). A rule reads either the month's own value
or the year to date (累计); year-on-year growth compares the year to date with the same
months a year before (累计增速). A condition that cannot be evaluated (a figure missing) gives
None: it neither raises nor clears a warning.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, QuerySet

from parkbrain.reporting.choices import EnergyConvention, ReportStatus
from parkbrain.reporting.compute import (
    ENERGY_INDICATORS,
    CoefficientTable,
    cumulative_values,
    monthly_values,
    standard_coal_tonnes,
)

if TYPE_CHECKING:
    from parkbrain.registry.models import Enterprise, Zone

from .choices import ACTIVE_STATES, AlertState, FigureBasis, Operator, QualityCheck

HUNDRED = Decimal(100)
ENERGY_TCE = "energy_tce"
# A report counts as in once it is submitted; drafts and returned reports are still owed.
REPORT_IN = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)

Reported = Mapping[str, Mapping[int, Decimal]]  # one enterprise-year: code → month → value


@dataclass(frozen=True)
class Rule:
    """What evaluation needs of a rule, free of the database."""

    kind: str
    indicator: str = ""
    other_indicator: str = ""
    quality_check: str = ""
    basis: str = FigureBasis.YEAR_TO_DATE
    operator: str = Operator.GT
    threshold: Decimal = Decimal(0)


@dataclass(frozen=True)
class Outcome:
    """A rule's condition holds (`holds`) with the figures that show it."""

    holds: bool
    measured: Decimal | None = None
    compared: Decimal | None = None
    tested: Decimal | None = None


@dataclass(frozen=True)
class Catalogue:
    """How each indicator is reported (code → (basis, aggregation)) and how energy becomes
    standard coal."""

    bases: Mapping[str, tuple[str, str]]
    coefficients: CoefficientTable
    convention: str = EnergyConvention.EQUIVALENT


def compare(value: Decimal, operator: str, threshold: Decimal) -> bool:
    if operator == Operator.LT:
        return value < threshold
    if operator == Operator.LTE:
        return value <= threshold
    if operator == Operator.GT:
        return value > threshold
    if operator == Operator.GTE:
        return value >= threshold
    raise ValueError(f"unknown operator {operator!r}")


def figure(
    reported: Reported, code: str, month: int, basis: str, year: int, catalogue: Catalogue
) -> Decimal | None:
    """One indicator's figure for a month: its own value or the year to date; standard coal
    (energy_tce) from the energy figures on the same basis."""
    if code == ENERGY_TCE:
        present = [c for c in ENERGY_INDICATORS if reported.get(c)]
        amounts = {c: figure(reported, c, month, basis, year, catalogue) for c in present}
        if not amounts or any(v is None for v in amounts.values()):
            return None
        try:
            return standard_coal_tonnes(amounts, catalogue.coefficients, year, catalogue.convention)
        except LookupError:
            return None
    series = reported.get(code)
    if not series:
        return None
    own_basis, aggregation = catalogue.bases[code]
    if basis == FigureBasis.MONTH:
        return monthly_values(own_basis, aggregation, series).get(month)
    return cumulative_values(own_basis, aggregation, series).get(month)


def rule_figure(
    reported: Reported, rule: Rule, month: int, year: int, catalogue: Catalogue
) -> Decimal | None:
    """The rule's figure: the indicator, or the indicator divided by the other one."""
    value = figure(reported, rule.indicator, month, rule.basis, year, catalogue)
    if value is None or not rule.other_indicator:
        return value
    divisor = figure(reported, rule.other_indicator, month, rule.basis, year, catalogue)
    if divisor is None or divisor == 0:
        return None
    return value / divisor


def evaluate_threshold(
    reported: Reported, rule: Rule, month: int, year: int, catalogue: Catalogue
) -> Outcome | None:
    value = rule_figure(reported, rule, month, year, catalogue)
    if value is None:
        return None
    return Outcome(compare(value, rule.operator, rule.threshold), value, rule.threshold, value)


def evaluate_yoy_change(
    this_year: Reported,
    last_year: Reported,
    rule: Rule,
    month: int,
    year: int,
    catalogue: Catalogue,
) -> Outcome | None:
    """Change in per cent against the same period a year before; needs a positive base."""
    this = rule_figure(this_year, rule, month, year, catalogue)
    before = rule_figure(last_year, rule, month, year - 1, catalogue)
    if this is None or before is None or before <= 0:
        return None
    change = (this / before - 1) * HUNDRED
    return Outcome(compare(change, rule.operator, rule.threshold), this, before, change)


def evaluate_data_quality(
    reported: Reported, rule: Rule, month: int, year: int, catalogue: Catalogue
) -> Outcome | None:
    """'without': the indicator is positive while the other is missing or zero. 'ratio':
    indicator ÷ other against the threshold; a positive indicator over a zero other fails."""
    value = figure(reported, rule.indicator, month, rule.basis, year, catalogue)
    if value is None:
        return None
    other = figure(reported, rule.other_indicator, month, rule.basis, year, catalogue)
    if rule.quality_check == QualityCheck.WITHOUT:
        return Outcome(value > 0 and (other is None or other <= 0), value, other, None)
    if rule.quality_check != QualityCheck.RATIO:
        raise ValueError(f"unknown data-quality check {rule.quality_check!r}")
    if other is None:
        return None
    if other == 0:
        return Outcome(value > 0, value, other, None)
    ratio = value / other
    return Outcome(compare(ratio, rule.operator, rule.threshold), value, other, ratio)


def ranks(values: Mapping[int, Decimal]) -> dict[int, int]:
    """Place of each key, largest value first; equal values share the better place (1, 2, 2, 4)."""
    ordered = sorted(values.values(), reverse=True)
    first_place: dict[Decimal, int] = {}
    for place, value in enumerate(ordered, start=1):
        first_place.setdefault(value, place)
    return {key: first_place[value] for key, value in values.items()}


def evaluate_rank_change(
    now: Mapping[int, Decimal], before: Mapping[int, Decimal], rule: Rule
) -> dict[int, Outcome]:
    """Places each enterprise dropped in the ranking against the same period last year,
    ranking only enterprises with a figure in both periods, so that firms entering or
    leaving the list do not move the others."""
    both = now.keys() & before.keys()
    rank_now = ranks({key: now[key] for key in both})
    rank_before = ranks({key: before[key] for key in both})
    outcomes = {}
    for key in both:
        dropped = Decimal(rank_now[key] - rank_before[key])
        outcomes[key] = Outcome(
            compare(dropped, rule.operator, rule.threshold),
            Decimal(rank_now[key]),
            Decimal(rank_before[key]),
            dropped,
        )
    return outcomes


def months_owed(statuses: Mapping[int, str], month: int) -> int:
    """Consecutive months up to and including `month` of one year whose report is not in
    (missing, draft or returned). Counting stays within the year: the duty to report
    follows the year's list of firms above designated size."""
    owed = 0
    for earlier in range(month, 0, -1):
        if statuses.get(earlier) in REPORT_IN:
            break
        owed += 1
    return owed


def evaluate_missing_report(statuses: Mapping[int, str], rule: Rule, month: int) -> Outcome:
    owed = Decimal(months_owed(statuses, month))
    return Outcome(compare(owed, rule.operator, rule.threshold), owed, rule.threshold, owed)


def indicators_needed(rules: Iterable[Rule]) -> set[str]:
    """Reported indicators the rules read; standard coal needs every energy figure."""
    codes = set()
    for rule in rules:
        codes |= {rule.indicator, rule.other_indicator} - {""}
    if ENERGY_TCE in codes:
        codes = (codes - {ENERGY_TCE}) | set(ENERGY_INDICATORS)
    return codes


@dataclass(frozen=True)
class WarningCounts:
    """Live warnings (open or acknowledged), by state and severity."""

    open: int
    acknowledged: int
    by_severity: dict[str, int]

    @property
    def total(self) -> int:
        return self.open + self.acknowledged


def open_warning_counts(zone_or_enterprises: "Zone | QuerySet[Enterprise]") -> WarningCounts:
    """Counts of live warnings of a zone, or of these enterprises (for a caller, pass its
    tenancy.visible_enterprises)."""
    from parkbrain.registry.models import Zone

    from .models import Alert

    live = Alert.objects.filter(state__in=ACTIVE_STATES)
    if isinstance(zone_or_enterprises, Zone):
        live = live.filter(enterprise__zone=zone_or_enterprises)
    else:
        live = live.filter(enterprise__in=zone_or_enterprises)
    by_state = dict(live.values_list("state").annotate(n=Count("id")).order_by())
    by_severity = dict(live.values_list("rule__severity").annotate(n=Count("id")).order_by())
    return WarningCounts(
        open=by_state.get(AlertState.OPEN, 0),
        acknowledged=by_state.get(AlertState.ACKNOWLEDGED, 0),
        by_severity=by_severity,
    )


def state_counts(alerts: QuerySet) -> dict[str, int]:
    """How many of these warnings are in each state (every state present, zero if none)."""
    counted = dict(alerts.values_list("state").annotate(n=Count("id")).order_by())
    return {state: counted.get(state, 0) for state in AlertState.values}
