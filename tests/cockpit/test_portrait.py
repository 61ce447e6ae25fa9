from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from parkbrain.cockpit import portrait
from parkbrain.registry.models import Enterprise
from parkbrain.reporting.compute import CoefficientTable
from parkbrain.reporting.models import ReportValue


def test_median_of_odd_even_and_none():
    assert portrait.median([D(3), D(1), D(2)]) == D(2)
    assert portrait.median([D(4), D(1), D(3), D(2)]) == D("2.5")
    assert portrait.median([]) is None


def test_yearly_values_take_the_last_month_of_each_year():
    rows = [
        (1, 2025, 11, "output_value", D(90)),
        (1, 2025, 12, "output_value", D(100)),
        (1, 2026, 10, "output_value", D(70)),
        (2, 2026, 9, "output_value", D(50)),  # October not reported: no figure for 2026
    ]
    values = portrait.yearly_values(rows, {2025: 12, 2026: 10})
    assert values == {(1, 2025): {"output_value": D(100)}, (1, 2026): {"output_value": D(70)}}


def test_energy_intensity_is_tce_per_ten_thousand_yuan():
    table = CoefficientTable([("electricity", "equivalent", None, D("0.1229"))])
    # 1,000,000 kWh → 122.9 tce; output 5,000,000 yuan = 500 万元 → 0.2458 tce/万元
    figures = {"electricity": D(1_000_000), "output_value": D(5_000_000)}
    assert portrait.energy_intensity(figures, table, 2025) == D("0.2458")
    assert portrait.energy_intensity({"output_value": D(1)}, table, 2025) is None


@pytest.mark.django_db
def test_portrait_figures_and_industry_median(demo_with_reports):
    gear = demo_with_reports.firms["gear"]
    sheet = portrait.build(gear, date(2026, 11, 26), staff=True)
    output = next(s for s in sheet.series if s.code == "output_value")
    assert output.years == [2021, 2022, 2023, 2024, 2025, 2026]
    stored = ReportValue.objects.get(
        report__enterprise=gear, report__year=2025, report__month=12, indicator__code="output_value"
    ).value
    assert output.own[4] == stored
    peers = Enterprise.objects.filter(zone=gear.zone, industry=gear.industry)
    december = sorted(
        ReportValue.objects.filter(
            report__enterprise__in=peers,
            report__year=2025,
            report__month=12,
            indicator__code="output_value",
        ).values_list("value", flat=True)
    )
    assert output.peers[4] == len(december)
    assert output.median[4] == portrait.median(december)
    assert sheet.evaluations and sheet.evaluations[0].run.year == 2025


@pytest.mark.django_db
def test_portrait_tenancy(client, demo_with_reports, other_zone):
    gear, cobalt = demo_with_reports.firms["gear"], demo_with_reports.firms["cobalt"]
    client.force_login(demo_with_reports.user("gear"))
    assert client.get(reverse("cockpit:portrait", args=[gear.pk])).status_code == 200
    assert client.get(reverse("cockpit:portrait", args=[cobalt.pk])).status_code == 404
    client.force_login(other_zone["admin"])
    assert client.get(reverse("cockpit:portrait", args=[gear.pk])).status_code == 404
    client.force_login(demo_with_reports.user("analyst"))
    response = client.get(reverse("cockpit:portrait", args=[cobalt.pk]))
    assert response.status_code == 200
    assert cobalt.name in response.content.decode()
    client.logout()
    assert client.get(reverse("cockpit:portrait", args=[gear.pk])).status_code == 302


@pytest.mark.django_db
def test_a_project_manager_sees_assigned_portraits_only(client, demo_with_reports):
    from parkbrain.registry.models import Assignment

    pm = demo_with_reports.user("pm")
    assigned = set(Assignment.objects.filter(manager=pm).values_list("enterprise_id", flat=True))
    other = Enterprise.objects.filter(zone=demo_with_reports.zone).exclude(pk__in=assigned).first()
    client.force_login(pm)
    assert client.get(reverse("cockpit:portrait", args=[next(iter(assigned))])).status_code == 200
    assert client.get(reverse("cockpit:portrait", args=[other.pk])).status_code == 404
