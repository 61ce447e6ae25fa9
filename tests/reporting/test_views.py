import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from parkbrain.jobs.models import Job
from parkbrain.reporting import services
from parkbrain.reporting.choices import Channel
from parkbrain.reporting.models import ImportFile, MonthlyReport, ReportValue
from parkbrain.reporting.periods import (
    last_complete_month,
    month_before,
    months_over,
    recent_months,
)
from parkbrain.reporting.validation import IncomingRow
from tests.conftest import AS_OF

pytestmark = pytest.mark.django_db
# The latest month that is over on the pinned date, and the months of its year before it.
LATEST_YEAR, LATEST_MONTH = last_complete_month(AS_OF)
OPEN_MONTHS = months_over(LATEST_YEAR, AS_OF)


def _save(firm, principal, year, month, submit=False, **values):
    services.save_reports(
        [IncomingRow(firm.credit_code, year, month, values)], principal, Channel.FORM, submit
    )


def test_enterprise_user_lands_on_its_own_reports(client, demo):
    client.force_login(demo.user("gear"))
    response = client.get(reverse("reporting:mine"))
    assert response["Location"] == reverse("reporting:enterprise", args=[demo.firms["gear"].pk])
    client.force_login(demo.user("analyst"))
    assert client.get(reverse("reporting:mine"))["Location"] == reverse("reporting:completeness")


def test_reports_of_another_enterprise_are_404(client, demo):
    gear, ev = demo.firms["gear"], demo.firms["ev"]
    _save(ev, demo.user("ev"), 2026, 1, output_value=100)
    client.force_login(demo.user("gear"))
    assert client.get(reverse("reporting:enterprise", args=[ev.pk])).status_code == 404
    assert client.get(reverse("reporting:month", args=[ev.pk, 2026, 1])).status_code == 404
    response = client.post(reverse("reporting:month", args=[ev.pk, 2026, 1]), {"output_value": "5"})
    assert response.status_code == 404
    assert ReportValue.objects.get(report__enterprise=ev).value == 100
    assert client.get(reverse("reporting:enterprise", args=[gear.pk])).status_code == 200


def test_month_form_saves_submits_and_shows_errors(client, demo):
    gear = demo.firms["gear"]
    client.force_login(demo.user("gear"))
    url = reverse("reporting:month", args=[gear.pk, 2026, 2])
    response = client.post(url, {"output_value": "abc", "electricity": "-1", "action": "save"})
    assert response.status_code == 200
    fields = {f["indicator"].code: f for f in response.context["fields"]}
    assert fields["output_value"]["error"] == "不是数字。"
    assert fields["output_value"]["value"] == "abc"  # what was typed stays in the form
    assert fields["electricity"]["error"] == "此项不能为负数。"
    assert not MonthlyReport.objects.exists()
    # Money is typed in 万元, grouped or not, and stored exactly in 元.
    response = client.post(url, {"output_value": "1,200.0501", "action": "submit"})
    assert response.status_code == 302
    report = MonthlyReport.objects.get(enterprise=gear, year=2026, month=2)
    assert report.status == "submitted"
    assert report.values.get().value == Decimal("12000501")
    # Submitted: the enterprise can no longer change it; the page says why and shows the
    # figure in 万元, not in an input that looks editable.
    assert client.post(url, {"output_value": "1", "action": "save"}).status_code == 403
    response = client.get(url)
    fields = {f["indicator"].code: f for f in response.context["fields"]}
    output = fields["output_value"]
    assert (output["value"], output["unit"]) == ("1,200.0501", "万元")
    body = response.content.decode()
    assert 'name="output_value"' not in body
    assert "等待开发区审核" in body and 'value="withdraw"' in body


def test_a_submitted_report_is_withdrawn_until_it_is_reviewed(client, demo):
    gear = demo.firms["gear"]
    _save(gear, demo.user("gear"), 2026, 3, submit=True, output_value=10)
    url = reverse("reporting:month", args=[gear.pk, 2026, 3])
    report = MonthlyReport.objects.get(enterprise=gear)
    # Neither a project manager nor another enterprise may withdraw it.
    client.force_login(demo.user("pm"))
    assert client.post(url, {"action": "withdraw"}).status_code == 403
    client.force_login(demo.user("ev"))
    assert client.post(url, {"action": "withdraw"}).status_code == 404
    client.force_login(demo.user("gear"))
    client.post(url, {"action": "withdraw"})
    report.refresh_from_db()
    assert report.status == "draft"
    change = report.status_changes.order_by("-id").first()
    assert (change.old_status, change.new_status, change.changed_by) == (
        "submitted",
        "draft",
        demo.user("gear"),
    )
    assert client.post(url, {"output_value": "12", "action": "submit"}).status_code == 302
    # Once accepted it stays: withdrawing is refused and says so.
    services.accept_report(report, demo.user("analyst"))
    response = client.post(url, {"action": "withdraw"}, follow=True)
    assert "只有尚未审核的已提交报表才能撤回" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "accepted"
    assert "withdraw" not in client.get(url).content.decode()


