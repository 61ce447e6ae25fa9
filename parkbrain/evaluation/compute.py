"""Pure functions of the 亩均效益 evaluation: annual figures from monthly reports, who is
evaluated (parcels merged), indicator values, points, scores, grades, and what a
differentiated price would cost each enterprise.

Money is in yuan in the figures and in 万元 (10,000 yuan) in the per-mu indicators, as the
county methods publish their benchmarks: 亩均税收 万元/亩, 单位能耗增加值 万元/tce and so on.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from parkbrain.reporting.choices import Aggregation, Basis
from parkbrain.reporting.compute import CoefficientTable, monthly_values, standard_coal_tonnes

from .choices import Direction, Grade, GradingMethod, Measure, Resource, SubjectGroup, WhenMissing

WAN = Decimal(10_000)
ZERO = Decimal(0)
HUNDRED = Decimal(100)

# Annual figure → the reported indicator it comes from. Energy is converted separately.
FIGURE_SOURCES = {
    "taxes_yuan": "taxes",
    "value_added_yuan": "value_added",
    "revenue_yuan": "revenue",
    "rd_yuan": "rd_expenditure",
    "employees": "employees",
    "electricity_kwh": "electricity",
    "water_m3": "water",
    "natural_gas_m3": "natural_gas",
}
ENERGY_CODES = ("electricity", "natural_gas", "coal", "other_energy")
REPORT_CODES = tuple(sorted(set(FIGURE_SOURCES.values()) | set(ENERGY_CODES)))
FIGURE_KEYS = (*FIGURE_SOURCES, "energy_tce", "emissions_tonnes")
# Agency figures (AnnualFigure) that replace the reports' sum when given.
AGENCY_FIGURES = ("taxes_yuan", "electricity_kwh", "emissions_tonnes")

Figures = dict[str, Decimal | None]


# -- annual figures --------------------------------------------------------------------------


def annual_total(basis: str, aggregation: str, reported: Mapping[int, Decimal]) -> Decimal | None:
    """One indicator's figure for the year from what was reported month by month.

    A year-to-date sum reported for December is the year's total. Without December, the
    months' own values are added (a month missing in between loses it and the one after:
    the year is then under-stated, never guessed). Averages (employees) are the mean of the
    months' own values, or December's year-to-date average.
    """
    if not reported:
        return None
    if basis == Basis.CUMULATIVE and 12 in reported:
        return reported[12]
    months = monthly_values(basis, aggregation, reported)
    if not months:
        return None
    if aggregation == Aggregation.AVERAGE:
        return sum(months.values(), ZERO) / len(months)
    return sum(months.values(), ZERO)


def annual_figures(
    reported: Mapping[str, Mapping[int, Decimal]],
    bases: Mapping[str, tuple[str, str]],
    table: CoefficientTable,
    year: int,
    convention: str,
    agency: Mapping[str, Decimal | None] | None = None,
) -> Figures:
    """An enterprise's annual figures from its reports (indicator code → month → value as
    reported) and the agencies' figures, which win where given. Energy is the year's
    electricity, gas, coal and other energy in tonnes of standard coal under `convention`."""
    figures: Figures = {}
    totals = {
        code: annual_total(*bases[code], months) for code, months in reported.items() if months
    }
    for key, code in FIGURE_SOURCES.items():
        figures[key] = totals.get(code)
    energy = {code: totals[code] for code in ENERGY_CODES if totals.get(code) is not None}
    figures["energy_tce"] = standard_coal_tonnes(energy, table, year, convention)
    figures["emissions_tonnes"] = None
    for key, value in (agency or {}).items():
        if value is not None:
            figures[key] = value
    return figures


def sum_figures(parts: Iterable[Figures]) -> Figures:
    """Figures of enterprises sharing a parcel, added up; a figure none of them has stays
    missing. Average employees add up too: the parcel's workforce."""
    total: Figures = dict.fromkeys(FIGURE_KEYS)
    for part in parts:
        for key in FIGURE_KEYS:
            value = part.get(key)
            if value is not None:
                total[key] = (total[key] or ZERO) + value
    return total


# -- indicators ------------------------------------------------------------------------------


def _ratio(top: Decimal | None, bottom: Decimal | None, scale: Decimal = Decimal(1)):
    if top is None or bottom is None or bottom <= 0:
        return None
    return top / scale / bottom


