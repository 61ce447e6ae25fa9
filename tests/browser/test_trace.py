import json

import pytest
from playwright.sync_api import expect

from tests.conftest import _build, ensure_reference_data
from tests.trace import corpora
from tests.trace.test_genealogy import GEAR_PLANT, HEAT, S1

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zone(live_server):
    ensure_reference_data()
    return _build()


def test_genealogy_from_a_gear_back_to_the_steel_heat(
    page, live_server, zone, login, shot, console_errors, offline
):
    from django.test import Client

    from parkbrain.registry import services

    _token, raw = services.issue_api_token(zone.firms["gear"], "mes")
    document = corpora.wrapped(GEAR_PLANT[0])
    document["epcisBody"]["eventList"] = GEAR_PLANT
    answer = Client().post(
        "/api/epcis/capture",
        data=json.dumps(document),
        content_type="application/ld+json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert answer.status_code == 202 and answer.json()["success"]

    login("gear")
    page.get_by_test_id("nav-trace").click()
    expect(page.locator("h1")).to_have_text("质量追溯")
    page.fill("#epc", S1)
    page.click("[data-testid=trace-form] button[type=submit]")
    expect(page.locator("[data-genealogy-chart][data-rendered=true]")).to_have_count(1)
    shot("trace-genealogy")
    # Click through to the heat in the table: its own page traces from it.
    page.get_by_test_id("tab-table").click()
    expect(page.get_by_test_id("trace-nodes")).to_contain_text("HEAT-1")
    page.get_by_test_id("trace-nodes").get_by_role("link", name="HEAT-1").click()
    expect(page.locator("#epc")).to_have_value(HEAT)
    assert console_errors == []
    assert offline == []


def test_from_a_gears_genealogy_to_the_heat_and_its_recall(
    page, live_server, zone, login, shot, console_errors, offline
):
    from django.test import Client

    from parkbrain.registry import services
    from tests.trace.test_recall import EV_NAME, EV_PARTY, PLANT, S2, WAREHOUSE
    from tests.trace.test_recall import S1 as GEAR

    _token, raw = services.issue_api_token(zone.firms["gear"], "mes")
    document = corpora.wrapped(PLANT[0])
    document["epcisBody"]["eventList"] = PLANT
    # The plant's MES names its warehouse and its customer in the document's master data.
    named = [(WAREHOUSE, "成品仓库"), (EV_PARTY, EV_NAME)]
    document["epcisHeader"] = {
        "epcisMasterData": {
            "vocabularyList": [
                {
                    "type": "urn:epcglobal:epcis:vtype:BusinessLocation",
                    "vocabularyElementList": [
                        {"id": uri, "attributes": [{"id": "cbvmda:name", "attribute": name}]}
                        for uri, name in named
                    ],
                }
            ]
        }
    }
    answer = Client().post(
        "/api/epcis/capture",
        data=json.dumps(document),
        content_type="application/ld+json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert answer.status_code == 202 and answer.json()["success"], answer.json()

    login("gear")
    page.get_by_test_id("nav-trace").click()
    page.fill("#epc", GEAR)
    page.click("[data-testid=trace-form] button[type=submit]")
    expect(page.locator("[data-genealogy-chart][data-rendered=true]")).to_have_count(1)
    page.get_by_test_id("tab-table").click()
    page.get_by_test_id("trace-nodes").get_by_role("link", name="HEAT-1").click()
    expect(page.locator("#epc")).to_have_value(HEAT)
    # From the heat's own row: the recall scope of everything made from it.
    page.get_by_test_id("tab-table").click()
    page.get_by_test_id("trace-nodes").get_by_test_id("recall-from").first.click()
    expect(page.get_by_test_id("recall-summary")).to_be_visible()
    expect(page.get_by_test_id("count-affected")).to_have_text("7")
    expect(page.get_by_test_id("count-in-stock")).to_have_text("5")
    expect(page.get_by_test_id("recall-stock")).to_contain_text(S2.split(":")[-1])
    expect(page.get_by_test_id("recall-customers")).to_contain_text(EV_NAME)
    expect(page.get_by_test_id("recall-stock")).to_contain_text("成品仓库")
    page.evaluate("document.fonts.ready")
    shot("trace-recall-scope")
    page.fill("#reason", "炉号 HEAT-1 硬度不合格")
    page.get_by_test_id("recall-create").get_by_role("button").click()
    expect(page.get_by_test_id("recall-state")).to_have_attribute("data-state", "draft")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("recall-execute").get_by_role("button").click()
    expect(page.get_by_test_id("recall-state")).to_have_attribute("data-state", "executed")
    expect(page.get_by_test_id("recall-marked")).to_contain_text("5")
    expect(page.get_by_test_id("count-recalled")).to_have_text("5")
    page.evaluate("document.fonts.ready")
    shot("trace-recall-executed")
    assert console_errors == []
    assert offline == []


def test_the_quality_engineer_finds_a_lot_by_machine_traces_it_and_recalls_a_heat(
    page, live_server, zone, login, shot, console_errors, offline
):
    from parkbrain.demo.trace import build_trace
    from parkbrain.trace import gearplant
    from parkbrain.trace.models import EventIdentifier
    from tests.conftest import AS_OF

    build_trace(AS_OF, seed=3, days=8, lines=2)
    heat = EventIdentifier.objects.filter(uri__startswith=gearplant.STEEL).order_by("uri")[0].uri
    login("gear")
    page.get_by_test_id("nav-trace").click()
    field = page.locator("#epc")
    assert field.get_attribute("placeholder").startswith("例如 ")
    # No URN: the machine by the first letters of its name, from the suggestions.
    field.press_sequentially("滚齿")
    expect(page.locator("#epc-suggestions option[value='滚齿机 HOB0001']")).to_have_count(1)
    field.fill("滚齿机 HOB0001")
    page.click("[data-testid=trace-form] button[type=submit]")
    choices = page.get_by_test_id("trace-choices")
    expect(choices).to_contain_text("二挡从动齿轮（滚齿后）")
    expect(choices).to_contain_text("滚齿机 HOB0001")
    shot("trace-find-by-machine")
    choices.get_by_role("link").first.click()
    expect(page.locator("[data-genealogy-chart][data-rendered=true]")).to_have_count(1)
    # Forward from the steel heat, typed by its number: fan-outs are grouped as "+N".
    field.fill(heat.rsplit(".", 1)[1])
    page.select_option("#direction", "forward")
    page.click("[data-testid=trace-form] button[type=submit]")
    chart = page.locator("[data-genealogy-chart][data-rendered=true]")
    expect(chart).to_have_count(1)
    groups, shown = int(chart.get_attribute("data-groups")), int(chart.get_attribute("data-shown"))
    assert groups >= 1
    page.evaluate("document.fonts.ready")
    shot("trace-forward-grouped")
    # A click on the first group opens it.
    at = page.evaluate(
        """() => {
          const box = document.querySelector('[data-genealogy-chart]');
          const chart = echarts.getInstanceByDom(box);
          const node = chart.getOption().series[0].data.find((d) => d.group);
          return chart.convertToPixel({ seriesIndex: 0 }, [node.x, node.y]);
        }"""
    )
    box = chart.bounding_box()
    page.mouse.click(box["x"] + at[0], box["y"] + at[1])
    expect(chart).not_to_have_attribute("data-shown", str(shown))
    assert int(chart.get_attribute("data-shown")) > shown
    page.mouse.move(0, 0)
    shot("trace-forward-group-open")
    page.get_by_test_id("tab-table").click()
    table = page.get_by_test_id("trace-nodes")
    expect(table).to_be_visible()
    expect(page.get_by_test_id("genealogy-graph")).to_be_hidden()
    expect(table).to_contain_text("20CrMnTiH 齿轮钢圆钢")
    expect(table).to_contain_text("锻压机")
    expect(table).to_contain_text(" 件")
    # The heat as it arrived from the mill, in kilograms by word.
    expect(table.locator("tr", has_text=heat.rsplit(".", 1)[1])).to_contain_text("千克")
    assert "KGM" not in table.inner_text() and "H87" not in table.inner_text()
    shot("trace-forward-table")
    # The heat's recall, from its row; the confirmation counts what executing marks.
    table.get_by_test_id("recall-from").first.click()
    expect(page.get_by_test_id("recall-summary")).to_be_visible()
    in_stock = page.get_by_test_id("count-in-stock").inner_text()
    page.fill("#reason", "炉号硬度不合格")
    page.get_by_test_id("recall-create").get_by_role("button").click()
    will_mark = page.get_by_test_id("recall-will-mark")
    expect(will_mark).to_contain_text(f"标记 {in_stock} 件（批）")
    shot("trace-recall-confirm")
    said: list[str] = []

    def accept(dialog) -> None:
        said.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    page.get_by_test_id("recall-execute").get_by_role("button").click()
    expect(page.get_by_test_id("recall-state")).to_have_attribute("data-state", "executed")
    assert f"将把 {in_stock} 件（批）标记为已召回" in said[0]
    expect(page.get_by_test_id("recall-marked")).to_contain_text(in_stock)
    page.evaluate("document.fonts.ready")
    shot("trace-recall-executed-heat")
    # The EV maker, which received gears of the heat, reads the notice of what it got.
    assert int(page.get_by_test_id("count-shipped").inner_text()) > 0
    page.context.clear_cookies()
    login("ev")
    page.goto(f"{live_server.url}/trace/recall/notices/")
    notice = page.get_by_test_id("recall-notice")
    expect(notice).to_contain_text("嘉兴精环传动科技有限公司")
    expect(notice).to_contain_text("炉号硬度不合格")
    shot("trace-recall-notice")
    assert console_errors == []
    assert offline == []
