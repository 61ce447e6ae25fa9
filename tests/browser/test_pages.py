import re

import pytest
from playwright.sync_api import expect

from parkbrain.registry.geo import label_point
from parkbrain.registry.models import Enterprise, Park
from tests.conftest import _build, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zone(live_server):
    ensure_reference_data()
    return _build()


def test_login_page(page, live_server, shot, console_errors, offline):
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("h1")).to_have_text("园区产业大脑")
    shot("login")
    assert console_errors == [] and offline == []


@pytest.mark.parametrize(
    "username, heading",
    [
        ("admin", "开发区一览"),
        ("analyst", "开发区一览"),
        ("pm", "我服务的企业"),
        ("gear", "待办事项"),
    ],
)
def test_each_role_logs_in_to_its_home(
    page, live_server, zone, login, shot, console_errors, offline, username, heading
):
    login(username)
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator(".badge.demo")).to_be_visible()
    for chart in page.locator("[data-chart]").all():
        expect(chart).to_have_attribute("data-rendered", "true")
    shot(f"home-{username}")
    assert console_errors == [] and offline == []


def test_search_filter_sort_and_open_an_enterprise(
    page, live_server, zone, login, shot, console_errors, offline
):
    login("analyst")
    page.click("text=企业库")
    expect(page.locator("h1")).to_have_text("企业库")
    total = Enterprise.objects.filter(zone=zone.zone).count()
    expect(page.get_by_test_id("pager")).to_contain_text(f"{total:,}")
    shot("enterprise-list")

    page.fill("#id_q", "精环")
    rows = page.locator("[data-testid=enterprise-table] tbody tr")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=%E7%B2%BE%E7%8E%AF"))

    page.fill("#id_q", "")
    park = Park.objects.get(zone=zone.zone, name="智能装备产业园")
    page.select_option("#id_park", str(park.pk))
    page.select_option("#id_above_scale", "yes")
    in_park = Enterprise.objects.filter(zone=zone.zone, park__in=[park, *park.centres.all()])
    expected = in_park.above_scale_in(2026).count()
    expect(page.get_by_test_id("pager")).to_contain_text(f"{expected}")
    expect(rows).to_have_count(min(expected, 25))

    page.click("th >> text=占地（亩）")
    expect(page.locator("th >> text=占地（亩）")).to_contain_text("▲")
    page.click("th >> text=占地（亩）")
    expect(page.locator("th >> text=占地（亩）")).to_contain_text("▼")
    shot("enterprise-list-filtered")

    page.click(f"text={zone.firms['gear'].name}")
    expect(page.locator("h1")).to_have_text(zone.firms["gear"].name)
    expect(page.get_by_text(zone.firms["gear"].credit_code).first).to_be_visible()
    shot("enterprise-detail")
    assert console_errors == [] and offline == []


def test_zone_map_draws_outlines_and_drills_down(
    page, live_server, zone, login, shot, console_errors, offline
):
    login("analyst")
    page.click("text=园区地图")
    map_node = page.locator("#zone-map")
    expect(map_node).to_have_attribute("data-rendered", "true")
    expect(map_node.locator("canvas")).to_have_count(1)
    page.wait_for_timeout(500)
    shot("zone-map")
    park = Park.objects.get(zone=zone.zone, name="高桥农业科技产业园")
    lon, lat = _centre_of(park)
    x, y = page.evaluate(
        "([lon, lat]) => echarts.getInstanceByDom(document.getElementById('zone-map'))"
        ".convertToPixel({geoIndex: 0}, [lon, lat])",
        [lon, lat],
    )
    box = map_node.bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    expect(page).to_have_url(re.compile(rf"/enterprises/\?park={park.pk}$"))
    expect(page.locator("#id_park")).to_have_value(str(park.pk))
    assert console_errors == [] and offline == []


def test_map_tooltips_show_names_as_text_not_html(page, live_server, zone, login, console_errors):
    evil = '<img src=x onerror="window.pwned=1">'
    centre = Park.objects.get(zone=zone.zone, name="视觉物联创新中心")
    park = Park.objects.get(zone=zone.zone, name="高桥农业科技产业园")
    for place in (centre, park):
        place.name = evil + place.name
        place.save()
    login("analyst")
    page.goto(f"{live_server.url}/zone/")
    map_node = page.locator("#zone-map")
    expect(map_node).to_have_attribute("data-rendered", "true")
    box = map_node.bounding_box()
    for place in (centre, park):
        x, y = page.evaluate(
            "([lon, lat]) => echarts.getInstanceByDom(document.getElementById('zone-map'))"
            ".convertToPixel({geoIndex: 0}, [lon, lat])",
            list(label_point(place.outline)),
        )
        page.mouse.move(box["x"] + x, box["y"] + y)
        tooltip = map_node.locator("div").filter(has_text="规上").last
        expect(tooltip).to_contain_text(place.name)  # the markup shown as text
        expect(tooltip.locator("b")).to_have_count(1)
        page.wait_for_timeout(300)
        assert page.evaluate("window.pwned") is None
    assert console_errors == []


def _centre_of(park) -> tuple[float, float]:
    ring = park.outline["coordinates"][0][:-1]
    return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)


def test_enterprise_user_cannot_open_another_enterprise(page, live_server, zone, login, shot):
    login("gear")
    response = page.goto(f"{live_server.url}/enterprises/{zone.firms['ev'].pk}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text(zone.firms["ev"].name)
    shot("not-found")


def test_switch_to_english(page, live_server, zone, login, shot, console_errors):
    login("analyst")
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("The zone at a glance")
    shot("home-english")
    page.select_option("select[name=language]", "zh-hans")
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_have_text("开发区一览")
    assert console_errors == []


def test_api_docs_and_admin_work_offline(
    page, live_server, zone, login, shot, console_errors, offline
):
    login("admin")
    page.goto(f"{live_server.url}/api/docs")
    expect(page.locator(".swagger-ui")).to_be_visible()
    expect(page.get_by_text("/api/enterprises").first).to_be_visible()
    shot("api-docs")
    page.goto(f"{live_server.url}/admin/registry/enterprise/")
    expect(page.locator("#result_list")).to_be_visible()
    shot("admin-enterprises")
    assert offline == []
    assert console_errors == []
