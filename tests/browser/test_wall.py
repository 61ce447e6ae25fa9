"""The wall display on a 1920×1080 screen: large type, filled, in the zone's time, and
figures that update in place."""

import pytest
from playwright.sync_api import expect

from parkbrain.cockpit import figures
from parkbrain.cockpit.compute import Period
from parkbrain.cockpit.figures import TOP_FIRMS
from parkbrain.registry.models import Enterprise
from parkbrain.reporting import services
from parkbrain.reporting.choices import ReportStatus
from parkbrain.reporting.models import MonthlyReport
from tests.conftest import AS_OF, _build, ensure_reference_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WALL = "/cockpit/wall/?kind=year&year=2025"

MEASURE = """() => {
    const px = (el) => parseFloat(getComputedStyle(el).fontSize);
    const all = (selector) => [...document.querySelectorAll(selector)];
    const text = all('.wall .label, .wall h2, .wall-head .meta, .wall-top td, .wall-kpi .growth,'
        + ' .wall-button, .wall-kpi .value small');
    const wide = (el) => el.scrollWidth > el.clientWidth;
    const tall = (el) => el.scrollHeight > el.clientHeight + 1;
    return {
        smallest: Math.min(...text.map(px)),
        values: Math.min(...all('.wall-kpi .value').map(px)),
        height: innerHeight,
        scroll: document.scrollingElement.scrollHeight,
        bottoms: all('.wall-col').map(c => c.lastElementChild.getBoundingClientRect().bottom),
        cut: [...all('.wall-kpi .value').filter(wide), ...all('.wall-kpi .growth').filter(
            e => wide(e) || tall(e))].map(e => e.textContent),
    };
}"""


@pytest.fixture
def zone(live_server):
    ensure_reference_data()
    return _build(reports=True)


def _board(zone) -> figures.Dashboard:
    chosen = figures.Filters(Period("year", 2025, 12))
    return figures.build(zone.zone, Enterprise.objects.all(), chosen, AS_OF)


@pytest.mark.clock
@pytest.mark.browser_context_args(
    viewport={"width": 1920, "height": 1080}, timezone_id="Europe/London", locale="zh-CN"
)
def test_the_wall_fills_a_1920_screen_in_large_type(
    page, live_server, zone, login, shot, console_errors, offline
):
    login("analyst")
    page.goto(f"{live_server.url}{WALL}")
    expect(page.locator("[data-cockpit-chart][data-rendered=true]")).to_have_count(4)
    shot("cockpit-wall-1920")
    measured = page.evaluate(MEASURE)
    assert measured["smallest"] >= 18
    assert measured["values"] >= 40
    assert measured["scroll"] <= measured["height"]  # one screen, nothing below it
    assert min(measured["bottoms"]) >= measured["height"] - 30  # each column reaches the bottom
    assert measured["cut"] == []  # no figure nor warning line cut off

    # 前十 shows ten, or every firm when fewer reported.
    board = _board(zone)
    reporting = int(board.figure("reporting").value)
    assert len(board.top) == min(TOP_FIRMS, reporting)
    expect(page.get_by_test_id("wall-top").locator("tr")).to_have_count(len(board.top))

    # The clock tells the zone's time, whatever the browser's own time zone (London here).
    zone_hour = page.evaluate(
        """() => new Intl.DateTimeFormat('en-GB',
            {timeZone: 'Asia/Shanghai', hour: '2-digit', hourCycle: 'h23'}).format(new Date())"""
    )
    clock = page.get_by_test_id("wall-clock")
    expect(clock).to_contain_text(f"{zone_hour}:")
    before = clock.inner_text()
    expect(clock).not_to_have_text(before)  # it ticks

    page.get_by_test_id("wall-fullscreen").click()
    expect(page.get_by_test_id("wall-fullscreen")).to_have_text("退出全屏")
    assert page.evaluate("() => document.fullscreenElement !== null")
    page.get_by_test_id("wall-fullscreen").click()
    expect(page.get_by_test_id("wall-fullscreen")).to_have_text("全屏")
    assert console_errors == []
    assert offline == []


@pytest.mark.clock
@pytest.mark.browser_context_args(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
def test_the_wall_updates_its_figures_in_place(page, live_server, zone, login, console_errors):
    login("analyst")
    page.goto(f"{live_server.url}{WALL}")
    expect(page.locator("[data-cockpit-chart][data-rendered=true]")).to_have_count(4)
    assert page.locator("meta[http-equiv=refresh]").count() == 0
    page.evaluate("() => { window.sameDocument = true; }")
    output = page.locator("[data-field=card-output_value]")
    shown = output.inner_text()
    first = page.get_by_test_id("wall-top").locator("tr").first.locator("a").inner_text()

    # The leading firm's December report is returned: it leaves the reviewed figures.
    leader = _board(zone).top[0]
    assert leader.name == first
    report = MonthlyReport.objects.get(
        enterprise_id=leader.enterprise_id, year=2025, month=12, status=ReportStatus.ACCEPTED
    )
    services.return_report(report, zone.user("analyst"), "复核：12月数据需更正")
    board = _board(zone)
    page.evaluate("() => window.parkbrainWall.refresh()")
    expected = f"{float(board.figure('output_value').value) / 1e8:,.2f}"
    expect(output).to_have_text(expected)
    assert expected != shown
    expect(page.get_by_test_id("wall-top").locator("tr").first.locator("a")).to_have_text(
        board.top[0].name
    )
    # Charts redrawn from the new figures, and still one page: nothing reloaded.
    industry = page.evaluate(
        """() => echarts.getInstanceByDom(document.querySelector('[data-testid=wall-industry]'))
            .getOption().series[0].data.reduce((sum, d) => sum + d.value, 0)"""
    )
    assert round(industry, 2) == pytest.approx(
        sum(round(float(g.value) / 1e8, 2) for g in board.by_industry)
    )
    assert page.evaluate("() => window.sameDocument") is True
    assert console_errors == []
