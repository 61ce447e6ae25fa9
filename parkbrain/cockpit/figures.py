"""Everything the cockpit shows for one set of filters, read once and shared by the analyst's
dashboard, the wall display and the exports."""

import calendar
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from parkbrain.core.i18n import local_name
from parkbrain.monitoring.choices import DataBasis, HoldReason
from parkbrain.monitoring.compute import open_warning_counts
from parkbrain.monitoring.counting import (
    Counting,
    HeldReport,
    reason_counts,
    with_held_out,
)
from parkbrain.registry import compute as registry_compute
from parkbrain.registry.choices import IN_BUSINESS, AreaKind, Ownership
from parkbrain.registry.models import (
    MU_PER_KM2,
    AboveScaleYear,
    Enterprise,
    Industry,
    Park,
    RegionYear,
    Zone,
)
from parkbrain.reporting.choices import EnergyConvention, ReportStatus
from parkbrain.reporting.compute import ENERGY_INDICATORS, CoefficientTable
from parkbrain.reporting.models import Indicator, MonthlyReport, ReportWarning
from parkbrain.reporting.periods import month_before

from . import compute
from .choices import PeriodKind
from .compute import Figure, Group, Period, Provenance, TrendPoint

TOP_FIRMS = 10
MAP_CODES = ("output_value", "taxes", "investment")
# The cockpit opens on the latest month once its counted reports cover this share of the
# year's above-size firms; before that, on the month before, saying the latest is in review.
OPENING_COVERAGE = Decimal("0.5")


@dataclass(frozen=True)
class Filters:
    period: Period
    park: Park | None = None
    industry: Industry | None = None
    convention: str = EnergyConvention.EQUIVALENT
    basis: str = DataBasis.REVIEWED


@dataclass
class Ranked:
    enterprise_id: int
    name: str
    value: Decimal
    growth: Decimal | None


@dataclass
class Dashboard:
    zone: Zone
    filters: Filters
    as_of: date
    counts: list[Figure] = field(default_factory=list)
    headline: list[Figure] = field(default_factory=list)
    shares: list[Figure] = field(default_factory=list)
    by_industry: list[Group] = field(default_factory=list)
    by_park: list[Group] = field(default_factory=list)  # parks with their centres' figures
    by_area: list[Group] = field(default_factory=list)  # each park and centre on its own
    by_ownership: list[Group] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    # indicator code → park id → its group, parks with their centres / each area on its own
    park_groups: dict[str, dict[object, Group]] = field(default_factory=dict)
    area_groups: dict[str, dict[object, Group]] = field(default_factory=dict)
    top: list[Ranked] = field(default_factory=list)
    warnings: Figure | None = None
    alerts: Figure | None = None
    values_read: int = 0
    # Reports of the period left out of the figures (this year and the year compared), and
    # those left out of each figure by its key.
    held_out: list[HeldReport] = field(default_factory=list)
    held_out_by_figure: dict[str, list[HeldReport]] = field(default_factory=dict)

    def figure(self, key: str) -> Figure | None:
        for figure in (*self.counts, *self.headline, *self.shares, self.warnings, self.alerts):
            if figure is None:
                continue
            if figure.key == key:
                return figure
        return None


@dataclass(frozen=True)
class Coverage:
    period: Period
    counted: int  # reports the basis counts
    expected: int  # the year's above-size firms

    @property
    def month_label(self) -> str:
        return Period(PeriodKind.MONTH, self.period.year, self.period.month).label

    @property
    def enough(self) -> bool:
        return self.expected > 0 and self.counted >= OPENING_COVERAGE * self.expected


