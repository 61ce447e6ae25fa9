"""The demo zone is calibrated to the seed article; these tests count the generated rows."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Sum

from parkbrain.demo import calibration as cal
from parkbrain.demo.builders import EXEMPLARS, build_demo
from parkbrain.registry import compute, uscc
from parkbrain.registry.choices import AreaKind
from parkbrain.registry.geo import area_km2, contains
from parkbrain.registry.models import (
    AboveScaleYear,
    Enterprise,
    IndustryCode,
    Park,
    RegionYear,
)
from parkbrain.reporting.compute import CoefficientTable
from parkbrain.reporting.models import MonthlyReport, ReportValue, ReportWarning
from parkbrain.reporting.periods import last_complete_month
from parkbrain.reporting.services import monthly_by_report
from tests.conftest import AS_OF

LATEST_YEAR, LATEST_MONTH = last_complete_month(AS_OF)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def full_zone(django_db_setup, django_db_blocker):
    """The full demo zone, built once for this module and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_demo(seed=2024, scale=1.0, as_of=AS_OF)
        transaction.set_rollback(True)


def test_full_demo_matches_the_article(full_zone):
    zone = full_zone.zone
    firms = Enterprise.objects.filter(zone=zone)
    # 14,000+ market entities
    assert compute.market_entity_count(firms) >= 14_000
    # 262 above-size industrial firms in 2023, 277 in 2025
    counts = compute.above_scale_counts(firms)
    assert counts[2023] == 262
    assert counts[2025] == 277
    # above-size firms are industrial (GB/T 4754 sections B–D)
    sections = set(
        AboveScaleYear.objects.filter(enterprise__zone=zone).values_list(
            "enterprise__industry_code__parent__parent__parent__code", flat=True
        )
    )
    assert sections <= {"B", "C", "D"}


def test_zone_is_twelve_percent_of_the_city_in_land_and_people(full_zone):
    zone = full_zone.zone
    parks = Park.objects.filter(zone=zone, kind=AreaKind.PARK)
    area_km2_total = parks.aggregate(mu=Sum("area_mu"))["mu"] / Decimal(1500)
    people = Decimal(parks.aggregate(p=Sum("population"))["p"])
    # Against the article's year, 2023: the city of about 727 km² and 1.03 million people.
    city = RegionYear.objects.get(region=zone.region, year=cal.ARTICLE_YEAR)
    assert 720 <= city.area_km2 <= 735 and 1_000_000 <= city.population <= 1_060_000
    assert abs(area_km2_total / city.area_km2 - Decimal("0.12")) < Decimal("0.0005")
    assert abs(people / city.population - Decimal("0.12")) < Decimal("0.0015")
    # And as the pages show it, against the latest baseline year.
    land = compute.zone_land(zone)
    assert land.baseline_year == 2025
    assert round(land.area_share.ratio, 3) == 0.120
    assert round(land.population_share.ratio, 3) == 0.120


def test_city_baseline_puts_the_zone_output_at_a_third(full_zone):
    city = RegionYear.objects.get(region=full_zone.zone.region, year=cal.ARTICLE_YEAR)
    assert city.industrial_output_yuan == Decimal("393900000000")  # 131.3 bn is one third


def test_one_zone_four_parks_five_centres_with_the_articles_names(full_zone):
    parks = Park.objects.filter(zone=full_zone.zone)
    assert sorted(parks.filter(kind=AreaKind.PARK).values_list("name", flat=True)) == sorted(
        ["前沿材料高端产业生态园", "智能装备产业园", "高铁产业新城", "高桥农业科技产业园"]
    )
    assert parks.filter(kind=AreaKind.CENTRE).count() == 5


def test_outlines_have_their_stated_area_and_centres_lie_inside_parks(full_zone):
    for park in Park.objects.filter(zone=full_zone.zone).select_related("located_in"):
        assert abs(area_km2(park.outline) / float(park.area_km2) - 1) < 0.01, park
        if park.located_in:
            assert contains(park.located_in.outline, park.outline), park
            park.full_clean()


def test_parks_do_not_overlap(full_zone):
    parks = list(Park.objects.filter(zone=full_zone.zone, kind=AreaKind.PARK))
    for a in parks:
        for b in parks:
            if a != b:
                ring = b.outline["coordinates"][0]
                assert not any(
                    contains(a.outline, {"type": "Polygon", "coordinates": [[p, p, p, p]]})
                    for p in ring
                )


def test_the_four_exemplars(full_zone):
    firms = {spec["key"]: Enterprise.objects.get(name=spec["name"]) for spec in EXEMPLARS}
    codes = {key: firm.industry_code.code for key, firm in firms.items()}
    assert codes == {"glassfibre": "3061", "gear": "3453", "cobalt": "3213", "ev": "3612"}
    gear = firms["gear"]
    assert (gear.settled_on.year, gear.settled_on.month) == (2015, 11)
    for firm in firms.values():
        years = AboveScaleYear.objects.filter(enterprise=firm).values_list("year", flat=True)
        assert set(years) == set(range(2021, 2027)), firm
    assert firms["ev"].park.name == "新能源汽车智造中心"


def test_firms_enter_and_leave_the_above_size_list(full_zone):
    years = {
        y: set(AboveScaleYear.objects.filter(year=y).values_list("enterprise_id", flat=True))
        for y in (2022, 2023)
    }
    assert years[2023] - years[2022], "some firms enter"
    assert years[2022] - years[2023], "some firms leave"


