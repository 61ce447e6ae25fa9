import pytest
from django.utils import translation
from playwright.sync_api import expect

from parkbrain.cockpit import portrait
from parkbrain.cockpit.figures import opening_period
from parkbrain.monitoring.choices import DataBasis
from parkbrain.registry.models import Enterprise, Park
from parkbrain.reporting.periods import last_complete_month
from tests.conftest import AS_OF, _build, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zone(live_server):
    ensure_reference_data()
    return _build(reports=True)


def _charts_drawn(page, count: int) -> None:
    expect(page.locator("[data-cockpit-chart][data-rendered=true]")).to_have_count(count)


@pytest.mark.clock
def test_cockpit_renders_filters_and_drills_down(
    page, live_server, zone, login, shot, console_errors, offline
):
    login("analyst")
    page.get_by_test_id("nav-cockpit").click()
    expect(page.locator("h1")).to_have_text("产业大脑驾驶舱")
    _charts_drawn(page, 5)
    output = page.get_by_test_id("value-output_value").inner_text()
    shot("cockpit-dashboard")

    # A filter changes every chart: one park's figures are smaller than the zone's.
    park = Park.objects.filter(zone=zone.zone, kind="park").order_by("sort_order").first()
    expect(page.locator("#id_kind")).to_have_value("ytd")  # the period shown stays chosen
    page.select_option("#id_park", str(park.pk))
    page.click("[data-testid=filters] button[type=submit]")
    _charts_drawn(page, 5)
    assert page.get_by_test_id("value-output_value").inner_text() != output
    expect(page.locator(".page-head p")).to_contain_text(park.name)
    # The month it opens on: the latest over, or the one before while the latest is in review.
    opened, _in_review = opening_period(zone.zone, AS_OF, DataBasis.REVIEWED)
    with translation.override("zh-hans"):
        label = opened.label
    expect(page.locator(".page-head p")).to_contain_text(label)
    shot("cockpit-one-park")

    # The provenance of a figure opens on click, over the cards below: the row keeps its
    # height, and the numerator reads in 亿元 on one line.
    card = page.get_by_test_id("kpi-output_value")
    closed = card.bounding_box()["height"]
    card.locator("summary").click()
    expect(card.locator("details p")).to_contain_text("家企业")
    assert card.bounding_box()["height"] == closed
    numerator = card.locator("dd").first
    expect(numerator).to_contain_text("亿元")
    line = numerator.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 20")
    assert numerator.bounding_box()["height"] <= line * 1.2
    shot("cockpit-provenance")

    # A click on a centre on the map opens the enterprises behind it.
    centre = Park.objects.filter(zone=zone.zone, kind="centre").order_by("sort_order").first()
    page.goto(f"{live_server.url}/cockpit/")
    _charts_drawn(page, 5)
    x, y = page.evaluate(
        """(name) => {
            const node = document.querySelector('[data-testid=chart-map]');
            const chart = echarts.getInstanceByDom(node);
            const points = JSON.parse(document.getElementById('map-data').textContent).points;
            const point = points.find(p => p.name === name);
            return chart.convertToPixel({seriesIndex: 0}, point.value.slice(0, 2));
        }""",
        centre.name,
    )
    page.get_by_test_id("chart-map").click(position={"x": x, "y": y})
    page.wait_for_url("**/cockpit/firms/**")
    expect(page.locator("h1")).to_contain_text("企业明细")
    assert f"by=area&key={centre.pk}" in page.url

    # The top enterprises open their portraits.
    evaluated = zone.result.evaluation_year
    page.goto(f"{live_server.url}/cockpit/?kind=year&year={evaluated}")
    first = page.get_by_test_id("top").locator("tbody tr a").first
    name = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_contain_text(name)
    expect(page.locator("[data-cockpit-chart][data-rendered=true]")).to_have_count(6)
    evaluations = page.get_by_test_id("evaluations").locator("tbody tr").first
    expect(evaluations).to_contain_text(str(evaluated))
    shot("cockpit-portrait")

    page.goto(f"{live_server.url}/cockpit/wall/")
    _charts_drawn(page, 4)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.wait_for_timeout(300)
    shot("cockpit-wall")
    assert console_errors == []
    assert offline == []


