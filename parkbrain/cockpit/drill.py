"""The enterprises behind one of the cockpit's figures: the same indicator, period, filters
and counting rule as the figure, so the list adds up to it.

A chart's slice, park or month narrows the cockpit's filters (`DrillBy`); the list is read
with `compute.load_firm_rows` as `figures.build` reads it, and totalled with `compute.total`.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from parkbrain.core.i18n import local_name
from parkbrain.monitoring.counting import Counting, HeldReport, reason_counts
from parkbrain.registry.models import Zone
from parkbrain.reporting.compute import ENERGY_INDICATORS, CoefficientTable
from parkbrain.reporting.models import Indicator

from . import compute
from .choices import DrillBy, PeriodKind
from .compute import Figure, Period
from .figures import Filters, filter_condition, firm_meta, ordered_held

DRILL_CODES = (*compute.HEADLINE_CODES, compute.ENERGY_CODE)
GROUPS = (DrillBy.INDUSTRY, DrillBy.PARK, DrillBy.AREA, DrillBy.OWNERSHIP)


@dataclass
class FirmLine:
    enterprise_id: int
    name: str
    value: Decimal
    last: Decimal | None  # the same period a year earlier, None when not reported

    @property
    def growth(self) -> Decimal | None:
        return self.value / self.last - 1 if self.last else None


@dataclass
class FirmList:
    period: Period  # the figure's period: the cockpit's, or the month clicked on the trend
    figure: Figure  # the total of the lines, with its comparable growth and reports held out
    group: str  # the slice, park or centre clicked; "" for the whole of the filters
    lines: list[FirmLine]
    held: list[HeldReport]

    @property
    def last_total(self) -> Decimal | None:
        known = [line.last for line in self.lines if line.last is not None]
        return sum(known, Decimal(0)) if known else None


def drill_period(period: Period, by: str, key: str) -> Period:
    """The period behind a click: a month of the trend is that month alone (bars) or the year
    to it (the growth line); other clicks keep the cockpit's period."""
    if by not in (DrillBy.MONTH, DrillBy.TO_MONTH):
        return period
    if not key.isdigit() or not 1 <= int(key) <= period.month:
        raise ValueError(f"month {key!r} is not on the trend")
    kind = PeriodKind.MONTH if by == DrillBy.MONTH else PeriodKind.YTD
    return Period(kind, period.year, int(key))


def group_key(key: object) -> str:
    """A group's key as the query string carries it; "" for firms outside every group."""
    return "" if key is None else str(key)


def firms_behind(
    zone: Zone, filters: Filters, code: str, by: str, key: str, as_of: date
) -> FirmList:
    """The enterprises counted in the figure `code` for the filters, narrowed by the click
    (`by`, `key`), largest first."""
    if code not in DRILL_CODES:
        raise ValueError(f"{code!r} is not a cockpit figure")
    if by and by not in DrillBy.values:
        raise ValueError(f"{by!r} is not a breakdown")
    period = drill_period(filters.period, by, key)
    months = {period.month}
    if period.kind == PeriodKind.MONTH and period.month > 1:
        months.add(period.month - 1)
    read = ENERGY_INDICATORS if code == compute.ENERGY_CODE else (code,)
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=(*read, code))}
    ids = {c: indicator.pk for c, indicator in indicators.items()}
    reported = Q(report__enterprise__zone=zone) & filter_condition(filters, "report__enterprise__")
    counting = Counting.for_zone(zone, filters.basis)
    loaded = compute.load_firm_rows(reported, period, read, months, ids, counting)
    if code == compute.ENERGY_CODE:
        values = compute.energy_values(
            loaded.rows, period, CoefficientTable.load(), filters.convention
        )
    else:
        values = compute.period_values(loaded.rows, period, code)
    held = list(loaded.held_for(read).values())
    meta = firm_meta(set(values) | {h.enterprise_id for h in held})
    group = ""
    if by in GROUPS:
        values = {e: v for e, v in values.items() if group_key(meta[e][by][0]) == key}
        held = [h for h in held if group_key(meta[h.enterprise_id][by][0]) == key]
        named = [meta[e][by][1] for e in (*values, *(h.enterprise_id for h in held))]
        group = named[0] if named else _("no enterprise")
    indicator = indicators[code]
    figure = compute.total(
        code, local_name(indicator), indicator.unit, values, period, as_of, reason_counts(held)
    )
    lines = sorted(
        (
            FirmLine(e, meta[e]["name"], this, last)
            for e, (this, last) in values.items()
            if this is not None
        ),
        key=lambda line: (-line.value, line.name),
    )
    return FirmList(period, figure, group, lines, ordered_held({h.report_id: h for h in held}))
