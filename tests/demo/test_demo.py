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
from tests.conftest import AS_OF

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
