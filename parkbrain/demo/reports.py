"""Monthly reports for the demo zone: every above-size firm, every month since January 2021
that is over, calibrated so the article's year adds up to the article's figures.

Zone totals per year follow the city baseline (output a third of the city's, investment 40 %,
foreign investment 50 %), and in 2023 the firms of the 数字经济双创新中心 make 2.61 billion yuan.
Each firm's share follows its size and trend; months follow a season with the Chinese New Year
dip; a few firms decline and a few months carry the slips a real review would catch."""

import math
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from parkbrain.core.bulk import insert_rows
from parkbrain.registry.models import AboveScaleYear, Membership, RegionYear
from parkbrain.reporting.choices import Channel, ReportStatus
from parkbrain.reporting.models import (
    Indicator,
    MonthlyReport,
    ReportRevision,
    ReportValue,
    StatusChange,
)
from parkbrain.reporting.periods import last_complete_month, months_over
from parkbrain.reporting.services import refresh_warnings

from . import calibration as cal
from .firms import Firm

CENTS = Decimal("0.01")
# Chinese New Year's month: the month with the holiday works about a fifth less.
NEW_YEAR_MONTH = {2021: 2, 2022: 2, 2023: 1, 2024: 2, 2025: 1, 2026: 2, 2027: 2, 2028: 1}
SEASON = [0.082, 0.078, 0.084, 0.083, 0.085, 0.084, 0.082, 0.081, 0.085, 0.086, 0.087, 0.093]
# Trend per zone industry on top of each firm's own (yearly log growth).
INDUSTRY_TREND = {"equipment": 0.07, "materials": 0.04, "digital": 0.12, None: -0.02}
# Per industry: value added / output, kWh / yuan, m³ gas / yuan, yuan output per employee.
PROFILE = {
    "equipment": (0.22, 0.030, 0.0006, 1_600_000),
    "materials": (0.20, 0.085, 0.0040, 2_600_000),
    "digital": (0.28, 0.018, 0.0002, 1_100_000),
    None: (0.18, 0.040, 0.0008, 900_000),
}
RETURN_REASONS = [
    "用电量与产值变动不匹配，请核实",
    "利润总额与上月差异过大，请说明",
    "出口交货值漏填",
]


def allocate(total: int, weights: list[float]) -> list[int]:
    """Split a whole number in proportion to weights so the parts add up exactly."""
    if not weights:
        return []
    scale = sum(weights)
    raw = [total * w / scale for w in weights]
    parts = [math.floor(x) for x in raw]
    for index in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[
        : total - sum(parts)
    ]:
        parts[index] += 1
    return parts


def _season(year: int, rng: random.Random) -> list[float]:
    weights = list(SEASON)
    holiday = NEW_YEAR_MONTH.get(year, 2)
    weights[holiday - 1] *= 0.8
    weights[2 - holiday] *= 0.97  # the other early month loses a little too
    return [w * rng.uniform(0.97, 1.03) for w in weights]


def _zone_totals(region_id: int, year: int) -> tuple[int, int, int]:
    """Zone output (yuan), industrial investment (yuan), foreign investment (USD) for a year:
    the city's totals times the zone's shares; years past the baseline grow on from its last."""
    baseline = {r.year: r for r in RegionYear.objects.filter(region_id=region_id)}
    last = max(baseline)
    row = baseline.get(year, baseline[last])
    growth = Decimal("1.05") ** max(0, year - last)
    return (
        int(row.industrial_output_yuan * cal.ZONE_OUTPUT_SHARE * growth),
        int(row.industrial_investment_yuan * cal.ZONE_INVESTMENT_SHARE * growth),
        int(row.foreign_investment_usd * cal.ZONE_FOREIGN_INVESTMENT_SHARE * growth),
    )


