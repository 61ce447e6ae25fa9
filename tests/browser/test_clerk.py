"""The enterprise statistics clerk's month: see what is owed, fill it in 万元, submit,
withdraw to correct, on a desktop and on a phone."""

import re

import pytest
from playwright.sync_api import expect

from parkbrain.reporting.models import MonthlyReport
from tests.conftest import _build, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zone(live_server):
    ensure_reference_data()
    return _build(reports=True)


def _fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide on a {width} px screen"


def test_clerk_fills_in_the_month_owed_and_withdraws_it(
    page, live_server, zone, login, shot, console_errors
):
    ev = zone.firms["ev"]
    september = dict(
        MonthlyReport.objects.get(enterprise=ev, year=2026, month=9).values.values_list(
            "indicator__code", "value"
        )
    )
    login("ev")
    expect(page.locator("h1")).to_have_text("待办事项")
    task = page.get_by_test_id("todo-reports").get_by_test_id("task").first
    expect(task).to_contain_text("2026年10月月报待报送")
    expect(task).to_contain_text("截止 11月6日")
    expect(task).to_contain_text("已逾期 14 个工作日")
    shot("clerk-home")

    task.get_by_text("去填报").click()
    expect(page.locator("h1")).to_have_text("2026年10月月报")
    # Year to date in 万元: September's figure plus October's, typed with grouping.
    october_wan = (september["output_value"] / 10_000 + 1234).quantize(1)
    page.fill("input[name=output_value]", f"{october_wan:,}")
    page.fill("input[name=electricity]", f"{september['electricity'] + 50_000:f}")
    page.click("button[value=submit]")
    expect(page.get_by_test_id("locked")).to_contain_text("等待开发区审核")
    expect(page.locator("input[name=output_value]")).to_have_count(0)
    report = MonthlyReport.objects.get(enterprise=ev, year=2026, month=10)
    assert report.status == "submitted"
    assert report.values.get(indicator__code="output_value").value == october_wan * 10_000
    shot("clerk-month-submitted")

    page.get_by_test_id("withdraw").click()
    expect(page.locator("input[name=output_value]")).to_have_value(f"{october_wan:,}")
    report.refresh_from_db()
    assert report.status == "draft"
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("todo-reports")).to_contain_text("已存草稿，尚未提交")
    assert console_errors == []


def test_clerk_pages_work_on_a_phone(page, live_server, zone, login, shot):
    page.set_viewport_size({"width": 390, "height": 844})
    login("ev")
    expect(page.locator("h1")).to_have_text("待办事项")
    _fits(page, 390)
    shot("clerk-home-phone")
    page.get_by_test_id("todo-reports").get_by_text("去填报").first.click()
    expect(page.locator("input[name=output_value]")).to_be_visible()
    _fits(page, 390)
    shot("clerk-month-phone")
    page.goto(f"{live_server.url}/reports/")
    _fits(page, 390)
    shot("clerk-reports-phone")


def test_a_returned_report_reaches_the_clerk_as_a_notification(
    page, live_server, zone, login, shot, console_errors
):
    from parkbrain.reporting import services as reporting

    ev = zone.firms["ev"]
    report = MonthlyReport.objects.filter(enterprise=ev, status="accepted").latest("year", "month")
    reporting.return_report(report, zone.user("analyst"), "营业收入低于上年同期一半，请核实")
    login("ev")
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    notices = page.get_by_test_id("todo-notices")
    expect(notices).to_contain_text("月报已被退回")
    expect(notices).to_contain_text("营业收入低于上年同期一半")
    shot("clerk-notice")
    page.get_by_test_id("bell").click()
    page.get_by_test_id("notification").first.locator("button").click()
    expect(page).to_have_url(re.compile(rf"/reports/{ev.pk}/{report.year}/{report.month}/"))
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    assert console_errors == []
