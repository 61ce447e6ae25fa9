"""The demo zone comes with its warnings evaluated for the latest months."""

import pytest

from parkbrain.monitoring import compute, services
from parkbrain.monitoring.models import Alert, WarningRule
from parkbrain.reporting.models import MonthlyReport
from parkbrain.reporting.periods import last_complete_month
from tests.conftest import AS_OF

pytestmark = [pytest.mark.django_db, pytest.mark.clock]


def test_demo_zone_has_rules_and_warnings_of_the_latest_months(demo_with_reports):
    zone = demo_with_reports.zone
    assert WarningRule.objects.filter(zone=zone).count() == len(services.DEFAULT_RULES)
    alerts = Alert.objects.filter(rule__zone=zone)
    assert demo_with_reports.result.warning_count == alerts.count() > 0
    year, month = last_complete_month(AS_OF)
    # Every above-size firm that has not submitted October's report has a live warning.
    reported = MonthlyReport.objects.filter(
        year=year, month=month, status__in=compute.REPORT_IN
    ).values_list("enterprise_id", flat=True)
    owing = zone.enterprises.above_scale_in(year).exclude(id__in=reported)
    missing = alerts.filter(rule__code="missing_report", state="open", last_month__month=month)
    assert owing.exists()
    assert set(missing.values_list("enterprise_id", flat=True)) == set(
        owing.values_list("id", flat=True)
    )


def test_evaluating_the_demo_again_changes_nothing(demo_with_reports):
    year, month = last_complete_month(AS_OF)
    assert services.evaluate_month(demo_with_reports.zone, year, month).unchanged


def test_counts_for_the_cockpit_match_the_rows(demo_with_reports):
    zone = demo_with_reports.zone
    counts = compute.open_warning_counts(zone)
    live = Alert.objects.filter(rule__zone=zone, state__in=["open", "acknowledged"])
    assert counts.total == live.count()
    assert sum(counts.by_severity.values()) == counts.total


def test_the_planted_tax_slip_is_caught(demo_with_reports):
    """The demo keys one firm's latest taxes in ten thousand times over: taxes above revenue."""
    year, month = last_complete_month(AS_OF)
    caught = Alert.objects.filter(
        rule__zone=demo_with_reports.zone,
        rule__code="taxes_above_revenue",
        last_month__year=year,
        last_month__month=month,
    )
    assert caught.count() == 1