MEASURES: dict[str, tuple[str, Callable[[Figures, Decimal], Decimal | None]]] = {
    Measure.TAX_PER_MU: ("万元/亩", lambda f, land: _ratio(f.get("taxes_yuan"), land, WAN)),
    Measure.VALUE_ADDED_PER_MU: (
        "万元/亩",
        lambda f, land: _ratio(f.get("value_added_yuan"), land, WAN),
    ),
    Measure.VALUE_ADDED_PER_TCE: (
        "万元/吨标准煤",
        lambda f, land: _ratio(f.get("value_added_yuan"), f.get("energy_tce"), WAN),
    ),
    Measure.VALUE_ADDED_PER_EMISSION: (
        "万元/吨",
        lambda f, land: _ratio(f.get("value_added_yuan"), f.get("emissions_tonnes"), WAN),
    ),
    Measure.LABOUR_PRODUCTIVITY: (
        "万元/人",
        lambda f, land: _ratio(f.get("value_added_yuan"), f.get("employees"), WAN),
    ),
    Measure.RD_INTENSITY: ("比值", lambda f, land: _ratio(f.get("rd_yuan"), f.get("revenue_yuan"))),
    # 元 per kWh equals 万元 per 10,000 kWh, the unit some counties publish.
    Measure.TAX_PER_KWH: (
        "元/千瓦时",
        lambda f, land: _ratio(f.get("taxes_yuan"), f.get("electricity_kwh")),
    ),
    Measure.REVENUE_PER_MU: ("万元/亩", lambda f, land: _ratio(f.get("revenue_yuan"), land, WAN)),
}


def measure_value(measure: str, figures: Figures, land_mu: Decimal) -> Decimal | None:
    """One indicator's value in its unit (MEASURES); None when a figure it needs is missing
    or its denominator is not positive."""
    return MEASURES[measure][1](figures, land_mu)


# -- points and scores -----------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    measure: str
    weight: Decimal
    benchmark: Decimal
    direction: str = Direction.HIGHER_IS_BETTER
    cap_points: Decimal | None = None
    when_missing: str = WhenMissing.ZERO
    unit: str = ""


@dataclass(frozen=True)
class Item:
    """One indicator's contribution to a score."""

    measure: str
    value: Decimal | None
    benchmark: Decimal
    weight: Decimal
    points: Decimal
    cap_points: Decimal | None = None
    capped: bool = False
    imputed: bool = False  # missing figure: points are the evaluated firms' average


def points_for(value: Decimal, rule: Rule) -> tuple[Decimal, bool]:
    """Points for a value and whether the cap cut them. Negative points (a loss, or an
    intensity above twice the benchmark) count as 0: a score never punishes below nothing."""
    ratio = value / rule.benchmark
    raw = rule.weight * (ratio if rule.direction == Direction.HIGHER_IS_BETTER else 2 - ratio)
    raw = max(raw, ZERO)
    if rule.cap_points is not None and raw > rule.cap_points:
        return rule.cap_points, True
    return raw, False


def score_items(values: Mapping[str, Mapping[str, Decimal | None]], rules: Sequence[Rule]):
    """Subject key → its items, for one group scored together. A missing figure gets 0
    points, or the average points of the subjects that have it (WhenMissing.AVERAGE)."""
    items: dict[str, list[Item]] = {key: [] for key in values}
    for rule in rules:
        earned = {}
        for key, own in values.items():
            value = own.get(rule.measure)
            if value is not None:
                earned[key] = points_for(value, rule)
        average = sum((p for p, _c in earned.values()), ZERO) / len(earned) if earned else ZERO
        for key, own in values.items():
            if key in earned:
                points, capped = earned[key]
                imputed = False
            else:
                points = average if rule.when_missing == WhenMissing.AVERAGE else ZERO
                capped, imputed = False, rule.when_missing == WhenMissing.AVERAGE
            items[key].append(
                Item(
                    measure=rule.measure,
                    value=own.get(rule.measure),
                    benchmark=rule.benchmark,
                    weight=rule.weight,
                    points=points,
                    cap_points=rule.cap_points,
                    capped=capped,
                    imputed=imputed,
                )
            )
    return items


def total_score(items: Iterable[Item]) -> Decimal:
    return sum((item.points for item in items), ZERO)


# -- grades ----------------------------------------------------------------------------------


def _ordered(scores: Mapping[str, Decimal]) -> list[str]:
    """Best first; equal scores in key order so the same data always ranks the same way."""
    return sorted(scores, key=lambda key: (-scores[key], key))


def ranks(scores: Mapping[str, Decimal]) -> dict[str, int]:
    """Competition ranking: equal scores share a rank and the next rank is skipped."""
    result: dict[str, int] = {}
    previous = None
    for position, key in enumerate(_ordered(scores), start=1):
        if previous is not None and scores[key] == scores[previous]:
            result[key] = result[previous]
        else:
            result[key] = position
        previous = key
    return result


