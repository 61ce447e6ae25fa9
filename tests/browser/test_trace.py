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
    expect(page.get_by_test_id("trace-nodes")).to_contain_text(HEAT)
    shot("trace-genealogy")
    # Click through to the heat: its own page traces from it.
    page.get_by_test_id("trace-nodes").get_by_role("link", name=HEAT).click()
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
    nodes = page.get_by_test_id("trace-nodes")
    nodes.get_by_role("link", name=HEAT).click()
    expect(page.locator("#epc")).to_have_value(HEAT)
    # From the heat's own row: the recall scope of everything made from it.
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
