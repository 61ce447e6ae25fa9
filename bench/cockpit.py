"""The cockpit's figures for the demo zone and for a zone ten times its size, against one
equivalent aggregate SQL query over the same reports in the same run.

Targets: the whole dashboard's data in ≤ 150 ms on the demo zone and ≤ 1 s at 10×
(2,620 above-size firms, ten years of months)."""

import random
import statistics
import time
from datetime import date
from decimal import Decimal

from common import django_with_scratch_database

django_with_scratch_database()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Sum  # noqa: E402
from django.utils import timezone  # noqa: E402

from parkbrain.cockpit import figures  # noqa: E402
from parkbrain.cockpit.compute import Period  # noqa: E402
from parkbrain.core.bulk import analyse, insert_rows  # noqa: E402
from parkbrain.demo.builders import build_demo  # noqa: E402
from parkbrain.registry.models import (  # noqa: E402
    AboveScaleYear,
    Enterprise,
    Industry,
    Park,
    Zone,
)
from parkbrain.reporting.models import Indicator, MonthlyReport, ReportValue  # noqa: E402

AS_OF = date(2026, 11, 26)
ROUNDS = 7
TEN_X_FIRMS = 2_620
TEN_X_ENTITIES = 144_440
FIRST_YEAR = 2017  # ten years of months to October 2026


def measure(zone: Zone) -> tuple[float, float, int]:
    """Median seconds for the dashboard's data and for one aggregate query; values read."""
    filters = figures.Filters(Period.latest(AS_OF))
    period = filters.period
    enterprises = Enterprise.objects.all()
    board = figures.build(zone, enterprises, filters, AS_OF)  # warm the caches once
    dashboard, aggregate = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        figures.build(zone, enterprises, filters, AS_OF)
        dashboard.append(time.perf_counter() - started)
        started = time.perf_counter()
        # The same reports, summed once by year, month and indicator.
        list(
            ReportValue.objects.filter(
                report__enterprise__zone=zone,
                report__year__in=(period.year, period.year - 1),
                report__month__lte=period.month,
            )
            .values("report__year", "report__month", "indicator_id")
            .annotate(total=Sum("value"), n=Count("id"))
        )
        aggregate.append(time.perf_counter() - started)
    return statistics.median(dashboard), statistics.median(aggregate), board.values_read


@transaction.atomic
def build_ten_times(demo: Zone) -> Zone:
    """A zone like the demo's with 2,620 above-size firms reporting every month for ten years
    and ten times the market entities."""
    rng = random.Random(10)
    zone = Zone.objects.create(region=demo.region, name="十倍规模测试园区", short_name="十倍园区")
    parks = []
    for park in Park.objects.filter(zone=demo, kind="park"):
        parks.append(
            Park.objects.create(
                zone=zone,
                name=park.name,
                kind=park.kind,
                area_mu=park.area_mu * 10,
                population=park.population * 10,
                outline=park.outline,
                sort_order=park.sort_order,
            )
        )
    industries = []
    for industry in Industry.objects.filter(zone=demo):
        copy = Industry.objects.create(
            zone=zone, slug=industry.slug, name=industry.name, name_en=industry.name_en
        )
        copy.codes.set(industry.codes.all())
        industries.append(copy)
    code_id = Enterprise.objects.filter(zone=demo).values_list("industry_code_id", flat=True)[0]
    now = timezone.now()
    insert_rows(
        Enterprise,
        (
            "zone",
            "credit_code",
            "name",
            "legal_representative",
            "founded_on",
            "registered_capital_yuan",
            "industry_code",
            "industry",
            "park",
            "land_area_mu",
            "ownership",
            "status",
            "address",
            "created_at",
            "updated_at",
        ),
        (
            (
                zone.pk,
                f"91330499{index:09d}X",
                f"十倍测试企业{index:06d}",
                "测试",
                date(2005 + index % 15, 1 + index % 12, 1),
                Decimal(10_000_000),
                code_id,
                industries[index % len(industries)].pk,
                parks[index % len(parks)].pk,
                Decimal(30 + index % 70) if index < TEN_X_FIRMS else Decimal(0),
                ("domestic", "foreign", "hmt")[index % 7 % 3],
                "operating",
                "",
                now,
                now,
            )
            for index in range(TEN_X_ENTITIES)
        ),
        prepare=("created_at", "updated_at"),
    )
    firm_ids = list(
        Enterprise.objects.filter(zone=zone).order_by("id").values_list("id", flat=True)
    )[:TEN_X_FIRMS]
    insert_rows(
        AboveScaleYear,
        ("enterprise", "year"),
        ((firm, year) for firm in firm_ids for year in range(FIRST_YEAR, AS_OF.year + 1)),
    )
    months = [
        (year, month)
        for year in range(FIRST_YEAR, AS_OF.year + 1)
        for month in range(1, 13)
        if (year, month) < (AS_OF.year, AS_OF.month)
    ]
    insert_rows(
        MonthlyReport,
        ("enterprise", "year", "month", "status", "return_reason", "updated_at"),
        ((firm, y, m, "accepted", "", now) for firm in firm_ids for y, m in months),
        prepare=("updated_at",),
    )
    indicators = list(Indicator.objects.filter(derived=False, basis="cumulative"))
    reports = MonthlyReport.objects.filter(enterprise__zone=zone).values_list(
        "id", "enterprise_id", "year", "month"
    )

    def values():
        size = {firm: rng.uniform(0.2, 5) for firm in firm_ids}
        for report_id, firm, _year, month in reports.iterator(chunk_size=20_000):
            for indicator in indicators:
                yield (report_id, indicator.pk, Decimal(round(size[firm] * 4e7 * month, 2)))

    insert_rows(ReportValue, ("report", "indicator", "value"), values())
    analyse(Enterprise, AboveScaleYear, MonthlyReport, ReportValue)
    return zone


def main() -> None:
    started = time.perf_counter()
    build_demo(seed=2024, as_of=AS_OF, reports=True)
    demo = Zone.objects.get(is_demo=True)
    print(
        f"database: {connection.vendor}; demo zone built in {time.perf_counter() - started:.0f} s"
    )
    dashboard, aggregate, read = measure(demo)
    print(
        f"demo zone: dashboard data {dashboard * 1000:.0f} ms "
        f"(median of {ROUNDS}; {read:,} report values read), one aggregate query "
        f"{aggregate * 1000:.0f} ms, ratio {dashboard / aggregate:.2f}x  "
        f"(target ≤ 150 ms: {'met' if dashboard <= 0.150 else 'MISSED'})"
    )
    started = time.perf_counter()
    big = build_ten_times(demo)
    values = ReportValue.objects.filter(report__enterprise__zone=big).count()
    print(
        f"10x zone: {TEN_X_FIRMS:,} above-size firms, {TEN_X_ENTITIES:,} entities, "
        f"{values:,} report values, built in {time.perf_counter() - started:.0f} s"
    )
    dashboard, aggregate, read = measure(big)
    print(
        f"10x zone: dashboard data {dashboard * 1000:.0f} ms "
        f"({read:,} report values read), one aggregate query {aggregate * 1000:.0f} ms, "
        f"ratio {dashboard / aggregate:.2f}x  "
        f"(target ≤ 1 s: {'met' if dashboard <= 1.0 else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
