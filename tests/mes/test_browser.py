"""Browser: the clerk opens an order the MES sent and follows a lot to its genealogy."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser import conftest as browser
from tests.conftest import _build, ensure_reference_data

from .conftest import FORGING, HEAT, HEAT_TREATMENT, INSPECTION, ORDER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The browser fixtures live beside the other browser tests; this module uses them as its own.
browser_type_launch_args = browser.browser_type_launch_args
browser_context_args = browser.browser_context_args
console_errors = browser.console_errors
offline = browser.offline
login = browser.login
shot = browser.shot


@pytest.fixture
def zone(live_server):
    ensure_reference_data()
    return _build()


def test_the_clerk_reads_an_order_and_traces_its_steel(
    page,
    live_server,
    zone,
    login,
    shot,
    console_errors,
    offline,
):
    from django.test import Client

    from parkbrain.registry import services

    _token, raw = services.issue_api_token(zone.firms["gear"], "mes")
    machine = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    path = f"/api/mes/orders/{zone.firms['gear'].credit_code}/WO-2026-001"
    for url, body in [
        (path, ORDER),
        (f"{path}/operations/1", FORGING),
        (f"{path}/operations/2", HEAT_TREATMENT),
        (f"{path}/operations/3", INSPECTION),
    ]:
        answer = machine.put(url, data=json.dumps(body), content_type="application/json")
        assert answer.status_code == 201, answer.content

    login("gear")
    page.get_by_test_id("nav-mes").click()
    expect(page.get_by_test_id("orders")).to_contain_text("WO-2026-001")
    shot("mes-orders")
    page.get_by_test_id("orders").get_by_role("link", name="WO-2026-001").click()
    expect(page.get_by_test_id("operation")).to_have_count(3)
    expect(page.get_by_test_id("inspection")).to_contain_text("63")
    shot("mes-order")
    page.get_by_test_id("lots").first.get_by_role("link").first.click()
    expect(page.locator("#epc")).to_have_value(HEAT)
    assert console_errors == []
    assert offline == []
