from datetime import date
from decimal import Decimal as D

import pytest
from django.utils import translation

from parkbrain.registry import services as registry_services
from parkbrain.reporting import services
from parkbrain.reporting.choices import Channel, ReportStatus
from parkbrain.reporting.models import MonthlyReport, ReportRevision, ReportValue, ReportWarning
from parkbrain.reporting.validation import IncomingRow

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 26)


def row(firm, year, month, line=None, **values) -> IncomingRow:
    return IncomingRow(firm.credit_code, year, month, values, line=line)


def save(rows, principal, submit=False, channel=Channel.FORM):
    return services.save_reports(rows, principal, channel, submit=submit, today=TODAY)


def test_saves_values_with_history(demo):
    gear, user = demo.firms["gear"], demo.user("gear")
    result = save([row(gear, 2026, 1, output_value="1,200,000.50", electricity=80000)], user)
    assert (result.reports_created, result.values_changed) == (1, 2)
    report = MonthlyReport.objects.get(enterprise=gear, year=2026, month=1)
    assert report.status == ReportStatus.DRAFT
    values = dict(report.values.values_list("indicator__code", "value"))
    assert values == {"output_value": D("1200000.5"), "electricity": D(80000)}
    (revision,) = ReportRevision.objects.filter(report=report)
    assert (revision.changed_by, revision.token, revision.channel) == (user, None, "form")
    assert revision.changes == {
        "output_value": [None, "1200000.5000"],
        "electricity": [None, "80000.0000"],
    }


def test_the_same_batch_twice_changes_nothing(demo):
    gear, user = demo.firms["gear"], demo.user("gear")
    batch = [row(gear, 2026, m, output_value=m * 100) for m in (1, 2, 3)]
    first = save(batch, user)
    assert not first.unchanged
    history = ReportRevision.objects.count()
    again = save(batch, user)
    assert again.unchanged
    assert (again.reports_unchanged, again.values_changed) == (3, 0)
    assert ReportRevision.objects.count() == history == 3


def test_a_change_keeps_the_old_value_in_history(demo):
    gear, user = demo.firms["gear"], demo.user("gear")
    save([row(gear, 2026, 1, output_value=100)], user)
    result = save([row(gear, 2026, 1, output_value=120)], user, channel=Channel.API)
    assert (result.reports_changed, result.values_changed) == (1, 1)
    latest = ReportRevision.objects.order_by("-id").first()
    assert latest.changes == {"output_value": ["100.0000", "120.0000"]}
    assert latest.channel == "api"


def test_one_bad_row_among_many_saves_nothing_and_every_problem_is_listed(demo):
    gear, analyst = demo.firms["gear"], demo.user("analyst")
    rows = [row(gear, 2025, m, line=m + 1, output_value=m * 1000) for m in range(1, 13)]
    rows[4].values["output_value"] = "abc"  # row 6
    rows[7].values["taxes"] = "-5"  # row 9
    rows[9].month = 13  # row 11
    with translation.override("en"), pytest.raises(services.ReportsRejected) as rejected:
        save(rows, analyst)
    problems = [(p.row, p.column, p.value, p.reason) for p in rejected.value.problems]
    assert problems == [
        (6, "output_value", "abc", "Not a number."),
        (9, "taxes", "-5", "This figure cannot be negative."),
        (11, "month", "13", "The month must be a whole number from 1 to 12."),
    ]
    assert not MonthlyReport.objects.filter(enterprise=gear, year=2025).exists()


def test_year_to_date_figures_must_not_fall(demo):
    gear, user = demo.firms["gear"], demo.user("gear")
    save([row(gear, 2026, 1, output_value=500), row(gear, 2026, 3, output_value=900)], user)
    with translation.override("en"), pytest.raises(services.ReportsRejected) as rejected:
        save([row(gear, 2026, 2, line=7, output_value=400)], user)
    (problem,) = rejected.value.problems
    assert problem.row == 7
    assert (
        problem.reason == "A year-to-date figure cannot fall: 0.04 ten-thousand yuan is less than "
        "0.05 ten-thousand yuan for month 1."
    )
    with translation.override("en"), pytest.raises(services.ReportsRejected) as rejected:
        save([row(gear, 2026, 2, output_value=950)], user)
    assert (
        "more than the 0.09 ten-thousand yuan already reported for month 3"
        in rejected.value.problems[0].reason
    )


def test_profit_may_fall_and_be_negative(demo):
    gear, user = demo.firms["gear"], demo.user("gear")
    save([row(gear, 2026, 1, total_profit=100), row(gear, 2026, 2, total_profit=-30)], user)
    assert ReportValue.objects.filter(indicator__code="total_profit", value=D(-30)).exists()


def test_months_that_are_not_over_cannot_be_reported(demo):
    with translation.override("en"), pytest.raises(services.ReportsRejected) as rejected:
        save([row(demo.firms["gear"], 2026, 11, output_value=1)], demo.user("gear"))
    assert rejected.value.problems[0].reason == "Only months that are over can be reported."