@pytest.mark.clock
def test_months_that_are_not_over_have_no_form(client, demo):
    client.force_login(demo.user("gear"))
    gear = demo.firms["gear"].pk
    this_month = reverse("reporting:month", args=[gear, AS_OF.year, AS_OF.month])
    assert client.get(this_month).status_code == 404
    next_year = reverse("reporting:month", args=[gear, AS_OF.year + 1, 1])
    assert client.get(next_year).status_code == 404
    latest = reverse("reporting:month", args=[gear, LATEST_YEAR, LATEST_MONTH])
    assert client.get(latest).status_code == 200


def test_analyst_accepts_and_returns(client, demo):
    gear = demo.firms["gear"]
    _save(gear, demo.user("gear"), 2026, 3, submit=True, output_value=10)
    client.force_login(demo.user("analyst"))
    url = reverse("reporting:month", args=[gear.pk, 2026, 3])
    client.post(url, {"action": "return", "reason": "请补充用电量"})
    report = MonthlyReport.objects.get(enterprise=gear)
    assert (report.status, report.return_reason) == ("returned", "请补充用电量")
    client.force_login(demo.user("gear"))
    body = client.get(url).content.decode()
    assert "请补充用电量" in body


def test_project_managers_read_but_do_not_write_or_review(client, demo):
    gear = demo.firms["gear"]
    _save(gear, demo.user("gear"), 2026, 3, submit=True, output_value=10)
    client.force_login(demo.user("pm"))
    url = reverse("reporting:month", args=[gear.pk, 2026, 3])
    assert client.get(url).status_code == 200
    assert client.post(url, {"output_value": "11", "action": "save"}).status_code == 403
    client.post(url, {"action": "accept"})
    assert MonthlyReport.objects.get(enterprise=gear).status == "submitted"
    upload = SimpleUploadedFile("a.csv", b"x")
    assert client.post(reverse("reporting:upload"), {"file": upload}).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_upload_with_errors_saves_nothing(client, committed_demo, run_jobs):
    demo = committed_demo
    gear = demo.firms["gear"]
    client.force_login(demo.user("gear"))
    text = (
        "统一社会信用代码,年份,月份,工业总产值（当年价格）\n"
        f"{gear.credit_code},2026,1,100\n{gear.credit_code},2026,2,abc\n"
        f"{demo.firms['ev'].credit_code},2026,3,100\n"
    )
    upload = SimpleUploadedFile("月报.csv", text.encode(), content_type="text/csv")
    response = client.post(reverse("reporting:upload"), {"file": upload})
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    waiting = client.get(response["Location"])
    assert 'data-testid="job-progress"' in waiting.content.decode()
    assert waiting.context["job"].state == "queued"
    run_jobs()
    page = client.get(response["Location"])
    job = page.context["job"]
    assert job.state == "succeeded" and not job.outcome["saved"]
    problems = [(p["row"], p["column"]) for p in job.outcome["problems"]]
    assert problems == [(3, "工业总产值（当年价格）"), (4, "统一社会信用代码")]
    assert 'data-testid="upload-errors"' in page.content.decode()
    assert not MonthlyReport.objects.exists()
    assert not ImportFile.objects.get().saved
    # The job is its uploader's: another enterprise's user does not see it.
    client.force_login(demo.user("ev"))
    assert client.get(response["Location"]).status_code == 404


