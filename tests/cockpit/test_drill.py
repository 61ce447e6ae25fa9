"""The enterprises behind a cockpit figure add up to the figure the chart shows."""

from datetime import date
from decimal import Decimal as D
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from parkbrain.cockpit import drill, figures
from parkbrain.cockpit.choices import DrillBy
from parkbrain.cockpit.compute import Period
from parkbrain.monitoring.choices import DataBasis
from parkbrain.registry.models import Enterprise, Park
from tests.conftest import AS_OF

pytestmark = pytest.mark.django_db
QUARTER = date(2026, 4, 20)


def _behind(zone, filters, code="output_value", by="", key="", as_of=AS_OF):
    return drill.firms_behind(zone.zone, filters, code, by, str(key), as_of)


def test_the_quarter_by_hand(quarter):
    ytd = figures.Filters(Period("ytd", 2026, 3))
    listing = _behind(quarter, ytd, as_of=QUARTER)
    gear, cobalt = quarter.firms["gear"], quarter.firms["cobalt"]
    assert [(line.name, line.value, line.last) for line in listing.lines] == [
        (gear.name, D(330), D(300)),
        (cobalt.name, D(160), None),
    ]
    assert listing.figure.value == D(490)
    assert listing.figure.growth == D(330) / D(300) - 1
    # The trend's March bar: March alone, the firms with February too.
    march = _behind(quarter, ytd, by=DrillBy.MONTH, key=3, as_of=QUARTER)
    assert (march.period.kind, march.period.month) == ("month", 3)
    assert [line.value for line in march.lines] == [D(130), D(60)]
    assert march.last_total == D(120)
    # February's growth point: the year to February, growth over gear and ev.
    to_february = _behind(quarter, ytd, by=DrillBy.TO_MONTH, key=2, as_of=QUARTER)
    assert to_february.figure.value == D(350)
    assert to_february.figure.growth == D(250) / D(220) - 1
    taxes = _behind(quarter, ytd, code="taxes", by=DrillBy.PARK, key=gear.park_id, as_of=QUARTER)
    assert gear.name in [line.name for line in taxes.lines]


def test_a_click_outside_the_chart_is_refused(quarter):
    ytd = figures.Filters(Period("ytd", 2026, 3))
    for code, by, key in (
        ("output_value", DrillBy.MONTH, 4),  # the trend ends in March
        ("output_value", DrillBy.MONTH, "x"),
        ("registered_capital", "", ""),
        ("output_value", "credit_code", ""),
    ):
        with pytest.raises(ValueError):
            _behind(quarter, ytd, code=code, by=by, key=key, as_of=QUARTER)


@pytest.mark.parametrize("basis", DataBasis.values)
def test_every_slice_park_and_month_adds_up_to_the_chart(demo_with_reports, basis):
    filters = figures.Filters(Period.latest(AS_OF), basis=basis)
    board = figures.build(demo_with_reports.zone, Enterprise.objects.all(), filters, AS_OF)
    for code in drill.DRILL_CODES:
        listing = _behind(demo_with_reports, filters, code=code)
        figure = board.figure(code)
        assert listing.figure.value == figure.value
        assert listing.figure.growth == figure.growth
        assert listing.figure.provenance.held_out == figure.provenance.held_out
        assert sum(line.value for line in listing.lines) == figure.value
    for by, groups in (
        (DrillBy.INDUSTRY, board.by_industry),
        (DrillBy.PARK, board.by_park),
        (DrillBy.AREA, board.by_area),
        (DrillBy.OWNERSHIP, board.by_ownership),
    ):
        assert groups
        for group in groups:
            listing = _behind(demo_with_reports, filters, by=by, key=drill.group_key(group.key))
            assert (listing.figure.value, len(listing.lines)) == (group.value, group.firms)
            assert listing.figure.growth == group.growth
            assert listing.group == group.label
    for point in board.trend:
        month = _behind(demo_with_reports, filters, by=DrillBy.MONTH, key=point.month)
        assert month.figure.value == point.this_month
        assert month.last_total == point.last_month
        to_month = _behind(demo_with_reports, filters, by=DrillBy.TO_MONTH, key=point.month)
        assert to_month.figure.growth == point.growth_to_date


def _chart_links(context) -> list[tuple[str, float | None]]:
    """Every link a chart or card of the dashboard opens, with the value it shows."""
    links = []
    for name in ("industry_data", "park_data", "ownership_data"):
        links += list(zip(context[name]["links"], context[name]["values"], strict=True))
    trend = context["trend_data"]
    links += list(zip(trend["links"], trend["this"], strict=True))
    links += [(card["firms"], card["shown"]) for card in context["headline"]]
    return links


def test_each_link_of_the_dashboard_lists_the_firms_of_its_figure(client, demo_with_reports):
    client.force_login(demo_with_reports.user("analyst"))
    context = client.get(reverse("cockpit:dashboard"), {"kind": "year", "year": 2025}).context
    links = _chart_links(context)
    assert len(links) > 10
    for link, shown in links:
        assert link.startswith(reverse("cockpit:firms"))
        response = client.get(link)
        assert response.status_code == 200
        card = response.context["card"]
        assert card["shown"] == shown
        html = response.content.decode()
        assert f'data-testid="firms-sum">{response.context["total_value"]:,.2f}' in html
        # The way back keeps the cockpit's filters.
        back = dict(parse_qsl(urlsplit(link).query))
        for key in ("figure", "by", "key"):
            back.pop(key, None)
        assert dict(parse_qsl(response.context["back"])) == back
        assert "2025年" in html


def test_a_map_park_lists_its_firms_with_the_centres_inside(client, demo_with_reports):
    client.force_login(demo_with_reports.user("analyst"))
    context = client.get(reverse("cockpit:dashboard"), {"map": "taxes"}).context
    board = context["board"]
    for point in context["map_data"]["points"]:
        park = Park.objects.get(name=point["name"])
        groups = board.park_groups if park.kind == "park" else board.area_groups
        listing = client.get(point["link"]).context["listing"]
        group = groups["taxes"].get(park.pk)
        assert listing.figure.value == (group.value if group else None)
        assert listing.figure.key == "taxes"


def test_only_zone_staff_see_the_firms_behind_a_figure(client, demo_with_reports, other_zone):
    url = reverse("cockpit:firms")
    for username in ("gear", "pm"):
        client.force_login(demo_with_reports.user(username))
        assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(other_zone["user"])
    assert client.get(url).status_code == 403
    # Another zone's administrator asking for this zone's park gets its own zone: none of ours.
    park = demo_with_reports.firms["gear"].park
    client.force_login(other_zone["admin"])
    for params in (
        {"kind": "year", "year": 2025},
        {"kind": "year", "year": 2025, "by": "park", "key": park.pk},
        {"kind": "year", "year": 2025, "by": "industry", "key": ""},
    ):
        response = client.get(url, params)
        assert response.status_code == 200
        assert response.context["listing"].lines == []
        html = response.content.decode()
        for firm in Enterprise.objects.filter(zone=demo_with_reports.zone):
            assert firm.name not in html
    assert client.get(url, {"figure": "registered_capital"}).status_code == 404