def test_standard_coal_is_computed_never_reported(demo):
    with translation.override("en"), pytest.raises(services.ReportsRejected) as rejected:
        save([row(demo.firms["gear"], 2026, 1, energy_tce=5)], demo.user("gear"))
    assert "computed from the energy figures" in rejected.value.problems[0].reason


def test_an_enterprise_cannot_report_for_another(demo):
    with translation.override("en"), pytest.raises(services.ReportsRejected) as rejected:
        save([row(demo.firms["ev"], 2026, 1, output_value=1)], demo.user("gear"))
    assert rejected.value.problems[0].reason == (
        "No enterprise with this credit code is registered in your scope."
    )
    assert not MonthlyReport.objects.filter(enterprise=demo.firms["ev"]).exists()


def test_the_same_month_twice_in_one_batch_is_refused(demo):
    gear = demo.firms["gear"]
    rows = [row(gear, 2026, 1, line=2, output_value=1), row(gear, 2026, 1, line=3, output_value=2)]
    with translation.override("en"), pytest.raises(services.ReportsRejected) as rejected:
        save(rows, demo.user("analyst"))
    assert rejected.value.problems[0].row == 3
    assert "first on row 2" in rejected.value.problems[0].reason


def test_submitted_reports_are_locked_for_the_enterprise_until_returned(demo):
    gear, user, analyst = demo.firms["gear"], demo.user("gear"), demo.user("analyst")
    save([row(gear, 2026, 1, output_value=100)], user, submit=True)
    report = MonthlyReport.objects.get(enterprise=gear, year=2026, month=1)
    assert report.status == ReportStatus.SUBMITTED
    # Sending the same figures again is a harmless retry.
    assert save([row(gear, 2026, 1, output_value=100)], user, submit=True).unchanged
    with pytest.raises(services.ReportsRejected):
        save([row(gear, 2026, 1, output_value=101)], user)
    services.return_report(report, analyst, "产值与电量不匹配，请核实")
    report.refresh_from_db()
    assert (report.status, report.return_reason) == (
        ReportStatus.RETURNED,
        "产值与电量不匹配，请核实",
    )
    save([row(gear, 2026, 1, output_value=101)], user, submit=True)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.return_reason == ""
    services.accept_report(report, analyst)
    report.refresh_from_db()
    assert (report.status, report.reviewed_by) == (ReportStatus.ACCEPTED, analyst)
    statuses = list(report.status_changes.order_by("id").values_list("old_status", "new_status"))
    assert statuses == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "submitted"),
        ("submitted", "accepted"),
    ]


def test_only_zone_staff_review(demo):
    gear = demo.firms["gear"]
    save([row(gear, 2026, 1, output_value=100)], demo.user("gear"), submit=True)
    report = MonthlyReport.objects.get(enterprise=gear, year=2026, month=1)
    for username in ("gear", "pm"):
        with pytest.raises(services.ReviewRefused):
            services.accept_report(report, demo.user(username))
    with pytest.raises(services.ReviewRefused):
        services.return_report(report, demo.user("analyst"), "  ")


def test_tokens_are_recorded_as_the_actor(demo):
    token, _raw = registry_services.issue_api_token(demo.firms["gear"], "mes")
    save([row(demo.firms["gear"], 2026, 1, output_value=5)], token, channel=Channel.API)
    revision = ReportRevision.objects.get()
    assert (revision.token, revision.changed_by, revision.channel) == (token, None, "api")


def test_output_swing_against_last_year_is_a_stored_warning(demo):
    gear, analyst = demo.firms["gear"], demo.user("analyst")
    # 2025: Jan 100, Feb 100 (YTD 200). 2026: Jan 100, Feb 180 (YTD 280): +80 % in February.
    save(
        [
            row(gear, 2025, 1, output_value=100),
            row(gear, 2025, 2, output_value=200),
            row(gear, 2026, 1, output_value=100),
            row(gear, 2026, 2, output_value=280),
        ],
        analyst,
    )
    warnings = ReportWarning.objects.filter(report__enterprise=gear)
    assert [(w.report.period, w.rule) for w in warnings] == [("2026-02", "output_swing")]
    # Correcting last year's February removes the warning: comparisons follow both years.
    save([row(gear, 2025, 2, output_value=260)], analyst)
    assert not ReportWarning.objects.filter(report__enterprise=gear).exists()


def test_energy_intensity_doubling_is_a_stored_warning(demo):
    gear, analyst = demo.firms["gear"], demo.user("analyst")
    save(
        [
            row(gear, 2025, 1, output_value=1000, electricity=10000),
            row(gear, 2026, 1, output_value=1000, electricity=25000),
        ],
        analyst,
    )
    warning = ReportWarning.objects.get(report__year=2026)
    assert warning.rule == "intensity_doubled"
    assert warning.this_value == D("0.003073")  # 25,000 kWh × 0.1229 / 1000 / 1000 yuan