@pytest.mark.clock
def test_template_is_prefilled_for_the_caller(client, demo):
    gear = demo.firms["gear"]
    client.force_login(demo.user("gear"))
    latest = (LATEST_YEAR, LATEST_MONTH)
    before = month_before(*latest)
    _save(gear, demo.user("gear"), *latest, submit=True, output_value=1)
    _save(gear, demo.user("gear"), *before, output_value=1)  # a draft is still owed
    response = client.get(reverse("reporting:template"))
    sheet = load_workbook(io.BytesIO(response.content))["月报"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # The months of the last twelve over, in years the firm is 规上, not yet submitted.
    above = set(gear.above_scale_years.values_list("year", flat=True))
    owed = [(y, m) for y, m in recent_months(AS_OF, 12) if y in above and (y, m) != latest]
    assert before in owed
    assert [(row[2], row[3]) for row in rows] == owed
    assert {(row[0], row[1]) for row in rows} == {(gear.credit_code, gear.name)}
    client.force_login(demo.user("analyst"))
    response = client.get(reverse("reporting:template") + "?format=csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) - 1 == demo.zone.enterprises.above_scale_in(LATEST_YEAR).count()


@pytest.mark.clock
def test_completeness_counts_and_reminder_list(client, demo):
    gear, ev = demo.firms["gear"], demo.firms["ev"]
    for month in OPEN_MONTHS:
        _save(gear, demo.user("analyst"), LATEST_YEAR, month, submit=True, output_value=month)
    client.force_login(demo.user("analyst"))
    response = client.get(reverse("reporting:completeness"))  # the latest month's year
    assert response.context["year"] == LATEST_YEAR
    assert response.context["months"] == OPEN_MONTHS
    firms = demo.zone.enterprises.above_scale_in(LATEST_YEAR).count()
    assert response.context["firm_count"] == firms
    assert response.context["owing_count"] == firms - 1
    latest = response.context["summary"][-1]
    assert (latest["month"], latest["submitted"], latest["missing"]) == (
        LATEST_MONTH,
        1,
        firms - 1,
    )
    assert gear.pk not in [row["enterprise"].pk for row in response.context["rows"]]
    all_rows = client.get(reverse("reporting:completeness"), {"all": "1"})
    assert len(all_rows.context["rows"]) == firms
    export = client.get(reverse("reporting:completeness"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    listed = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert gear.credit_code not in listed
    assert listed[ev.credit_code][3] == "、".join(f"{m}月" for m in OPEN_MONTHS)


def test_completeness_is_scoped(client, demo):
    client.force_login(demo.user("pm2"))
    response = client.get(reverse("reporting:completeness"), {"year": 2026, "all": "1"})
    shown = {row["enterprise"].pk for row in response.context["rows"]}
    assert demo.firms["gear"].pk not in shown
    client.force_login(demo.user("gear"))
    assert client.get(reverse("reporting:completeness")).status_code == 302


def test_enterprise_page_shows_derived_monthly_output(client, demo):
    gear = demo.firms["gear"]
    _save(gear, demo.user("gear"), 2026, 1, output_value=1_000_000)
    _save(gear, demo.user("gear"), 2026, 2, output_value=2_500_000)
    client.force_login(demo.user("gear"))
    response = client.get(reverse("reporting:enterprise", args=[gear.pk]), {"year": 2026})
    months = {m["month"]: m for m in response.context["months"]}
    assert months[2]["output"] == 1_500_000  # year to date 2.5 M less January's 1 M
    series = response.context["chart"]["series"][1]["values"]
    assert series[:3] == [100.0, 150.0, None]  # ten-thousand yuan


def test_the_back_link_after_an_upload_stays_on_this_site(client, demo):
    client.force_login(demo.user("gear"))
    for back, expected in (
        ("javascript:alert(1)", reverse("reporting:mine")),
        ("https://evil.example/", reverse("reporting:mine")),
        ("/reports/?year=2025", "/reports/?year=2025"),
    ):
        upload = SimpleUploadedFile("a.csv", b"x")
        client.post(reverse("reporting:upload"), {"file": upload, "back": back})
        assert Job.objects.latest("id").arguments["back"] == expected


def test_standard_coal_follows_the_chosen_electricity_convention(client, demo):
    gear = demo.firms["gear"]
    _save(gear, demo.user("gear"), 2025, 1, output_value=1000, electricity=100_000)
    client.force_login(demo.user("gear"))
    url = reverse("reporting:month", args=[gear.pk, 2025, 1])

    def coal(query: str):
        fields = client.get(url + query).context["fields"]
        return next(f["month_value"] for f in fields if f["indicator"].code == "energy_tce")

    assert coal("") == coal("?convention=equivalent") == Decimal("12.29")  # 100,000 × 0.1229 kg
    assert coal("?convention=equal") == Decimal("30.00")  # 2025 equal value 0.3000 kg/kWh
    assert coal("?convention=nonsense") == Decimal("12.29")


def test_the_year_to_date_label_does_not_break_mid_phrase(client, demo):
    gear = demo.firms["gear"]
    client.force_login(demo.user("gear"))
    html = client.get(reverse("reporting:month", args=[gear.pk, 2026, 2])).content.decode()
    assert '<td class="wide-only nowrap">1-本月累计</td>' in html
