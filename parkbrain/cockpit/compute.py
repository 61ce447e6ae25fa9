"""The zone's figures for a period, computed from enterprises' monthly reports.

Reports hold year-to-date figures (累计值). A period is one month, the year to date or a whole
year; growth is the Chinese 累计增速 on a comparable basis: this period's total of the firms
that reported both years over the same firms' total a year earlier. Every figure carries its
provenance: formula, numerator and denominator, the rows counted and the as-of date.

`load_firm_rows` is the only database read of the reported figures; everything after it is a
pure function over `FirmRows`, tested against hand-computed values.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from parkbrain.monitoring.compute import REPORT_IN
from parkbrain.monitoring.counting import Counting, HeldReport, with_held_out
from parkbrain.reporting.compute import ENERGY_INDICATORS, CoefficientTable, standard_coal_tonnes
from parkbrain.reporting.models import ReportValue
from parkbrain.reporting.periods import last_complete_month

from .choices import PeriodKind

# The figures of the cockpit's headline, in display order; all year-to-date sums.
HEADLINE_CODES = (
    "output_value",
    "value_added",
    "revenue",
    "taxes",
    "investment",
    "foreign_investment",
)
TREND_CODE = "output_value"
ENERGY_CODE = "energy_tce"
READ_CODES = (*HEADLINE_CODES, *ENERGY_INDICATORS)


@dataclass(frozen=True)
class Period:
    """A reporting period: `kind` month (当月), ytd (1–month, 累计) or year (全年)."""

    kind: str
    year: int
    month: int

    def __post_init__(self) -> None:
        if self.kind == PeriodKind.YEAR and self.month != 12:
            raise ValueError("a year period ends in December")
        if not 1 <= self.month <= 12:
            raise ValueError("month out of range")

    @classmethod
    def latest(cls, as_of: date, kind: str = PeriodKind.YTD) -> "Period":
        """The last month that is over on `as_of` (reports come after the month ends)."""
        year, month = last_complete_month(as_of)
        if kind == PeriodKind.YEAR:
            return cls(kind, year if month == 12 else year - 1, 12)
        return cls(kind, year, month)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return _("%(year)d") % {"year": self.year}
        if self.kind == PeriodKind.MONTH or self.month == 1:
            return _("%(year)d-%(month)02d") % {"year": self.year, "month": self.month}
        return _("%(year)d, January–%(month)d") % {"year": self.year, "month": self.month}


@dataclass
class Provenance:
    """How a figure was computed, for the page to show on hover or click."""

    formula: str
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    rows: int = 0  # report values counted
    firms: int = 0  # enterprises whose figures are in the value
    compared_firms: int = 0  # enterprises in the growth rate (figures in both years)
    as_of: date | None = None
    source: str = ""
    held_out: dict[str, int] = field(default_factory=dict)  # reason → reports left out

    @property
    def held_out_total(self) -> int:
        return sum(self.held_out.values())


@dataclass
class Figure:
    key: str
    label: str
    unit: str
    value: Decimal | None
    growth: Decimal | None = None  # a fraction: 0.082 is +8.2 %
    provenance: Provenance = field(default_factory=lambda: Provenance(""))


Pair = tuple[Decimal | None, Decimal | None]  # (this year, last year); None: not reported
# indicator code → month → enterprise id → the reported year-to-date figures of both years
FirmRows = dict[str, dict[int, dict[int, Pair]]]
# indicator code → report id → a report holding a figure of the code that was left out
Held = dict[str, dict[int, HeldReport]]


@dataclass
class Loaded:
    rows: FirmRows
    held: Held
    read: int  # report values read, counted or not

    def held_for(self, codes: Iterable[str]) -> dict[int, HeldReport]:
        """The reports left out that hold any of these figures."""
        result: dict[int, HeldReport] = {}
        for code in codes:
            result.update(self.held.get(code, {}))
        return result


def load_firm_rows(
    enterprises: Q,
    period: Period,
    codes: Iterable[str],
    months: Iterable[int],
    indicator_ids: Mapping[str, int],
    counting: Counting,
    last_year: bool = True,
) -> Loaded:
    """Read the reported figures of `codes` in `months` of the period's year and (unless
    `last_year` is false) the year before, for the enterprises `enterprises` selects (a
    condition on the report's enterprise, written from ReportValue). Only reports `counting`
    counts become rows; the submitted or accepted ones it holds out are kept apart, by code.
    `indicator_ids` maps codes to ids (read once by the caller)."""
    rows: FirmRows = defaultdict(lambda: defaultdict(dict))
    held: Held = defaultdict(dict)
    read = 0
    code_of = {indicator_ids[code]: code for code in codes}
    values = ReportValue.objects.filter(
        enterprises,
        report__year__in=(period.year, period.year - 1) if last_year else (period.year,),
        report__month__in=list(months),
        report__status__in=REPORT_IN,
        indicator_id__in=list(code_of),
    ).values_list(
        "report_id",
        "report__enterprise_id",
        "report__year",
        "report__month",
        "report__status",
        "indicator_id",
        "value",
    )
    for report_id, enterprise_id, year, month, status, indicator_id, value in values:
        read += 1
        held_out = counting.held(report_id, enterprise_id, year, month, status)
        if held_out is not None:
            held[code_of[indicator_id]][report_id] = held_out
            continue
        firms = rows[code_of[indicator_id]][month]
        this, last = firms.get(enterprise_id, (None, None))
        firms[enterprise_id] = (value, last) if year == period.year else (this, value)
    return Loaded(rows, held, read)


def period_values(rows: FirmRows, period: Period, code: str) -> dict[int, Pair]:
    """Each enterprise's (this year, last year) value of a year-to-date indicator in the period:
    the figure at the period's month, or for a single month its difference from the month
    before (January is its own month)."""
    months = rows.get(code, {})
    at_month = months.get(period.month, {})
    if period.kind != PeriodKind.MONTH or period.month == 1:
        return dict(at_month)
    before = months.get(period.month - 1, {})
    result: dict[int, Pair] = {}
    for enterprise_id, (this, last) in at_month.items():
        this_before, last_before = before.get(enterprise_id, (None, None))
        result[enterprise_id] = (
            None if this is None or this_before is None else this - this_before,
            None if last is None or last_before is None else last - last_before,
        )
    return result


def energy_values(
    rows: FirmRows, period: Period, table: CoefficientTable, convention: str
) -> dict[int, Pair]:
    """Each enterprise's comprehensive energy in tce (this year, last year), converted from the
    energy figures it reported with the GB/T 2589 coefficients of each year."""
    by_code = {code: period_values(rows, period, code) for code in ENERGY_INDICATORS}
    firms = set().union(*(values.keys() for values in by_code.values()))
    result = {}
    for enterprise_id in firms:
        pair = []
        for index, year in enumerate((period.year, period.year - 1)):
            energy = {
                code: values[enterprise_id][index]
                for code, values in by_code.items()
                if enterprise_id in values and values[enterprise_id][index] is not None
            }
            try:
                pair.append(standard_coal_tonnes(energy, table, year, convention))
            except LookupError:
                pair.append(None)  # no coefficient for that year: unknown, not zero
        result[enterprise_id] = (pair[0], pair[1])
    return result


def total(
    key: str,
    label: str,
    unit: str,
    values: Mapping[int, Pair],
    period: Period,
    as_of: date,
    held_out: Mapping[str, int] | None = None,
) -> Figure:
    """The sum over enterprises, with the comparable growth rate; `held_out` counts the
    reports left out of it by reason."""
    reported = [this for this, _last in values.values() if this is not None]
    both = [(this, last) for this, last in values.values() if this is not None and last is not None]
    value = sum(reported, Decimal(0)) if reported else None
    this_both = sum((this for this, _last in both), Decimal(0))
    last_both = sum((last for _this, last in both), Decimal(0))
    growth = this_both / last_both - 1 if last_both > 0 else None
    formula = _(
        "Sum of %(n)d enterprises' %(label)s for %(period)s; growth compares the %(m)d that "
        "reported both years: %(this)s ÷ %(last)s − 1."
    ) % {
        "n": len(reported),
        "label": label,
        "period": period.label,
        "m": len(both),
        "this": _plain(this_both),
        "last": _plain(last_both),
    }
    formula = with_held_out(formula, dict(held_out or {}))
    return Figure(
        key=key,
        label=label,
        unit=unit,
        value=value,
        growth=growth,
        provenance=Provenance(
            formula=formula,
            numerator=this_both if both else None,
            denominator=last_both if both else None,
            rows=len(reported),
            firms=len(reported),
            compared_firms=len(both),
            as_of=as_of,
            held_out=dict(held_out or {}),
        ),
    )


def share(
    key: str,
    label: str,
    unit: str,
    part: Decimal | None,
    whole: Decimal | None,
    formula: str,
    as_of: date,
    source: str = "",
    firms: int = 0,
    held_out: Mapping[str, int] | None = None,
) -> Figure:
    """A part of a whole (zone ÷ city); the value is a fraction; `held_out` as for total."""
    value = part / whole if part is not None and whole else None
    return Figure(
        key=key,
        label=label,
        unit=unit,
        value=value,
        provenance=Provenance(
            formula=with_held_out(formula, dict(held_out or {})),
            numerator=part,
            denominator=whole,
            firms=firms,
            rows=firms,
            as_of=as_of,
            source=source,
            held_out=dict(held_out or {}),
        ),
    )


@dataclass
class Group:
    """One slice of a breakdown (an industry, a park, an ownership type)."""

    key: object
    label: str
    value: Decimal = Decimal(0)
    last_compared: Decimal = Decimal(0)
    this_compared: Decimal = Decimal(0)
    firms: int = 0

    @property
    def growth(self) -> Decimal | None:
        return self.this_compared / self.last_compared - 1 if self.last_compared > 0 else None


def breakdown(
    values: Mapping[int, Pair],
    group_of: Callable[[int], tuple[object, str]],
) -> list[Group]:
    """Sums per group (largest first), each with its comparable growth."""
    groups: dict[object, Group] = {}
    for enterprise_id, (this, last) in values.items():
        if this is None:
            continue
        key, label = group_of(enterprise_id)
        group = groups.setdefault(key, Group(key, label))
        group.value += this
        group.firms += 1
        if last is not None:
            group.this_compared += this
            group.last_compared += last
    return sorted(groups.values(), key=lambda g: (-g.value, g.label))


def ranking(values: Mapping[int, Pair], limit: int) -> list[tuple[int, Decimal, Decimal | None]]:
    """The enterprises with the largest values: (id, value, growth), ties by id."""
    ranked = sorted(
        ((e, this, last) for e, (this, last) in values.items() if this is not None),
        key=lambda item: (-item[1], item[0]),
    )[:limit]
    return [(e, this, this / last - 1 if last else None) for e, this, last in ranked]


@dataclass
class TrendPoint:
    month: int
    this_month: Decimal | None  # the zone's own value of the month
    last_month: Decimal | None  # the same month last year, same enterprises
    this_to_date: Decimal | None
    growth_to_date: Decimal | None  # 累计增速
    firms: int


def trend(rows: FirmRows, code: str, last_month: int) -> list[TrendPoint]:
    """Month by month to `last_month`: the zone's monthly value (the difference of its firms'
    year-to-date figures), the same month a year before, and the year-to-date growth."""
    points = []
    months = rows.get(code, {})
    for month in range(1, last_month + 1):
        this_total, last_total = Decimal(0), Decimal(0)
        this_both, last_both = Decimal(0), Decimal(0)
        to_date, firms, any_this, any_last = Decimal(0), 0, False, False
        before = months.get(month - 1, {})
        for enterprise_id, (this, last) in months.get(month, {}).items():
            if this is not None:
                to_date += this
                firms += 1
                if last is not None:
                    this_both += this
                    last_both += last
            this_before, last_before = (
                before.get(enterprise_id, (None, None)) if month > 1 else (Decimal(0), Decimal(0))
            )
            # Month values need the same firm's month before; last year's only where this
            # year's exists too, so both bars count the same firms.
            if this is not None and this_before is not None:
                this_total += this - this_before
                any_this = True
                if last is not None and last_before is not None:
                    last_total += last - last_before
                    any_last = True
        points.append(
            TrendPoint(
                month=month,
                this_month=this_total if any_this else None,
                last_month=last_total if any_last else None,
                this_to_date=to_date if firms else None,
                growth_to_date=this_both / last_both - 1 if last_both > 0 else None,
                firms=firms,
            )
        )
    return points


def _plain(value: Decimal) -> str:
    return f"{value:,.2f}"
