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


def test_admin_acknowledges_several_assigns_supervises_and_exports(
    page, live_server, zone, login, shot, console_errors
):
    """The monthly meeting's work: acknowledge a batch, give one to the manager serving the
    firm with a deadline, and take the list away as a spreadsheet."""
    login("admin")
    page.get_by_test_id("nav-warnings").click()
    picks = page.locator("input[form=acknowledge-selected]")
    expect(picks.first).to_be_visible()
    picks.nth(0).check()
    picks.nth(1).check()
    page.get_by_test_id("bulk").get_by_role("button", name="确认所选").click()
    expect(page.locator(".messages")).to_contain_text("已确认 2 条预警")

    served = zone.firms["gear"]
    alert = (
        Alert.objects.filter(enterprise__assignments__isnull=False, state="open")
        .exclude(enterprise=served)
        .first()
        or Alert.objects.filter(state="open").first()
    )
    page.goto(f"{live_server.url}/warnings/{alert.pk}/")
    people = page.locator("#assignee option")
    expect(people.first).to_be_attached()
    page.select_option("#assignee", index=people.count() - 1)
    page.get_by_test_id("assign-form").get_by_role("button").click()
    expect(page.locator(".messages")).to_contain_text("已指派给")
    expect(page.locator("#due")).to_have_value("2026-12-03")
    page.fill("#supervise-note", "请于期限内约谈企业并报送整改措施")
    page.get_by_test_id("supervise-form").get_by_role("button").click()
    expect(page.get_by_test_id("alert-follow-up")).to_contain_text("督办 · 2026-12-03前办结")
    expect(page.get_by_test_id("alert-history")).to_contain_text("请于期限内约谈企业")
    shot("warnings-follow-up")

    page.goto(f"{live_server.url}/warnings/?follow=supervised")
    expect(page.get_by_test_id("alert-row")).to_have_count(1)
    expect(page.get_by_test_id("supervised")).to_contain_text("督办 · 12月3日前办结")
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    assert download.value.suggested_filename == "预警清单-20261126.xlsx"
    shot("warnings-supervised")
    assert console_errors == []