def build_reports(firms: list[Firm], rng: random.Random, as_of: date) -> int:
    """Write the reports; returns how many."""
    if not firms:
        return 0
    zone = firms[0].enterprise.zone
    by_id = {firm.enterprise.id: firm for firm in firms}
    above = defaultdict(list)
    for enterprise_id, year in AboveScaleYear.objects.filter(enterprise_id__in=by_id).values_list(
        "enterprise_id", "year"
    ):
        above[year].append(by_id[enterprise_id])
    indicators = {i.code: i for i in Indicator.objects.filter(derived=False)}
    firm_traits = {
        firm.enterprise.id: {
            "noise": rng.uniform(0.85, 1.15),
            "margin": rng.gauss(0.065, 0.035),
            "export": rng.choice([0, 0, 0.05, 0.15, 0.3, 0.45]),
            "rd": rng.uniform(0.015, 0.055),
            "invest": rng.lognormvariate(0, 0.8),
        }
        for firm in firms
    }
    _calibrate_digital_centre(above.get(cal.ARTICLE_YEAR, []), firm_traits)
    last_year, last_month = last_complete_month(as_of)
    # Two slips in the latest month, for the review to catch: a mistyped output and a meter
    # read twice.
    latest = sorted(f.enterprise.id for f in above.get(last_year, []))
    slips = dict(
        zip(rng.sample(latest, min(2, len(latest))), ("output_value", "electricity"), strict=False)
    )
    # And taxes keyed in ten thousand times over (yuan taken for 万元), which the early
    # warnings' data-quality check catches: taxes above revenue.
    unslipped = [pk for pk in latest if pk not in slips]
    if unslipped:
        slips[unslipped[-1]] = "taxes"
    # However far the review has come, a few firms have not reported the latest month yet.
    ordinary = [pk for pk in unslipped[:-1] if not by_id[pk].key]
    late = set(rng.sample(ordinary, min(len(ordinary), max(1, len(latest) // 40))))
    # Two firms with demo log-ins find the latest month waiting for them: one not yet
    # reported, one returned (those the review's slips leave alone).
    clerks = [by_id[pk] for pk in unslipped[:-1] if by_id[pk].key in CLERK_KEYS]
    clerks.sort(key=lambda f: CLERK_KEYS.index(f.key))
    clerk_work = dict(
        zip([f.enterprise.id for f in clerks], (None, ReportStatus.RETURNED), strict=False)
    )
    reports, values = [], []
    for year in sorted(above):
        months = months_over(year, as_of)
        if not months:
            continue
        members = sorted(above[year], key=lambda f: f.enterprise.id)
        output_total, investment_total, fdi_total = _zone_totals(zone.region_id, year)
        weights = [_weight(firm, year, firm_traits) for firm in members]
        if year == cal.ARTICLE_YEAR:
            output = _article_year_output(members, weights)
        else:
            output = allocate(output_total, weights)
        investment = allocate(
            investment_total,
            [
                w * firm_traits[f.enterprise.id]["invest"]
                for f, w in zip(members, weights, strict=True)
            ],
        )
        foreign = [f for f in members if f.enterprise.ownership != "domestic"]
        fdi = dict(
            zip(
                [f.enterprise.id for f in foreign],
                allocate(fdi_total, [rng.uniform(0.5, 2) for _ in foreign]),
                strict=True,
            )
        )
        for firm, annual_output, annual_investment in zip(members, output, investment, strict=True):
            monthly = _firm_months(
                firm,
                year,
                annual_output,
                annual_investment,
                fdi.get(firm.enterprise.id, 0),
                rng,
                firm_traits,
            )
            if year == last_year and firm.enterprise.id in slips:
                slipped = slips[firm.enterprise.id]
                monthly[last_month][slipped] *= Decimal(
                    {"output_value": "1.8", "electricity": "3.5", "taxes": "10000"}[slipped]
                )
            running: dict[str, Decimal] = defaultdict(Decimal)
            for month in months:
                report = MonthlyReport(
                    enterprise=firm.enterprise,
                    year=year,
                    month=month,
                    status=_status(rng, year, month, last_year, last_month, as_of.day),
                )
                if (year, month) == (last_year, last_month):
                    if firm.enterprise.id in slips:
                        report.status = ReportStatus.SUBMITTED  # waiting for the analyst
                    elif firm.enterprise.id in late:
                        report.status = None
                    elif firm.enterprise.id in clerk_work:
                        report.status = clerk_work[firm.enterprise.id]
                if report.status is None:
                    continue  # this month is still owed
                reports.append(report)
                for code, amount in monthly[month].items():
                    indicator = indicators[code]
                    if code == "employees":
                        values.append((report, indicator, amount))
                    else:
                        running[code] += amount
                        values.append((report, indicator, running[code]))
    _write(reports, values, rng, as_of)
    refresh_warnings({(r.enterprise_id, r.year) for r in reports})
    return len(reports)


CLERK_KEYS = ["glassfibre", "cobalt", "ev"]


def _weight(firm: Firm, year: int, traits: dict) -> float:
    industry = firm.enterprise.industry.slug if firm.enterprise.industry else None
    years = year - cal.ARTICLE_YEAR
    trend = firm.growth + INDUSTRY_TREND.get(industry, 0)
    return firm.size * math.exp(trend * years) * traits[firm.enterprise.id]["noise"]


def _in_digital_centre(firm: Firm) -> bool:
    return firm.enterprise.park is not None and firm.enterprise.park.name == "数字经济双创新中心"


def _calibrate_digital_centre(members: list[Firm], traits: dict) -> None:
    """Scale the digital centre's firms once, in every year, so that their natural share of
    the article year's output is its 2.61 billion: no jump into or out of 2023."""
    digital = [f for f in members if _in_digital_centre(f)]
    if not digital:
        return
    weights = {f.enterprise.id: _weight(f, cal.ARTICLE_YEAR, traits) for f in members}
    natural = sum(weights[f.enterprise.id] for f in digital) / sum(weights.values())
    target = float(cal.DIGITAL_CENTRE_OUTPUT_YUAN_2023 / cal.ZONE_OUTPUT_YUAN_2023)
    factor = target * (1 - natural) / (natural * (1 - target))
    for firm in digital:
        traits[firm.enterprise.id]["noise"] *= factor


def _article_year_output(members: list[Firm], weights: list[float]) -> list[int]:
    """2023: the digital centre's firms make 2.61 billion, all firms together 131.3 billion."""
    digital = [i for i, f in enumerate(members) if _in_digital_centre(f)]
    others = [i for i in range(len(members)) if i not in digital]
    digital_total = int(cal.DIGITAL_CENTRE_OUTPUT_YUAN_2023) if digital else 0
    parts = [0] * len(members)
    for index, part in zip(
        digital, allocate(digital_total, [weights[i] for i in digital]), strict=True
    ):
        parts[index] = part
    rest = int(cal.ZONE_OUTPUT_YUAN_2023) - digital_total
    for index, part in zip(others, allocate(rest, [weights[i] for i in others]), strict=True):
        parts[index] = part
    return parts


def _firm_months(
    firm: Firm,
    year: int,
    annual_output: int,
    annual_investment: int,
    annual_fdi: int,
    rng: random.Random,
    traits: dict,
) -> dict[int, dict[str, Decimal]]:
    """Each month's own amounts for one firm and year."""
    industry = firm.enterprise.industry.slug if firm.enterprise.industry else None
    va_ratio, kwh_per_yuan, gas_per_yuan, per_employee = PROFILE.get(industry, PROFILE[None])
    trait = traits[firm.enterprise.id]
    output = allocate(annual_output, _season(year, rng))
    investment_months = set(rng.sample(range(1, 13), rng.randint(2, 6)))
    investment = dict(
        zip(
            sorted(investment_months),
            allocate(annual_investment, [rng.uniform(0.5, 2) for _ in investment_months]),
            strict=True,
        )
    )
    fdi_months = set(rng.sample(range(1, 13), rng.randint(1, 3)))
    fdi = dict(zip(sorted(fdi_months), allocate(annual_fdi, [1.0] * len(fdi_months)), strict=True))
    headcount = max(20, annual_output / per_employee)
    months = {}
    for month in range(1, 13):
        amount = Decimal(output[month - 1])
        wobble = Decimal(str(round(rng.uniform(0.94, 1.06), 4)))
        revenue = amount * Decimal(str(round(rng.uniform(0.96, 1.04), 4)))
        margin = Decimal(str(round(trait["margin"] + rng.gauss(0, 0.01), 4)))
        months[month] = {
            "output_value": amount,
            "value_added": (amount * Decimal(str(va_ratio)) * wobble).quantize(CENTS),
            "revenue": revenue.quantize(CENTS),
            "total_profit": (revenue * margin).quantize(CENTS),
            "taxes": (revenue * Decimal("0.034") * wobble).quantize(CENTS),
            "electricity": (amount * Decimal(str(kwh_per_yuan)) * wobble).quantize(Decimal(1)),
            "natural_gas": (amount * Decimal(str(gas_per_yuan)) * wobble).quantize(Decimal(1)),
            "water": (amount * Decimal("0.0015") * wobble).quantize(Decimal(1)),
            "employees": Decimal(
                round(
                    headcount
                    * (0.93 if month == NEW_YEAR_MONTH.get(year, 2) else 1)
                    * rng.uniform(0.98, 1.02)
                )
            ),
            "rd_expenditure": (revenue * Decimal(str(round(trait["rd"], 4)))).quantize(CENTS),
            "investment": Decimal(investment.get(month, 0)),
            "foreign_investment": Decimal(fdi.get(month, 0)),
            "export_value": (amount * Decimal(str(trait["export"])) * wobble).quantize(CENTS),
        }
        if industry == "materials":
            months[month]["coal"] = (amount * Decimal("0.0000004") * wobble).quantize(
                Decimal("0.001")
            )
            months[month]["other_energy"] = (amount * Decimal("0.000002") * wobble).quantize(
                Decimal("0.001")
            )
    return months


def _status(rng: random.Random, year: int, month: int, last_year: int, last_month: int, day: int):
    """Older months are accepted. The latest month comes in and is reviewed over the first
    two weeks after it ends: on `day` of the month after it, fewer firms still owe it and more
    of what came in is accepted."""
    if (year, month) != (last_year, last_month):
        return ReportStatus.ACCEPTED
    progress = min(1.0, day / 15)
    draw = rng.random()
    owed = 0.30 - 0.22 * progress
    if draw < owed:
        return None  # not reported yet
    if draw < owed + 0.05:
        return ReportStatus.DRAFT
    if draw < owed + 0.08:
        return ReportStatus.RETURNED
    reviewed = 0.25 + 0.65 * progress
    return ReportStatus.ACCEPTED if rng.random() < reviewed else ReportStatus.SUBMITTED


def _write(reports: list[MonthlyReport], values: list, rng: random.Random, as_of: date) -> None:
    now = timezone.now()
    reviewer = get_user_model().objects.filter(username="analyst").first()
    for report in reports:
        if report.status != ReportStatus.DRAFT:
            report.submitted_at = now - timedelta(days=rng.randint(1, 20))
        if report.status in (ReportStatus.ACCEPTED, ReportStatus.RETURNED):
            reviewed = now - timedelta(days=rng.randint(0, 10))
            report.reviewed_at = max(reviewed, report.submitted_at)
            report.reviewed_by = reviewer
        if report.status == ReportStatus.RETURNED:
            report.return_reason = rng.choice(RETURN_REASONS)
    MonthlyReport.objects.bulk_create(reports, batch_size=2000)
    # A report last changed when it was submitted, not when the demo was built: else every
    # accepted report looks changed since its review, and the figures check each one again.
    submitted = [r.pk for r in reports if r.submitted_at is not None]
    for start in range(0, len(submitted), 900):
        MonthlyReport.objects.filter(pk__in=submitted[start : start + 900]).update(
            updated_at=F("submitted_at")
        )
    insert_rows(
        ReportValue, ("report", "indicator", "value"), ((r.pk, i.pk, v) for r, i, v in values)
    )
    # History for the recent months only: older figures came over from the previous system.
    recent = (as_of.year * 12 + as_of.month) - 3
    by_report = defaultdict(dict)
    for r, i, v in values:
        if r.year * 12 + r.month >= recent:
            by_report[r][i.code] = [None, str(v)]
    ReportRevision.objects.bulk_create(
        (
            ReportRevision(report=r, changes=changes, channel=Channel.DEMO)
            for r, changes in by_report.items()
        ),
        batch_size=5000,
    )
    submitter = {
        m.enterprise_id: m.user_id
        for m in Membership.objects.filter(enterprise_id__in={r.enterprise_id for r in reports})
    }
    changes = []
    for r in reports:
        if r.year * 12 + r.month < recent or r.status == ReportStatus.DRAFT:
            continue
        changes.append(
            StatusChange(
                report=r,
                old_status=ReportStatus.DRAFT,
                new_status=ReportStatus.SUBMITTED,
                changed_by_id=submitter.get(r.enterprise_id),
                channel=Channel.DEMO,
            )
        )
        if r.status in (ReportStatus.ACCEPTED, ReportStatus.RETURNED):
            changes.append(
                StatusChange(
                    report=r,
                    old_status=ReportStatus.SUBMITTED,
                    new_status=r.status,
                    reason=r.return_reason,
                    changed_by=reviewer,
                    channel=Channel.DEMO,
                )
            )
    StatusChange.objects.bulk_create(changes, batch_size=5000)
