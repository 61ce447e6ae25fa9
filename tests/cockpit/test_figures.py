"""The cockpit's figures read from the database: a hand-built quarter and the demo zone."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db.models import Q, Sum

from parkbrain.cockpit import figures
from parkbrain.cockpit.compute import Period
from parkbrain.registry.models import AboveScaleYear, Enterprise, RegionYear
from parkbrain.reporting.models import ReportValue

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 4, 20)


def _build(zone, **filters):
    period = filters.pop("period", Period("ytd", 2026, 3))
    return figures.build(
        zone.zone, Enterprise.objects.all(), figures.Filters(period, **filters), AS_OF
    )


def test_headline_figures_of_the_quarter(quarter):
    board = _build(quarter)
    output = board.figure("output_value")
    assert output.value == D(490)
    assert output.growth == D(330) / D(300) - 1
    taxes = board.figure("taxes")
    assert taxes.value == D(41)  # 33 + 8
    assert taxes.growth == D(33) / D(30) - 1
    # 1,000 kWh per yuan of output at 0.1229 kgce/kWh: (330 + 160) × 1000 × 0.1229 ÷ 1000
    assert board.figure("energy_tce").value == D("60.221")
    assert board.figure("reporting").value == 2
    assert [(p.month, p.this_month, p.this_to_date) for p in board.trend] == [
        (1, D(90), D(90)),
        (2, D(110), D(350)),
        (3, D(190), D(490)),
    ]
    assert [r.name for r in board.top] == [
        quarter.firms["gear"].name,
        quarter.firms["cobalt"].name,
    ]
    assert "2" in output.provenance.formula and output.provenance.as_of == AS_OF


def test_a_single_month(quarter):
    board = _build(quarter, period=Period("month", 2026, 3))
    assert board.figure("output_value").value == D(190)  # 130 + 60
    assert board.figure("output_value").growth == D(130) / D(120) - 1


def test_a_park_filter_keeps_its_firms_only(quarter):
    park = quarter.firms["gear"].park
    board = _build(quarter, park=park)
    assert board.figure("output_value").value == D(330)
    assert [g.label for g in board.by_park] == [park.name]
    in_park = Enterprise.objects.filter(
        Q(park=park) | Q(park__located_in=park),
        zone=quarter.zone,
        founded_on__lte=date(2026, 3, 31),
    )
    assert (
        board.figure("market_entities").value
        == in_park.filter(status__in=("operating", "suspended")).count()
    )


def test_breakdowns_add_up_to_the_total(quarter):
    board = _build(quarter)
    for groups in (board.by_industry, board.by_park, board.by_ownership, board.by_area):
        assert sum(g.value for g in groups) == D(490)


def test_the_article_year_from_the_demo_rows(demo_with_reports):
    zone = demo_with_reports.zone
    board = figures.build(
        zone,
        Enterprise.objects.all(),
        figures.Filters(Period("year", 2023, 12)),
        date(2026, 11, 26),
    )
    december = ReportValue.objects.filter(
        report__enterprise__zone=zone, report__year=2023, report__month=12
    )
    output = december.filter(indicator__code="output_value").aggregate(s=Sum("value"))["s"]
    assert board.figure("output_value").value == output
    city = RegionYear.objects.get(region=zone.region, year=2023)
    assert board.figure("output_share").value == output / city.industrial_output_yuan
    assert board.figure("output_share").value == pytest.approx(D(1) / 3, abs=D("0.005"))
    assert board.figure("investment_share").value == pytest.approx(D("0.4"), abs=D("0.005"))
    assert board.figure("foreign_investment_share").value == pytest.approx(D("0.5"), abs=D("0.005"))
    assert board.figure("land_share").value == pytest.approx(D("0.12"), abs=D("0.001"))
    above = AboveScaleYear.objects.filter(enterprise__zone=zone, year=2023).count()
    assert board.figure("above_scale").value == above


def test_live_early_warnings_are_counted_for_the_zone(demo_with_reports):
    from parkbrain.monitoring.choices import AlertState
    from parkbrain.monitoring.models import Alert

    zone = demo_with_reports.zone
    board = figures.build(
        zone, Enterprise.objects.all(), figures.Filters(Period("ytd", 2026, 10)), date(2026, 11, 26)
    )
    live = Alert.objects.filter(
        enterprise__zone=zone, state__in=(AlertState.OPEN, AlertState.ACKNOWLEDGED)
    )
    assert live.exists()
    assert board.figure("alerts").value == live.count()
