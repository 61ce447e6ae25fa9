"""The monthly meeting's question: how far are we with the year's targets?"""

import pytest
from playwright.sync_api import expect

from tests.conftest import _build, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zone(live_server):
    ensure_reference_data()
    return _build(reports=True)


def test_targets_show_completion_against_the_year_gone(
    page, live_server, zone, login, shot, console_errors, offline
):
    login("admin")
    page.get_by_test_id("nav-targets").click()
    expect(page.locator("h1")).to_have_text("年度目标")
    rows = page.get_by_test_id("target-row")
    expect(rows.first).to_contain_text("全区")
    expect(page.locator("main")).to_contain_text("时间进度")
    page.select_option("#indicator", label="营业收入")
    page.fill("#value", "480")
    page.get_by_test_id("set-target").get_by_role("button", name="保存").click()
    expect(page.locator(".messages")).to_contain_text("已设定2026年度目标：营业收入 480 亿元")
    expect(page.get_by_test_id("targets")).to_contain_text("480.00 亿元")
    page.fill("#month", "2026-06")
    page.locator("#month").dispatch_event("change")
    expect(page.locator("main")).to_contain_text("时间进度 50%")
    expect(page.get_by_test_id("targets")).not_to_contain_text("6月起考核")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1440, f"the page is {width} px wide"
    shot("targets")
    assert console_errors == [] and offline == []
