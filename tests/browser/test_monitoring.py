import pytest
from playwright.sync_api import expect

from parkbrain.monitoring.models import Alert
from tests.conftest import _build, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zone(live_server):
    ensure_reference_data()
    return _build(scale=0.1, reports=True)  # large enough for a list worth reading


def test_list_acknowledge_with_a_note_then_resolve(
    page, live_server, zone, login, shot, console_errors, offline
):
    """An analyst works through the warning list: opens one, acknowledges it with a note,
    then resolves it saying what was done."""
    login("analyst")
    page.get_by_test_id("nav-warnings").click()
    rows = page.get_by_test_id("alert-row")
    expect(rows.first).to_be_visible()
    live = Alert.objects.filter(rule__zone=zone.zone, state__in=["open", "acknowledged"])
    expect(rows).to_have_count(min(live.count(), 50))
    expect(page.get_by_test_id("state-counts")).to_be_visible()
    shot("warnings-list")

    alert = live.filter(state="open").order_by("rule__sort_order", "id").first()
    page.goto(f"{live_server.url}/warnings/{alert.pk}/")
    expect(page.get_by_test_id("alert-message")).to_be_visible()
    page.fill("#ack-note", "已电话联系企业财务，正在核实")
    page.locator("form[action$='/acknowledge/'] button").click()
    expect(page.get_by_test_id("alert-history")).to_contain_text("已电话联系企业财务，正在核实")
    alert.refresh_from_db()
    assert alert.state == "acknowledged"

    page.fill("#resolve-note", "企业已补报并说明原因，数据无误")
    page.locator("form[action$='/resolve/'] button").click()
    expect(page.get_by_test_id("alert-history")).to_contain_text("企业已补报并说明原因")
    expect(page.get_by_test_id("alert-actions")).to_have_count(0)
    alert.refresh_from_db()
    assert alert.state == "resolved"
    shot("warnings-detail")
    assert console_errors == []
    assert offline == []
