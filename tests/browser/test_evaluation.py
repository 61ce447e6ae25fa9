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