def grade_by_shares(
    scores: Mapping[str, Decimal], shares: tuple[Decimal, Decimal, Decimal, Decimal]
) -> dict[str, str]:
    """A/B/C/D by shares of the subjects (percent, best first). The cumulative cut-offs are
    rounded half up (6 subjects at 25/45/25/5 %: 1.5 → 2 A, 4.2 → 4 A+B, 5.7 → 6 A–C, so no
    D). Subjects tied with the one before them take its grade: a tie at a cut-off goes to
    the better class, which may then hold more than its share."""
    if sum(shares) != HUNDRED:
        raise ValueError(f"grade shares add up to {sum(shares)}, not 100")
    n = len(scores)
    cuts, running = [], ZERO
    for share in shares[:3]:
        running += share
        cuts.append(int((n * running / HUNDRED).to_integral_value(ROUND_HALF_UP)))
    grades: dict[str, str] = {}
    previous = None
    for position, key in enumerate(_ordered(scores)):
        if previous is not None and scores[key] == scores[previous]:
            grades[key] = grades[previous]
        else:
            grades[key] = next(
                (
                    g
                    for g, cut in zip((Grade.A, Grade.B, Grade.C), cuts, strict=True)
                    if position < cut
                ),
                Grade.D,
            )
        previous = key
    return grades


def grade_by_thresholds(
    scores: Mapping[str, Decimal], thresholds: tuple[Decimal, Decimal, Decimal]
) -> dict[str, str]:
    """A at or above the first threshold, B the second, C the third, D below."""
    a, b, c = thresholds
    if not a >= b >= c:
        raise ValueError("thresholds must fall from A to C")

    def grade(score: Decimal) -> str:
        if score >= a:
            return Grade.A
        if score >= b:
            return Grade.B
        return Grade.C if score >= c else Grade.D

    return {key: grade(score) for key, score in scores.items()}


# -- the whole evaluation --------------------------------------------------------------------


@dataclass(frozen=True)
class FirmFacts:
    enterprise_id: int
    name: str
    above_scale: bool
    land_mu: Decimal
    founded_on: date
    figures: Figures
    parcel_id: int | None = None


@dataclass(frozen=True)
class ParcelFacts:
    id: int
    code: str
    area_mu: Decimal


@dataclass(frozen=True)
class SchemeRules:
    rules: tuple[Rule, ...]
    min_land_mu: Decimal = ZERO
    startup_years: int = 2
    grading: str = GradingMethod.QUANTILE
    shares: tuple[Decimal, Decimal, Decimal, Decimal] = (
        Decimal(25),
        Decimal(45),
        Decimal(25),
        Decimal(5),
    )
    thresholds: tuple[Decimal, Decimal, Decimal] | None = None


@dataclass
class Outcome:
    key: str
    group: str
    name: str
    enterprise_ids: tuple[int, ...]
    land_mu: Decimal
    figures: Figures
    parcel_id: int | None = None
    ungraded_reason: str = ""
    items: list[Item] = field(default_factory=list)
    score: Decimal | None = None
    rank: int | None = None
    grade: str = Grade.UNGRADED


UNGRADED_STARTUP = "start-up"
UNGRADED_NOT_PRODUCING = "not producing"
UNGRADED_NO_LAND = "no land"


def subjects(
    firms: Sequence[FirmFacts],
    parcels: Mapping[int, ParcelFacts],
    schemes: Mapping[str, SchemeRules],
) -> list[Outcome]:
    """Who is evaluated, as subjects: an enterprise alone, or the enterprises of a parcel
    merged (above designated size if any of them is; the parcel's area; figures added).
    A group without a scheme is not evaluated; below-size subjects need the scheme's land."""
    by_parcel: dict[int, list[FirmFacts]] = {}
    alone: list[FirmFacts] = []
    for firm in firms:
        if firm.parcel_id is not None and firm.parcel_id in parcels:
            by_parcel.setdefault(firm.parcel_id, []).append(firm)
        else:
            alone.append(firm)
    candidates = [(f"firm-{f.enterprise_id}", [f], f.land_mu, None, f.name) for f in alone] + [
        (
            f"parcel-{pid}",
            members,
            parcels[pid].area_mu,
            pid,
            "、".join(m.name for m in sorted(members, key=lambda m: m.enterprise_id)),
        )
        for pid, members in sorted(by_parcel.items())
    ]
    result = []
    for key, members, land, parcel_id, name in candidates:
        group = (
            SubjectGroup.ABOVE_SCALE
            if any(m.above_scale for m in members)
            else SubjectGroup.BELOW_SCALE
        )
        scheme = schemes.get(group)
        if scheme is None or land < scheme.min_land_mu:
            continue
        result.append(
            Outcome(
                key=key,
                group=group,
                name=name,
                enterprise_ids=tuple(sorted(m.enterprise_id for m in members)),
                land_mu=land,
                figures=sum_figures(m.figures for m in members),
                parcel_id=parcel_id,
            )
        )
    return result