@pytest.mark.clock
def test_a_click_on_a_park_bar_lists_its_firms_with_the_bars_total(
    page, live_server, zone, login, shot, console_errors, offline
):
    login("analyst")
    page.goto(f"{live_server.url}/cockpit/?kind=year&year=2025")
    _charts_drawn(page, 5)
    # A window resized while a chart has no height (a page being left or shot) must not break
    # the map: ECharts' map fails for good when laid out at nothing.
    page.evaluate(
        """() => {
            const node = document.querySelector('[data-testid=chart-map]');
            node.style.height = '0px';
            window.dispatchEvent(new Event('resize'));
            node.style.height = '';
            window.dispatchEvent(new Event('resize'));
        }"""
    )
    label, value, x, y = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(
                document.querySelector('[data-testid=chart-parks]'));
            const d = JSON.parse(document.getElementById('park-data').textContent);
            const at = chart.convertToPixel({seriesIndex: 0}, [d.values[0] / 2, d.labels[0]]);
            return [d.labels[0], d.values[0], at[0], at[1]];
        }"""
    )
    page.get_by_test_id("chart-parks").click(position={"x": x, "y": y})
    page.wait_for_url("**/cockpit/firms/**")
    expect(page.get_by_test_id("firms-scope")).to_contain_text(label)
    expect(page.get_by_test_id("firms-scope")).to_contain_text("2025年")
    expect(page.get_by_test_id("firms-total-value")).to_have_text(f"{value:,.2f}亿元")
    cells = page.get_by_test_id("firms").locator("tbody td[data-value]")
    values = [float(v) for v in cells.evaluate_all("cells => cells.map(c => c.dataset.value)")]
    assert values == sorted(values, reverse=True)
    assert round(sum(values) / 1e8, 2) == value
    shot("cockpit-firms-of-a-park")

    # The way back keeps the period.
    page.get_by_test_id("back-to-cockpit").click()
    _charts_drawn(page, 5)
    expect(page.locator("#id_kind")).to_have_value("year")
    expect(page.locator("#id_year")).to_have_value("2025")
    assert console_errors == []
    assert offline == []


# How far up its grid a series' highest point stands (0 bottom, 1 top), read from the chart.
HEIGHT_OF = """([testid, seriesIndex]) => {
    const chart = echarts.getInstanceByDom(document.querySelector(`[data-testid=${testid}]`));
    const option = chart.getOption();
    const series = option.series[seriesIndex];
    const axis = series.yAxisIndex || 0;
    const values = series.data.filter(v => v != null);
    const rect = chart.getModel().getComponent('grid', 0).coordinateSystem.getRect();
    const top = chart.convertToPixel({yAxisIndex: axis}, Math.max(...values));
    const bottom = chart.convertToPixel({yAxisIndex: axis}, Math.min(...values, 0));
    return {
        height: (bottom - top) / rect.height,
        axis: axis,
        axisName: option.yAxis[axis].name,
        position: option.yAxis[axis].position,
        labels: option.xAxis[0].data,
    };
}"""


def _output_to_median(firm: Enterprise) -> float:
    """The firm's highest yearly output over its industry median's highest."""
    series = portrait.build(firm, AS_OF, staff=True).series[0]
    own = max(v for v in series.own if v is not None)
    return float(own / max(v for v in series.median if v is not None))


@pytest.mark.clock
def test_rates_and_medians_have_their_own_axes_and_a_partial_year_says_so(
    page, live_server, zone, login, shot
):
    login("analyst")
    page.goto(f"{live_server.url}/cockpit/")
    _charts_drawn(page, 5)
    growth = page.evaluate(HEIGHT_OF, ["chart-trend", 2])
    # 累计增速 on its own right-hand axis in %, scaled to the rates, not to the 亿元 bars.
    assert (growth["axis"], growth["position"], growth["axisName"]) == (1, "right", "%")
    assert growth["height"] > 0.5

    # A firm a tenth of its industry's median: the median gets its own axis, or the bars lie
    # flat. The gear maker is of its median's size: one axis, so bar and line compare as drawn.
    firms = Enterprise.objects.filter(zone=zone.zone, reports__isnull=False).distinct()
    smallest = min(firms, key=_output_to_median)
    assert _output_to_median(smallest) < 0.25 < _output_to_median(zone.firms["gear"]) < 4
    year, month = last_complete_month(AS_OF)
    partial = {1: f"{year}年(1月)", 12: f"{year}年"}.get(month, f"{year}年(1—{month}月)")
    for firm, apart in ((smallest, True), (zone.firms["gear"], False)):
        page.goto(f"{live_server.url}/enterprises/{firm.pk}/portrait/")
        _charts_drawn(page, 6)
        median = page.evaluate(HEIGHT_OF, ["chart-series-output_value", 1])
        own = page.evaluate(HEIGHT_OF, ["chart-series-output_value", 0])
        assert median["axis"] == (1 if apart else 0)
        if apart:
            assert median["position"] == "right"
        assert median["height"] > 0.3 and own["height"] > 0.3  # neither lies flat
        assert median["labels"][-2:] == [f"{year - 1}年", partial]
        shot(f"cockpit-portrait-{'two-axes' if apart else 'one-axis'}")


def test_enterprise_user_cannot_open_the_cockpit_or_another_portrait(
    page, live_server, zone, login
):
    login("gear")
    expect(page.get_by_test_id("nav-cockpit")).to_have_count(0)
    response = page.goto(f"{live_server.url}/cockpit/")
    assert response is not None and response.status == 403
    cobalt = zone.firms["cobalt"]
    response = page.goto(f"{live_server.url}/enterprises/{cobalt.pk}/portrait/")
    assert response is not None and response.status == 404
    response = page.goto(f"{live_server.url}/enterprises/{zone.firms['gear'].pk}/portrait/")
    assert response is not None and response.status == 200
