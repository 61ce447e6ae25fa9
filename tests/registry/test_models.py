from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from parkbrain.registry import uscc
from parkbrain.registry.choices import AreaKind, CodeLevel, Role
from parkbrain.registry.models import (
    AboveScaleYear,
    Enterprise,
    IndustryCode,
    Membership,
    Park,
    Region,
    RegionYear,
    Zone,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def zone():
    region = Region.objects.create(name="测试市", division_code="330483")
    return Zone.objects.create(region=region, name="测试开发区", short_name="测试区")


def _firm(zone, **overrides) -> Enterprise:
    fields = {
        "zone": zone,
        "credit_code": "91330100716105852F",
        "name": "测试有限公司",
        "legal_representative": "李四",
        "founded_on": date(2020, 1, 1),
        "registered_capital_yuan": Decimal(1_000_000),
        "industry_code": IndustryCode.objects.get(code="3670"),
    }
    fields.update(overrides)
    return Enterprise(**fields)


def test_code_table_has_the_standard_counts():
    counts = {level: IndustryCode.objects.filter(level=level).count() for level in CodeLevel}
    assert counts[CodeLevel.SECTION] == 20
    assert counts[CodeLevel.DIVISION] == 97
    assert counts[CodeLevel.GROUP] == 473
    assert counts[CodeLevel.CLASS] == 1381


def test_every_code_nests_in_its_parent():
    for code in IndustryCode.objects.exclude(level=CodeLevel.SECTION).select_related("parent"):
        if code.level == CodeLevel.DIVISION:
            assert code.parent.level == CodeLevel.SECTION
        else:
            assert code.code.startswith(code.parent.code), code


def test_manufacturing_is_section_c_divisions_13_to_43():
    divisions = IndustryCode.objects.filter(parent__code="C").values_list("code", flat=True)
    assert sorted(divisions) == [str(n) for n in range(13, 44)]


def test_credit_code_is_unique(zone):
    _firm(zone).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _firm(zone, name="另一家").save()


def test_database_refuses_a_credit_code_that_is_not_18_characters(zone):
    with pytest.raises(IntegrityError), transaction.atomic():
        _firm(zone, credit_code="91330100716105852").save()


def test_database_refuses_negative_land(zone):
    with pytest.raises(IntegrityError), transaction.atomic():
        _firm(zone, land_area_mu=Decimal("-1")).save()


def test_clean_normalises_and_explains_a_wrong_credit_code(zone):
    firm = _firm(zone, credit_code=" 91330100716105852f ")
    firm.full_clean()
    assert firm.credit_code == "91330100716105852F"
    firm = _firm(zone, credit_code="91330100716105852A")
    with pytest.raises(ValidationError) as raised:
        firm.full_clean()
    assert "credit_code" in raised.value.message_dict


def test_clean_refuses_a_group_code_where_a_class_is_needed(zone):
    firm = _firm(zone, industry_code=IndustryCode.objects.get(code="367"))
    with pytest.raises(ValidationError) as raised:
        firm.full_clean()
    assert "industry_code" in raised.value.message_dict


def test_clean_refuses_a_park_of_another_zone(zone):
    other = Zone.objects.create(region=zone.region, name="别的开发区", short_name="别区")
    park = Park.objects.create(zone=other, name="别园", kind=AreaKind.PARK, area_mu=Decimal(10))
    firm = _firm(zone, park=park)
    with pytest.raises(ValidationError) as raised:
        firm.full_clean()
    assert "park" in raised.value.message_dict


def test_above_scale_year_is_unique_per_enterprise_and_year(zone):
    firm = _firm(zone)
    firm.save()
    AboveScaleYear.objects.create(enterprise=firm, year=2023)
    with pytest.raises(IntegrityError), transaction.atomic():
        AboveScaleYear.objects.create(enterprise=firm, year=2023)


def test_firms_enter_and_leave_the_above_scale_list(zone):
    firm = _firm(zone)
    firm.save()
    AboveScaleYear.objects.bulk_create(
        [AboveScaleYear(enterprise=firm, year=y) for y in (2021, 2023)]
    )
    assert list(Enterprise.objects.above_scale_in(2021)) == [firm]
    assert list(Enterprise.objects.above_scale_in(2022)) == []
    assert list(Enterprise.objects.not_above_scale_in(2022)) == [firm]


def test_region_year_is_unique(zone):
    fields = {
        "region": zone.region,
        "year": 2023,
        "area_km2": Decimal(727),
        "population": 1,
        "industrial_output_yuan": 1,
        "industrial_investment_yuan": 1,
        "foreign_investment_usd": 1,
    }
    RegionYear.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionYear.objects.create(**fields)


def test_only_centres_lie_in_parks(zone):
    park = Park.objects.create(zone=zone, name="园", kind=AreaKind.PARK, area_mu=Decimal(100))
    with pytest.raises(IntegrityError), transaction.atomic():
        Park.objects.create(
            zone=zone, name="园中园", kind=AreaKind.PARK, area_mu=Decimal(10), located_in=park
        )


def test_park_area_converts_mu_to_km2(zone):
    park = Park(zone=zone, name="园", kind=AreaKind.PARK, area_mu=Decimal(1500))
    assert park.area_km2 == Decimal(1)


def test_centre_outline_must_lie_inside_its_park(zone):
    square = {
        "type": "Polygon",
        "coordinates": [[[120, 30], [120.1, 30], [120.1, 30.1], [120, 30.1], [120, 30]]],
    }
    park = Park.objects.create(
        zone=zone, name="园", kind=AreaKind.PARK, area_mu=Decimal(100), outline=square
    )
    inside = {
        "type": "Polygon",
        "coordinates": [[[120.01, 30.01], [120.02, 30.01], [120.02, 30.02], [120.01, 30.01]]],
    }
    outside = {
        "type": "Polygon",
        "coordinates": [[[120.2, 30.01], [120.3, 30.01], [120.3, 30.02], [120.2, 30.01]]],
    }
    Park(
        zone=zone,
        name="中心",
        kind=AreaKind.CENTRE,
        area_mu=Decimal(5),
        located_in=park,
        outline=inside,
    ).full_clean()
    with pytest.raises(ValidationError) as raised:
        Park(
            zone=zone,
            name="中心二",
            kind=AreaKind.CENTRE,
            area_mu=Decimal(5),
            located_in=park,
            outline=outside,
        ).full_clean()
    assert "outline" in raised.value.message_dict


def test_enterprise_membership_needs_an_enterprise(zone, django_user_model):
    user = django_user_model.objects.create_user("u", password="pw-123456-x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, zone=zone, role=Role.ENTERPRISE)


def test_staff_membership_must_not_name_an_enterprise(zone, django_user_model):
    firm = _firm(zone)
    firm.save()
    user = django_user_model.objects.create_user("u", password="pw-123456-x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, zone=zone, role=Role.ANALYST, enterprise=firm)


def test_generated_demo_style_codes_pass_both_checks():
    body = "MA2B4ED9"
    code = uscc.complete("91330483" + body + uscc.organisation_check_character(body))
    result = uscc.check(code)
    assert result.is_valid and not result.warnings


def test_credit_codes_are_stored_upper_case(zone):
    firm = _firm(zone, credit_code="91330100716105852f")
    with pytest.raises(IntegrityError), transaction.atomic():
        firm.save()


def test_reference_data_unloads_children_first():
    from django.apps import apps

    from parkbrain.registry.migrations import __name__ as package

    migration = __import__(f"{package}.0002_codes_and_tags", fromlist=["unload"])
    migration.unload(apps, None)
    assert IndustryCode.objects.count() == 0
    migration.load(apps, None)
    assert IndustryCode.objects.filter(level=CodeLevel.CLASS).count() == 1381
