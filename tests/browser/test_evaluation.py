from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from parkbrain.evaluation.models import ResultMember
from tests.conftest import _build, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zone(live_server):
    ensure_reference_data()
    return _build(reports=True)


def test_analyst_reads_results_and_an_enterprise_reads_its_explanation(
    page, live_server, zone, login, shot, console_errors, offline
):
    login("analyst")
    # Links by address, not text: the new strings are translated when the lead runs makemessages.
    page.click("nav a[href='/evaluation/']")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("grade-counts")).to_be_visible()
    expect(page.locator("[data-chart=bar][data-rendered=true]")).to_have_count(1)
    shot("evaluation-results")

    page.get_by_test_id("results").locator("tbody a").first.click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("items")).to_be_visible()
    expect(page.locator("[data-chart=histogram][data-rendered=true]")).to_have_count(1)
    expect(page.locator("[data-chart=box][data-rendered=true]")).to_have_count(1)

    page.click("a[href^='/evaluation/policy/']")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("zone-totals")).to_be_visible()
    page.fill("input[name=r-D-electricity]", "0.3")
    page.click("[data-testid=rates] button[type=submit]")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("charges")).to_be_visible()
    shot("evaluation-policy")

    page.click("form[action='/logout/'] button")
    page.wait_for_load_state("networkidle")
    gear = zone.firms["gear"]
    login("gear")
    page.click("nav a[href='/evaluation/']")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("kpi-grade")).to_be_visible()
    result = ResultMember.objects.get(enterprise=gear).result
    expect(page.get_by_test_id("kpi-score")).to_contain_text(f"{result.score:.2f}")
    # The page is no wider than the window: nothing overflows sideways.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1440
    shot("evaluation-enterprise")
    assert console_errors == []
    assert offline == []


def test_objections_during_publicity_then_final_with_confirmation(
    page, live_server, zone, login, shot, console_errors, time_machine
):
    login("gear")
    page.click("nav a[href='/evaluation/']")
    expect(page.get_by_test_id("objection")).to_contain_text("公示期：2026-11-26 至 2026-12-02")
    page.fill("#objection-text", "研发费用加计扣除未计入，请复核研发经费占比。")
    page.get_by_role("button", name="提出异议").click()
    expect(page.locator(".messages")).to_contain_text("异议已登记")
    expect(page.get_by_test_id("objection-item")).to_contain_text("待答复")
    shot("evaluation-objection-raised")
    page.click("form[action='/logout/'] button")

    login("admin")
    page.click("nav a[href='/evaluation/']")
    expect(page.get_by_test_id("finalise")).to_be_disabled()
    expect(page.get_by_test_id("finalise-why")).to_contain_text("2026-12-02 次日起")
    table = page.get_by_test_id("objections")
    expect(table.locator("tbody tr")).to_have_count(2)
    shot("evaluation-objections")
    for reply in ("不予采纳：留抵退税不计入入库税款。", "不予采纳：研发经费按统计口径计。"):
        form = page.get_by_test_id("answer-form").first
        form.locator("textarea").fill(reply)
        form.get_by_role("button", name="答复").click()
        expect(page.locator(".messages")).to_contain_text("答复已保存")
    expect(page.get_by_test_id("answer-form")).to_have_count(0)

    time_machine.move_to(datetime(2026, 12, 3, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    login("admin")  # a week on, the session has expired
    page.goto(f"{live_server.url}/evaluation/")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_test_id("finalise").click()
    expect(page.locator(".messages")).to_contain_text("评价结果已确定")
    assert "确定后等级不再更改" in asked[0]
    assert console_errors == []
