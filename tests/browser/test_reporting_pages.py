import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from parkbrain.reporting.models import MonthlyReport
from parkbrain.reporting.spreadsheets import template_columns
from tests.conftest import _build, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zone(live_server):
    ensure_reference_data()
    return _build(reports=True)


def _workbook(path, firm, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([c.header for c in template_columns()])
    width = len(template_columns())
    for year, month, output, electricity in rows:
        row = [firm.credit_code, firm.name, year, month] + [None] * (width - 4)
        row[4] = output
        row[4 + 5] = electricity  # 用电量 is the sixth indicator
        sheet.append(row)
    workbook.save(path)


def test_upload_with_errors_then_fixed(
    page, live_server, zone, login, shot, console_errors, tmp_path, job_worker
):
    """An enterprise clerk uploads a file with mistakes, reads the table, fixes them, succeeds."""
    gear = zone.firms["gear"]
    MonthlyReport.objects.filter(enterprise=gear, year=2026, month__gte=9).delete()
    login("gear")
    page.click("text=数据报送")
    expect(page.locator("h1")).to_have_text("数据报送")
    shot("reports-enterprise")
    bad = tmp_path / "月报.xlsx"
    _workbook(bad, gear, [(2026, 9, "二千万", None), (2026, 10, None, -5)])
    page.set_input_files("input[name=file]", str(bad))
    page.click("[data-testid=upload-form] button[type=submit]")
    # The worker checks the file; the job's page follows it and shows the outcome.
    expect(page.get_by_test_id("job-progress")).to_be_visible()
    expect(page.get_by_test_id("upload-refused")).to_contain_text("未保存任何数据：共 2 个问题")
    errors = page.get_by_test_id("upload-errors").locator("tbody tr")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("二千万")
    expect(errors.nth(0)).to_contain_text("不是数字")
    expect(errors.nth(1)).to_contain_text("此项不能为负数")
    shot("reports-upload-errors")
    assert not MonthlyReport.objects.filter(enterprise=gear, year=2026, month__gte=9).exists()

    good = tmp_path / "月报-改.xlsx"
    august = dict(
        MonthlyReport.objects.get(enterprise=gear, year=2026, month=8).values.values_list(
            "indicator__code", "value"
        )
    )
    output, power = august["output_value"], august["electricity"]
    rows = [(2026, 9, output + 20_000_000, power + 600_000)]
    rows.append((2026, 10, output + 41_000_000, power + 1_250_000))
    _workbook(good, gear, rows)
    page.click("text=返回")
    page.set_input_files("input[name=file]", str(good))
    page.check("input[name=submit]")
    page.click("[data-testid=upload-form] button[type=submit]")
    expect(page.get_by_test_id("upload-saved")).to_be_visible()
    shot("reports-upload-saved")
    statuses = set(
        MonthlyReport.objects.filter(enterprise=gear, year=2026, month__gte=9).values_list(
            "status", flat=True
        )
    )
    assert statuses == {"submitted"}
    assert console_errors == []


def test_month_form_and_review(page, live_server, zone, login, shot, console_errors):
    gear = zone.firms["gear"]
    report = MonthlyReport.objects.get(enterprise=gear, year=2026, month=9)
    report.status = "submitted"
    report.save()
    login("analyst")
    page.goto(f"{live_server.url}/reports/{gear.pk}/2026/9/")
    expect(page.locator("h1")).to_have_text("2026年9月月报")
    shot("reports-month")
    page.fill("#reason", "出口交货值偏低，请核实")
    page.click("text=退回企业")
    expect(page.get_by_test_id("return-reason")).to_contain_text("出口交货值偏低")
    report.refresh_from_db()
    assert report.status == "returned"
    assert console_errors == []


def test_completeness_view(page, live_server, zone, login, shot, console_errors):
    login("analyst")
    page.click("text=报送情况")
    expect(page.locator("h1")).to_have_text("报送情况")
    expect(page.get_by_test_id("matrix")).to_be_visible()
    shot("reports-completeness")
    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert console_errors == []