def test_every_credit_code_is_valid_and_unique(full_zone):
    codes = list(Enterprise.objects.values_list("credit_code", flat=True))
    assert len(codes) == len(set(codes))
    for code in codes:
        result = uscc.check(code)
        assert result.is_valid and not result.warnings, code


def test_every_enterprise_has_a_class_code_and_a_plausible_founding_date(full_zone):
    assert not Enterprise.objects.exclude(industry_code__level="class").exists()
    assert not Enterprise.objects.filter(founded_on__gt=AS_OF).exists()
    assert not Enterprise.objects.filter(settled_on__lt=date(1990, 1, 1)).exists()
    assert not Enterprise.objects.filter(settled_on__gt=AS_OF).exists()


def test_code_table_is_loaded(db):
    assert IndustryCode.objects.get(code="3612").name == "新能源车整车制造"


# -- monthly reports ---------------------------------------------------------------------------


def _december_total(code: str, year: int, **filters) -> Decimal:
    rows = ReportValue.objects.filter(
        indicator__code=code, report__year=year, report__month=12, **filters
    )
    return rows.aggregate(total=Sum("value"))["total"]


def test_article_year_output_is_131_3_billion_from_262_firms(full_zone):
    decembers = ReportValue.objects.filter(
        indicator__code="output_value", report__year=2023, report__month=12
    )
    assert decembers.count() == 262
    assert set(decembers.values_list("report__enterprise", flat=True)) == set(
        AboveScaleYear.objects.filter(year=2023).values_list("enterprise", flat=True)
    )
    assert _december_total("output_value", 2023) == Decimal("131300000000")


def test_zone_shares_of_the_city_in_the_article_year(full_zone):
    city = RegionYear.objects.get(region=full_zone.zone.region, year=2023)
    output = _december_total("output_value", 2023)
    investment = _december_total("investment", 2023)
    foreign = _december_total("foreign_investment", 2023)
    assert abs(output / city.industrial_output_yuan - Decimal(1) / 3) < Decimal("0.0001")
    assert abs(investment / city.industrial_investment_yuan - Decimal("0.40")) < Decimal("0.0001")
    assert abs(foreign / city.foreign_investment_usd - Decimal("0.50")) < Decimal("0.0001")


def test_digital_centre_firms_make_2_61_billion_in_2023(full_zone):
    total = _december_total(
        "output_value", 2023, report__enterprise__park__name="数字经济双创新中心"
    )
    assert total == Decimal("2610000000")


@pytest.mark.clock
def test_every_above_size_firm_reports_every_month_but_the_latest(full_zone):
    whole = [(2021, 12), (2023, 12)]
    if LATEST_MONTH > 1:
        whole.append((LATEST_YEAR, LATEST_MONTH - 1))
    for year, months in whole:
        firms = AboveScaleYear.objects.filter(year=year).count()
        reports = MonthlyReport.objects.filter(year=year, month__lte=months).count()
        assert reports == firms * months, year
    latest = MonthlyReport.objects.filter(year=LATEST_YEAR, month=LATEST_MONTH)
    owed = AboveScaleYear.objects.filter(year=LATEST_YEAR).count() - latest.count()
    assert 0 < owed < 0.25 * AboveScaleYear.objects.filter(year=LATEST_YEAR).count()
    assert not MonthlyReport.objects.filter(year=AS_OF.year, month__gte=AS_OF.month).exists()
    assert not MonthlyReport.objects.filter(year__gt=AS_OF.year).exists()


def test_chinese_new_year_month_dips(full_zone):
    # 2023's holiday fell in January, 2024's in February.
    def zone_month(year: int, month: int) -> Decimal:
        return sum(
            (
                m[(e, year, month)]["output_value"]
                for e in ids
                if (e, year, month) in m and "output_value" in m[(e, year, month)]
            ),
            Decimal(0),
        )

    ids = set(AboveScaleYear.objects.filter(year=2024).values_list("enterprise", flat=True))
    m = monthly_by_report(ids, {2023, 2024}, CoefficientTable.load())
    assert zone_month(2023, 1) < Decimal("0.9") * zone_month(2023, 3)
    assert zone_month(2024, 2) < Decimal("0.9") * zone_month(2024, 3)
    assert zone_month(2024, 1) > zone_month(2024, 2)


def test_some_firms_decline(full_zone):
    output = {
        (e, y): v
        for e, y, v in ReportValue.objects.filter(
            indicator__code="output_value", report__month=12, report__year__in=(2023, 2025)
        ).values_list("report__enterprise", "report__year", "value")
    }
    both = {e for e, y in output if (e, 2023) in output and (e, 2025) in output}
    falling = [e for e in both if output[(e, 2025)] < Decimal("0.85") * output[(e, 2023)]]
    assert len(both) > 200 and 3 <= len(falling) < len(both) / 3


@pytest.mark.clock
def test_latest_month_carries_warnings_for_the_review(full_zone):
    rules = set(
        ReportWarning.objects.filter(
            report__year=LATEST_YEAR, report__month=LATEST_MONTH
        ).values_list("rule", flat=True)
    )
    assert rules == {"output_swing", "intensity_doubled"}