def ungraded_reason(outcome: Outcome, founded: Sequence[date], year: int, startup_years: int):
    """Why a subject is put in 不定等级, or "": founded within `startup_years` of the year's
    end (the oldest member counts), nothing produced or paid, or no land."""
    if min(founded).year > year - startup_years:
        return UNGRADED_STARTUP
    figures = outcome.figures
    if not any(
        (figures.get(k) or ZERO) > 0 for k in ("taxes_yuan", "value_added_yuan", "revenue_yuan")
    ):
        return UNGRADED_NOT_PRODUCING
    if outcome.land_mu <= 0:
        return UNGRADED_NO_LAND
    return ""


def evaluate(
    firms: Sequence[FirmFacts],
    parcels: Mapping[int, ParcelFacts],
    schemes: Mapping[str, SchemeRules],
    year: int,
) -> list[Outcome]:
    """Every subject with its items, score, rank and grade, per group."""
    outcomes = subjects(firms, parcels, schemes)
    founded = {f.enterprise_id: f.founded_on for f in firms}
    for outcome in outcomes:
        outcome.ungraded_reason = ungraded_reason(
            outcome,
            [founded[e] for e in outcome.enterprise_ids],
            year,
            schemes[outcome.group].startup_years,
        )
    for group, scheme in schemes.items():
        graded = [o for o in outcomes if o.group == group and not o.ungraded_reason]
        values = {
            o.key: {r.measure: measure_value(r.measure, o.figures, o.land_mu) for r in scheme.rules}
            for o in graded
        }
        items = score_items(values, scheme.rules)
        scores = {key: total_score(own) for key, own in items.items()}
        if scheme.grading == GradingMethod.THRESHOLD:
            if scheme.thresholds is None:
                raise ValueError(f"the {group} scheme grades by thresholds but has none")
            grades = grade_by_thresholds(scores, scheme.thresholds)
        else:
            grades = grade_by_shares(scores, scheme.shares)
        ranking = ranks(scores)
        for o in graded:
            o.items, o.score, o.rank, o.grade = (
                items[o.key],
                scores[o.key],
                ranking[o.key],
                grades[o.key],
            )
    return outcomes


# -- distribution ----------------------------------------------------------------------------


def quartiles(values: Sequence[Decimal]) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
    """Minimum, lower quartile, median, upper quartile, maximum (linear interpolation between
    the closest ranks, as ECharts' box plot and spreadsheets' QUARTILE.INC do)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)

    def at(fraction: Decimal) -> Decimal:
        position = fraction * (len(ordered) - 1)
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return ordered[0], at(Decimal("0.25")), at(Decimal("0.5")), at(Decimal("0.75")), ordered[-1]


def bin_width(largest: Decimal, bins: int = 12) -> Decimal:
    """A round bin width (1, 2 or 5 times a power of ten) giving about `bins` bins up to
    `largest`: scores run to 100 under one scheme and past 300 under another."""
    if largest <= 0:
        return Decimal(1)
    raw = largest / bins
    power = Decimal(10) ** (raw.adjusted())
    for step in (1, 2, 5, 10):
        if power * step >= raw:
            return power * step
    return power * 10


def histogram(values: Sequence[Decimal], width: Decimal) -> list[tuple[Decimal, int]]:
    """Counts of values in bins [k·width, (k+1)·width) from 0 to the largest value."""
    if width <= 0:
        raise ValueError("bin width must be positive")
    if not values:
        return []
    top = int(max(values) // width)
    counts = [0] * (top + 1)
    for value in values:
        counts[max(0, int(value // width))] += 1
    return [(width * k, n) for k, n in enumerate(counts)]


# -- differentiated prices -------------------------------------------------------------------

USAGE_SOURCES = {
    Resource.ELECTRICITY: "electricity_kwh",
    Resource.WATER: "water_m3",
    Resource.NATURAL_GAS: "natural_gas_m3",
}


def usage_of(figures: Figures, land_mu: Decimal) -> dict[str, Decimal | None]:
    """How much of each priced resource an enterprise used in the year (its own unit)."""
    usage = {resource: figures.get(key) for resource, key in USAGE_SOURCES.items()}
    usage[Resource.LAND] = land_mu
    return usage


def charges(
    usage: Mapping[str, Decimal | None], grade: str, rates: Mapping[tuple[str, str], Decimal]
) -> dict[str, Decimal]:
    """Yuan to pay (positive) or receive (negative) per resource under the rates
    ((grade, resource) → yuan per unit); a resource without a rate or usage costs nothing."""
    result = {}
    for resource, amount in usage.items():
        rate = rates.get((grade, resource))
        if rate is not None and amount is not None:
            result[resource] = amount * rate
    return result
