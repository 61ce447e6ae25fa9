"""Annual targets: completion against the year gone, the half-year check, 环比 and 同比, each
worked out by hand on a small zone; who sets them and who sees them."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from parkbrain.cockpit import targets
from parkbrain.cockpit.compute import Period
from parkbrain.cockpit.models import AnnualTarget
from parkbrain.reporting.models import Indicator, ReportValue

pytestmark = pytest.mark.django_db


def _rows(values: dict) -> dict:
    """code → month → firm → (this year, last year), as load_firm_rows gives them."""
    return {"output_value": values}


def test_month_figures_and_their_changes_by_hand():
    # Year to date: firm 1 100, 250, 420 this year; 90, 200, 330 last year. Firm 2 only this
    # year (a new firm) 50, 110, 160.
    rows = _rows(
        {
            1: {1: (Decimal(100), Decimal(90)), 2: (Decimal(50), None)},
            2: {1: (Decimal(250), Decimal(200)), 2: (Decimal(110), None)},
            3: {1: (Decimal(420), Decimal(330)), 2: (Decimal(160), None)},
        }
    )
    march = targets.month_total(rows, "output_value", 0, 3)
    february = targets.month_total(rows, "output_value", 0, 2)
    assert march == {1: Decimal(170), 2: Decimal(50)}
    assert february == {1: Decimal(150), 2: Decimal(60)}
    # 环比 over the firms in both months: 220 / 210 − 1.
    assert targets.change(march, february) == Decimal(220) / Decimal(210) - 1
    # 同比 over firm 1 alone: 170 / 130 − 1.
    last_march = targets.month_total(rows, "output_value", 1, 3)
    assert targets.change(march, last_march) == Decimal(170) / Decimal(130) - 1
    assert targets.change(march, {}) is None


def test_completion_time_share_and_the_half_year_check():
    indicator = Indicator(code="output_value", name="工业总产值", unit="元")
    target = AnnualTarget(year=2026, indicator=indicator, value=Decimal(1000))
    rows = _rows({6: {1: (Decimal(450), Decimal(400))}, 5: {1: (Decimal(380), Decimal(330))}})
    june = targets.measure(target, rows, Period("ytd", 2026, 6), held_out=0)
    assert (june.done, june.completion, june.time_share) == (
        Decimal(450),
        Decimal("0.45"),
        Decimal("0.5"),
    )
    assert june.half_check is False  # 时间过半, 任务未过半
    assert june.ahead == Decimal("-0.05") and june.ahead_points == Decimal(5)
    assert june.growth == Decimal(450) / Decimal(400) - 1
    assert june.month_value == Decimal(70)
    may = targets.measure(target, rows, Period("ytd", 2026, 5), held_out=0)
    assert may.half_check is None  # not asked before June


def test_the_demo_targets_are_last_years_figures_raised_and_measured(demo_with_reports):
    zone = demo_with_reports.zone
    output = AnnualTarget.objects.get(
        zone=zone, year=2026, indicator__code="output_value", park=None
    )
    last_year = sum(
        ReportValue.objects.filter(
            report__enterprise__zone=zone,
            report__year=2025,
            report__month=12,
            report__status="accepted",
            indicator__code="output_value",
        ).values_list("value", flat=True)
    )
    assert output.value == (last_year * Decimal("1.08")).quantize(Decimal(1))
    measured = {
        (p.target.indicator.code, p.target.park_id): p for p in targets.progress(zone, 2026, 10)
    }
    zone_output = measured[("output_value", None)]
    counted = sum(
        ReportValue.objects.filter(
            report__enterprise__zone=zone,
            report__year=2026,
            report__month=10,
            report__status="accepted",
            indicator__code="output_value",
        ).values_list("value", flat=True)
    )
    # Reviewed reports only: accepted ones, bar any held out for a serious check.
    assert zone_output.done <= counted
    assert zone_output.completion == zone_output.done / output.value
    parks = [p for (code, park), p in measured.items() if park is not None]
    assert parks and sum(p.done for p in parks) <= zone_output.done


def test_only_the_zones_administrator_sets_a_target(client, demo_with_reports, other_zone):
    zone = demo_with_reports.zone
    url = reverse("cockpit:targets")
    data = {"indicator": "taxes", "park": "", "value": "25.5"}
    client.force_login(demo_with_reports.user("analyst"))
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="set-target"' not in page.content.decode()
    assert client.post(url, data).status_code == 403
    client.force_login(demo_with_reports.user("admin"))
    client.post(url, data)
    taxes = AnnualTarget.objects.get(zone=zone, year=2026, indicator__code="taxes", park=None)
    assert taxes.value == Decimal("2550000000")  # 25.5 亿元
    for username in ("gear", "pm"):
        client.force_login(demo_with_reports.user(username))
        assert client.get(url).status_code == 403
        assert client.post(url, data).status_code == 403
    client.force_login(other_zone["admin"])
    page = client.get(url).content.decode()
    assert "尚未设定2026年度目标" in page and "25.50" not in page
    other_park = other_zone["park"]
    client.post(url, {"indicator": "taxes", "park": demo_park(zone).pk, "value": "1"})
    assert not AnnualTarget.objects.filter(zone=other_zone["zone"]).exists()
    assert other_park.zone_id == other_zone["zone"].pk


def demo_park(zone):
    return zone.parks.filter(kind="park").first()


def test_the_page_shows_the_check_for_the_chosen_month(client, demo_with_reports):
    client.force_login(demo_with_reports.user("analyst"))
    response = client.get(reverse("cockpit:targets"), {"month": "2026-06"})
    rows = response.context["rows"]
    assert rows and all(r["p"].time_share == Decimal("0.5") for r in rows)
    page = response.content.decode()
    checks = [r["p"].half_check for r in rows]
    assert None not in checks  # June is when 时间过半 is asked
    assert page.count("任务未过半") == checks.count(False)
    # A month not yet over is not measured: the page stays on the latest.
    later = client.get(reverse("cockpit:targets"), {"month": "2026-12"}).context
    assert later["month"] <= 10 and date(later["year"], later["month"], 1) < date(2026, 11, 1)


def test_januarys_month_before_is_last_december():
    indicator = Indicator(code="output_value", name="工业总产值", unit="元")
    target = AnnualTarget(year=2027, indicator=indicator, value=Decimal(1200))
    # Last year: November 1,000 and December 1,100 year to date, so December alone was 100.
    rows = _rows(
        {
            1: {1: (Decimal(120), Decimal(80))},
            11: {1: (None, Decimal(1000))},
            12: {1: (None, Decimal(1100))},
        }
    )
    january = targets.measure(target, rows, Period("ytd", 2027, 1), held_out=0)
    assert january.month_value == Decimal(120)
    assert january.month_on_month == Decimal("0.2")  # 120 on December's 100
    assert january.month_on_year == Decimal("0.5")  # 120 on last January's 80
    assert january.time_share == Decimal(1) / 12 and january.half_check is None