def coverage(zone: Zone, period: Period, basis: str) -> Coverage:
    statuses = (
        (ReportStatus.ACCEPTED,)
        if basis == DataBasis.REVIEWED
        else (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
    )
    counted = MonthlyReport.objects.filter(
        enterprise__zone=zone, year=period.year, month=period.month, status__in=statuses
    ).count()
    expected = AboveScaleYear.objects.filter(enterprise__zone=zone, year=period.year).count()
    return Coverage(period, counted, expected)


def opening_period(
    zone: Zone, as_of: date, basis: str, kind: str = PeriodKind.YTD
) -> tuple[Period, Coverage | None]:
    """The period the cockpit opens on: the latest month over, or while fewer than half of
    the firms' reports for it count, the month before; then also the latest month's coverage,
    for the page to say it is in review."""
    latest = Period.latest(as_of, kind)
    if kind == PeriodKind.YEAR:
        return latest, None
    now = coverage(zone, latest, basis)
    if now.enough:
        return latest, None
    before = Period(kind, *month_before(latest.year, latest.month))
    if not coverage(zone, before, basis).enough:
        return latest, None
    return before, now


def scoped(enterprises: QuerySet[Enterprise], filters: Filters) -> QuerySet[Enterprise]:
    """The enterprises the filters select; a park includes the centres inside it."""
    return enterprises.filter(filter_condition(filters))


def filter_condition(filters: Filters, path: str = "") -> Q:
    """The filters as a condition on an enterprise reached through `path` (e.g. "report__")."""
    condition = Q()
    if filters.park is not None:
        condition &= Q(**{f"{path}park": filters.park}) | Q(
            **{f"{path}park__located_in": filters.park}
        )
    if filters.industry is not None:
        condition &= Q(**{f"{path}industry": filters.industry})
    return condition


def build(
    zone: Zone, enterprises: QuerySet[Enterprise], filters: Filters, as_of: date
) -> Dashboard:
    """The cockpit's figures over `enterprises` (already limited to what the caller may see)."""
    firms = scoped(enterprises.filter(zone=zone), filters)
    # Report values are selected by joins, not by a list of enterprises, so the database
    # starts from the period's reports (the cockpit is for those who see the whole zone).
    reported = Q(report__enterprise__zone=zone) & filter_condition(filters, "report__enterprise__")
    period = filters.period
    board = Dashboard(zone=zone, filters=filters, as_of=as_of)
    # A single month is the difference of two year-to-date figures; otherwise one is enough.
    months = {period.month}
    if period.kind == PeriodKind.MONTH and period.month > 1:
        months.add(period.month - 1)
    indicators = {
        i.code: i
        for i in Indicator.objects.filter(code__in=(*compute.READ_CODES, compute.ENERGY_CODE))
    }
    ids = {code: indicator.pk for code, indicator in indicators.items()}
    counting = Counting.for_zone(zone, filters.basis)
    loaded = compute.load_firm_rows(reported, period, compute.READ_CODES, months, ids, counting)
    trend = compute.load_firm_rows(
        reported, period, (compute.TREND_CODE,), range(1, period.month + 1), ids, counting
    )
    rows = loaded.rows
    board.values_read = loaded.read + trend.read
    board.held_out = ordered_held(loaded.held_for(compute.READ_CODES))
    board.held_out_by_figure = {
        code: ordered_held(loaded.held_for((code,))) for code in compute.HEADLINE_CODES
    } | {
        compute.ENERGY_CODE: ordered_held(loaded.held_for(ENERGY_INDICATORS)),
        "reporting": ordered_held(loaded.held_for((compute.TREND_CODE,))),
    }
    held_counts = {key: reason_counts(held) for key, held in board.held_out_by_figure.items()}
    per_code = {code: compute.period_values(rows, period, code) for code in compute.HEADLINE_CODES}
    for code in compute.HEADLINE_CODES:
        indicator = indicators[code]
        board.headline.append(
            compute.total(
                code,
                local_name(indicator),
                indicator.unit,
                per_code[code],
                period,
                as_of,
                held_counts[code],
            )
        )
    energy = compute.energy_values(rows, period, CoefficientTable.load(), filters.convention)
    board.headline.append(
        compute.total(
            compute.ENERGY_CODE,
            local_name(indicators[compute.ENERGY_CODE]),
            indicators[compute.ENERGY_CODE].unit,
            energy,
            period,
            as_of,
            held_counts[compute.ENERGY_CODE],
        )
    )
    output = per_code[compute.TREND_CODE]
    reporting = sum(1 for this, _last in output.values() if this is not None)
    listed = Q(enterprise__zone=zone) & filter_condition(filters, "enterprise__")
    board.counts = _counts(
        firms,
        listed,
        period,
        as_of,
        reporting,
        held_counts["reporting"],
    )
    meta = firm_meta(set().union(*(per_code[code].keys() for code in MAP_CODES)))
    board.by_industry = compute.breakdown(output, lambda e: meta[e]["industry"])
    board.by_area = compute.breakdown(output, lambda e: meta[e]["area"])
    board.by_park = compute.breakdown(output, lambda e: meta[e]["park"])
    board.by_ownership = compute.breakdown(output, lambda e: meta[e]["ownership"])
    for code in MAP_CODES:
        for target, group in ((board.park_groups, "park"), (board.area_groups, "area")):
            target[code] = {
                g.key: g
                for g in compute.breakdown(per_code[code], lambda e, group=group: meta[e][group])
            }
    board.top = [
        Ranked(e, meta[e]["name"], value, growth)
        for e, value, growth in compute.ranking(output, TOP_FIRMS)
    ]
    board.trend = compute.trend(trend.rows, compute.TREND_CODE, period.month)
    board.shares = _shares(zone, reported, filters, as_of, ids, counting)
    board.warnings = _warnings(reported, period, as_of)
    unfiltered = filters.park is None and filters.industry is None
    board.alerts = _alerts(zone if unfiltered else firms, as_of)
    return board


def ordered_held(held: dict[int, HeldReport]) -> list[HeldReport]:
    """Serious warnings first, then the newest months."""
    order = {reason: i for i, reason in enumerate(HoldReason.values)}
    return sorted(
        held.values(), key=lambda h: (order[h.reason], -h.year, -h.month, h.enterprise_id)
    )


def _counts(
    firms: QuerySet[Enterprise],
    listed: Q,
    period: Period,
    as_of: date,
    reporting: int,
    held_out: dict[str, int],
) -> list[Figure]:
    # The register keeps today's status only: the count is of enterprises in business now
    # that had been founded by the end of the period.
    period_end = date(period.year, period.month, calendar.monthrange(period.year, period.month)[1])
    in_business = firms.filter(status__in=IN_BUSINESS, founded_on__lte=period_end).count()
    list_year = (
        AboveScaleYear.objects.filter(listed, year__lte=period.year)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    above = AboveScaleYear.objects.filter(listed, year=list_year).count() if list_year else 0
    return [
        Figure(
            "market_entities",
            _("Market entities"),
            _("firms"),
            Decimal(in_business),
            provenance=Provenance(
                formula=_(
                    "Enterprises operating or suspended in the register, founded by %(date)s."
                )
                % {"date": period_end.isoformat()},
                rows=in_business,
                firms=in_business,
                as_of=as_of,
                source=_("Enterprise register"),
            ),
        ),
        Figure(
            "above_scale",
            _("Enterprises above designated size"),
            _("firms"),
            Decimal(above) if list_year else None,
            provenance=Provenance(
                formula=_("Enterprises on the above-size list of %(year)s.")
                % {"year": list_year or "—"},
                rows=above,
                firms=above,
                as_of=as_of,
                source=_("Above-size list by year"),
            ),
        ),
        Figure(
            "reporting",
            _("Enterprises reporting"),
            _("firms"),
            Decimal(reporting),
            provenance=Provenance(
                formula=with_held_out(
                    _("Enterprises with an output figure for %(period)s.")
                    % {"period": period.label},
                    held_out,
                ),
                rows=reporting,
                firms=reporting,
                as_of=as_of,
                source=_("Monthly reports"),
                held_out=held_out,
            ),
        ),
    ]


def firm_meta(ids: set[int]) -> dict[int, dict]:
    """For each enterprise: its name and the groups it falls in."""
    owners = dict(Ownership.choices)
    meta = {}
    for (
        pk,
        name,
        park_id,
        park_name,
        kind,
        parent_id,
        parent_name,
        industry_slug,
        industry,
        own,
    ) in Enterprise.objects.filter(pk__in=ids).values_list(
        "pk",
        "name",
        "park_id",
        "park__name",
        "park__kind",
        "park__located_in_id",
        "park__located_in__name",
        "industry__slug",
        "industry__name",
        "ownership",
    ):
        in_park = (parent_id, parent_name) if kind == AreaKind.CENTRE and parent_id else None
        meta[pk] = {
            "name": name,
            "industry": (industry_slug, industry or _("Outside the 3+1 industries")),
            "area": (park_id, park_name or _("Outside the parks")),
            "park": in_park or (park_id, park_name or _("Outside the parks")),
            "ownership": (own, str(owners.get(own, own))),
        }
    return meta


def _shares(
    zone: Zone,
    reported: Q,
    filters: Filters,
    as_of: date,
    indicator_ids: dict[str, int],
    counting: Counting,
) -> list[Figure]:
    """Zone (or the filtered part) against the city: land and people, and for the last whole
    year up to the period the output, industrial investment and foreign investment."""
    period = filters.period
    year = period.year if period.month == 12 else period.year - 1
    baseline = (
        RegionYear.objects.filter(region_id=zone.region_id, year__lte=year)
        .order_by("-year")
        .first()
    )
    land = registry_compute.zone_land(zone)
    if filters.park is not None:
        area_km2, people = filters.park.area_mu / MU_PER_KM2, Decimal(filters.park.population)
        where = filters.park.name
    else:
        area_km2, people, where = land.area_km2, Decimal(land.population), zone.short_name
    figures = []
    source = baseline.source if baseline else ""
    land_year = baseline.year if baseline else "—"
    figures.append(
        compute.share(
            "land_share",
            _("Share of the city's land"),
            "%",
            area_km2,
            baseline.area_km2 if baseline else None,
            _("%(where)s %(part).2f km² ÷ city %(whole)s km² (%(year)s).")
            % {
                "where": where,
                "part": area_km2,
                "whole": baseline.area_km2 if baseline else "—",
                "year": land_year,
            },
            as_of,
            source,
        )
    )
    figures.append(
        compute.share(
            "population_share",
            _("Share of the city's people"),
            "%",
            people,
            Decimal(baseline.population) if baseline else None,
            _("%(where)s %(part)s residents ÷ city %(whole)s (%(year)s).")
            % {
                "where": where,
                "part": f"{people:,.0f}",
                "whole": f"{baseline.population:,}" if baseline else "—",
                "year": land_year,
            },
            as_of,
            source,
        )
    )
    whole_year = Period(PeriodKind.YEAR, year, 12)
    loaded = compute.load_firm_rows(
        reported,
        whole_year,
        ("output_value", "investment", "foreign_investment"),
        (12,),
        indicator_ids,
        counting,
        last_year=False,
    )
    same_year = baseline if baseline and baseline.year == year else None
    for key, code, label, attribute in (
        (
            "output_share",
            "output_value",
            _("Share of the city's industrial output"),
            "industrial_output_yuan",
        ),
        (
            "investment_share",
            "investment",
            _("Share of the city's industrial investment"),
            "industrial_investment_yuan",
        ),
        (
            "foreign_investment_share",
            "foreign_investment",
            _("Share of the city's foreign investment"),
            "foreign_investment_usd",
        ),
    ):
        values = compute.period_values(loaded.rows, whole_year, code)
        reported = [this for this, _last in values.values() if this is not None]
        part = sum(reported, Decimal(0)) if reported else None
        whole = getattr(same_year, attribute) if same_year else None
        held_out = reason_counts(loaded.held_for((code,)).values())
        formula = _("%(n)d enterprises' %(year)d total %(part)s ÷ the city's %(whole)s.") % {
            "n": len(reported),
            "year": year,
            "part": f"{part:,.0f}" if part is not None else "—",
            "whole": f"{whole:,.0f}" if whole is not None else _("(no city figure)"),
        }
        figure = compute.share(
            key,
            label,
            "%",
            part,
            whole,
            formula,
            as_of,
            same_year.source if same_year else "",
            firms=len(reported),
            held_out=held_out,
        )
        figures.append(figure)
    return figures


def _warnings(reported: Q, period: Period, as_of: date) -> Figure:
    months = [period.month] if period.kind == PeriodKind.MONTH else list(range(1, period.month + 1))
    count = ReportWarning.objects.filter(
        reported, report__year=period.year, report__month__in=months
    ).count()
    return Figure(
        "warnings",
        _("Plausibility warnings"),
        _("warnings"),
        Decimal(count),
        provenance=Provenance(
            formula=_("Warnings on the reports of %(period)s.") % {"period": period.label},
            rows=count,
            as_of=as_of,
            source=_("Monthly reports"),
        ),
    )


def _alerts(firms: Zone | QuerySet[Enterprise], as_of: date) -> Figure:
    """Early warnings still live today (open or acknowledged) for the zone or these
    enterprises."""
    counts = open_warning_counts(firms)
    return Figure(
        "alerts",
        _("Live early warnings"),
        _("warnings"),
        Decimal(counts.total),
        provenance=Provenance(
            formula=_("%(open)d open and %(acknowledged)d acknowledged, not yet resolved.")
            % {"open": counts.open, "acknowledged": counts.acknowledged},
            rows=counts.total,
            as_of=as_of,
            source=_("Early warnings"),
        ),
    )
