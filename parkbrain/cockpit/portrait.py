"""An enterprise's portrait (企业画像): its yearly figures beside the median of its zone
industry, its per-mu evaluations and its early warnings, in one read."""

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from parkbrain.core.i18n import local_name
from parkbrain.evaluation.choices import RunStatus
from parkbrain.evaluation.models import ResultMember
from parkbrain.monitoring.compute import REPORT_IN
from parkbrain.monitoring.counting import Counting, HeldReport
from parkbrain.monitoring.models import Alert
from parkbrain.registry.models import AboveScaleYear, Enterprise
from parkbrain.reporting.compute import CoefficientTable, standard_coal_tonnes
from parkbrain.reporting.models import Indicator, ReportValue
from parkbrain.reporting.periods import last_complete_month

# Yearly figures on the portrait: year-to-date sums read at the year's last reported month.
PORTRAIT_CODES = ("output_value", "value_added", "revenue", "taxes", "rd_expenditure")
ENERGY_CODES = ("electricity", "natural_gas", "coal", "other_energy")
YEARS_SHOWN = 6
WAN = Decimal(10_000)


@dataclass
class Series:
    """One indicator year by year: the enterprise's figure and its industry peers' median."""

    code: str
    label: str
    unit: str
    years: list[int]
    own: list[Decimal | None]
    median: list[Decimal | None]
    peers: list[int]  # how many enterprises each median is over


@dataclass
class Portrait:
    enterprise: Enterprise
    latest_month: tuple[int, int] | None
    series: list[Series] = field(default_factory=list)
    above_scale_years: list[int] = field(default_factory=list)
    evaluations: list[ResultMember] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    held_out: list[HeldReport] = field(default_factory=list)  # this firm's, left out
    peers_held_out: int = 0  # other firms' reports left out of the medians
    year_labels: list[str] = field(default_factory=list)  # the charts' years, a partial one named


def year_label(year: int, last_month: int) -> str:
    """A year beside whole years: one not over names the months it holds, 2026年(1—10月)."""
    if last_month == 12:
        return _("%(year)d") % {"year": year}
    if last_month == 1:
        return _("%(year)d (January)") % {"year": year}
    return _("%(year)d (January–%(month)d)") % {"year": year, "month": last_month}


def median(values: Iterable[Decimal]) -> Decimal | None:
    """The median, or None for no values (an even count averages the middle two)."""
    values = sorted(values)
    return statistics.median(values) if values else None


def yearly_values(
    rows: Iterable[tuple[int, int, int, str, Decimal]], last_month: Mapping[int, int]
) -> dict[tuple[int, int], dict[str, Decimal]]:
    """(enterprise, year) → code → the year-to-date figure at the year's `last_month` (12 for
    a past year, the latest month over for the current one)."""
    result: dict[tuple[int, int], dict[str, Decimal]] = defaultdict(dict)
    for enterprise_id, year, month, code, value in rows:
        if month == last_month.get(year):
            result[(enterprise_id, year)][code] = value
    return result


def energy_intensity(
    figures: Mapping[str, Decimal], table: CoefficientTable, year: int
) -> Decimal | None:
    """Comprehensive energy per 10,000 yuan of output (tce/万元), the equivalent convention."""
    energy = {code: figures[code] for code in ENERGY_CODES if code in figures}
    output = figures.get("output_value")
    if not energy or not output:
        return None
    try:
        tce = standard_coal_tonnes(energy, table, year)
    except LookupError:
        return None
    return tce / (output / WAN) if tce is not None else None


def build(firm: Enterprise, as_of: date, staff: bool) -> Portrait:
    """The portrait of `firm` as at `as_of`; `staff` also shows draft evaluations."""
    latest = last_complete_month(as_of)
    years = list(range(latest[0] - YEARS_SHOWN + 1, latest[0] + 1))
    last_month = {year: 12 for year in years} | {latest[0]: latest[1]}
    peers: QuerySet[Enterprise] = Enterprise.objects.filter(zone=firm.zone)
    peers = (
        peers.filter(industry=firm.industry)
        if firm.industry_id
        else peers.filter(industry__isnull=True)
    )
    codes = (*PORTRAIT_CODES, *ENERGY_CODES)
    values = ReportValue.objects.filter(
        report__enterprise__in=peers,
        report__year__in=years,
        report__month__in=set(last_month.values()),
        report__status__in=REPORT_IN,
        indicator__code__in=codes,
    ).values_list(
        "report_id",
        "report__enterprise_id",
        "report__year",
        "report__month",
        "report__status",
        "indicator__code",
        "value",
    )
    counting = Counting.for_zone(firm.zone_id)
    rows = []
    for report_id, enterprise_id, year, month, status, code, value in values:
        if counting.held(report_id, enterprise_id, year, month, status) is None:
            rows.append((enterprise_id, year, month, code, value))
    held = [h for h in counting.held_so_far() if last_month.get(h.year) == h.month]
    by_firm_year = yearly_values(rows, last_month)
    table = CoefficientTable.load()
    for (_enterprise_id, year), figures in by_firm_year.items():
        intensity = energy_intensity(figures, table, year)
        if intensity is not None:
            figures["energy_intensity"] = intensity
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=PORTRAIT_CODES)}
    portrait = Portrait(
        enterprise=firm,
        latest_month=latest,
        held_out=sorted(
            (h for h in held if h.enterprise_id == firm.pk), key=lambda h: (h.year, h.month)
        ),
        peers_held_out=sum(1 for h in held if h.enterprise_id != firm.pk),
        year_labels=[year_label(year, last_month[year]) for year in years],
    )
    labelled = [
        (code, local_name(indicators[code]), indicators[code].unit) for code in PORTRAIT_CODES
    ]
    labelled.append(
        ("energy_intensity", _("Energy per 10,000 yuan of output"), _("tce per 10,000 yuan"))
    )
    for code, label, unit in labelled:
        own, middle, counts = [], [], []
        for year in years:
            own.append(by_firm_year.get((firm.pk, year), {}).get(code))
            values = [f[code] for (_e, y), f in by_firm_year.items() if y == year and code in f]
            middle.append(median(values))
            counts.append(len(values))
        portrait.series.append(Series(code, label, unit, years, own, middle, counts))
    portrait.above_scale_years = list(
        AboveScaleYear.objects.filter(enterprise=firm)
        .order_by("year")
        .values_list("year", flat=True)
    )
    members = ResultMember.objects.filter(enterprise=firm).select_related("run", "result")
    if not staff:
        members = members.exclude(run__status=RunStatus.DRAFT)
    portrait.evaluations = list(members.order_by("-run__year"))
    portrait.alerts = list(
        Alert.objects.filter(enterprise=firm).select_related("rule").order_by("-last_month")[:20]
    )
    return portrait
