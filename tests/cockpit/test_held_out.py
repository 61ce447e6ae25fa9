"""An implausible report stays out of every figure the zone shows until someone reviews it,
and every figure says what it held out."""

import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from parkbrain.cockpit import figures
from parkbrain.cockpit.compute import Period
from parkbrain.evaluation import services as evaluation
from parkbrain.evaluation.models import EvaluationRun, ResultMember
from parkbrain.monitoring import services as monitoring
from parkbrain.monitoring.choices import DataBasis, HoldReason
from parkbrain.monitoring.counting import Counting
from parkbrain.monitoring.models import Alert
from parkbrain.registry.models import Enterprise
from parkbrain.reporting import services
from parkbrain.reporting.choices import Channel, ReportStatus
from parkbrain.reporting.models import MonthlyReport, ReportValue
from parkbrain.reporting.periods import last_complete_month
from parkbrain.reporting.validation import IncomingRow
from tests.conftest import AS_OF

pytestmark = pytest.mark.django_db
YEAR, MONTH = last_complete_month(AS_OF)


def _value(report: MonthlyReport, code: str) -> D:
    return ReportValue.objects.get(report=report, indicator__code=code).value


def _plant(zone, report: MonthlyReport) -> D:
    """Key the report's taxes in at 31.7 times its revenue, as an analyst's correction; the
    report keeps its status. Returns the planted taxes."""
    taxes = (_value(report, "revenue") * D("31.7")).quantize(D("0.01"))
    row = IncomingRow(report.enterprise.credit_code, report.year, report.month, {"taxes": taxes})
    services.save_reports([row], zone.user("analyst"), Channel.FORM)
    return taxes


@pytest.fixture
def planted(demo_with_reports):
    """A submitted, not yet reviewed report of the latest month with implausible taxes."""
    report = (
        MonthlyReport.objects.filter(
            enterprise__zone=demo_with_reports.zone,
            year=YEAR,
            month=MONTH,
            status=ReportStatus.SUBMITTED,
            values__indicator__code="revenue",
        )
        .exclude(enterprise__alerts__rule__code="taxes_above_revenue")
        .order_by("enterprise__name")
        .first()
    )
    taxes = _plant(demo_with_reports, report)
    return demo_with_reports, report, taxes


def _board(zone, basis: str) -> figures.Dashboard:
    return figures.build(
        zone.zone,
        Enterprise.objects.all(),
        figures.Filters(Period.latest(AS_OF), basis=basis),
        AS_OF,
    )


def _expected_taxes(zone, statuses: tuple[str, ...], held: set[int]) -> D:
    """The period's taxes added up by hand from the rows."""
    rows = ReportValue.objects.filter(
        report__enterprise__zone=zone.zone,
        report__year=YEAR,
        report__month=MONTH,
        report__status__in=statuses,
        indicator__code="taxes",
    ).exclude(report_id__in=held)
    return sum(rows.values_list("value", flat=True), D(0))


def test_the_save_raises_the_serious_warning_at_once(planted):
    zone, report, _taxes = planted
    alert = Alert.objects.get(enterprise=report.enterprise, rule__code="taxes_above_revenue")
    assert (alert.state, alert.rule.severity) == ("open", "critical")
    assert Counting.for_zone(zone.zone).reason(report.pk, report.status) == HoldReason.QUALITY


def test_reviewed_figures_leave_out_submitted_reports_and_name_them(planted):
    zone, report, _taxes = planted
    board = _board(zone, DataBasis.REVIEWED)
    taxes = board.figure("taxes")
    held = Counting.for_zone(zone.zone).quality_held
    assert taxes.value == _expected_taxes(zone, (ReportStatus.ACCEPTED,), set(held))
    submitted = MonthlyReport.objects.filter(
        enterprise__zone=zone.zone, year=YEAR, month=MONTH, status=ReportStatus.SUBMITTED
    ).count()
    assert taxes.provenance.held_out_total >= submitted > 0
    assert "未计入" in taxes.provenance.formula
    named = {h.report_id: h for h in board.held_out_by_figure["taxes"]}
    assert named[report.pk].reason == HoldReason.QUALITY
    # Serious warnings come first in the list of what was held out.
    assert board.held_out[0].reason == HoldReason.QUALITY


def test_provisional_figures_still_hold_the_implausible_report(planted):
    zone, report, planted_taxes = planted
    board = _board(zone, DataBasis.PROVISIONAL)
    held = set(Counting.for_zone(zone.zone).quality_held)
    assert report.pk in held
    taxes = board.figure("taxes")
    statuses = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
    assert taxes.value == _expected_taxes(zone, statuses, held)
    assert taxes.value < planted_taxes  # one firm's slip would outweigh the zone
    assert report.pk in {h.report_id for h in board.held_out_by_figure["taxes"]}
    assert {h.reason for h in board.held_out} == {HoldReason.QUALITY}


def test_a_review_lets_the_report_count(planted):
    zone, report, _taxes = planted
    services.accept_report(MonthlyReport.objects.get(pk=report.pk), zone.user("analyst"))
    board = _board(zone, DataBasis.REVIEWED)
    assert report.pk not in {h.report_id for h in board.held_out}
    # Acknowledging the warning is a review too, for a report still awaiting acceptance.
    other = (
        MonthlyReport.objects.filter(
            enterprise__zone=zone.zone, year=YEAR, month=MONTH, status=ReportStatus.SUBMITTED
        )
        .exclude(enterprise__alerts__rule__code="taxes_above_revenue")
        .first()
    )
    _plant(zone, other)
    assert other.pk in Counting.for_zone(zone.zone, DataBasis.PROVISIONAL).quality_held
    alert = Alert.objects.get(enterprise=other.enterprise, rule__code="taxes_above_revenue")
    monitoring.acknowledge(alert, zone.user("analyst"), "核实：企业确认数据无误")
    assert Counting.for_zone(zone.zone, DataBasis.PROVISIONAL).reason(other.pk, "submitted") is None


def test_the_pages_and_exports_say_what_they_held_out(client, planted):
    zone, report, planted_taxes = planted
    client.force_login(zone.user("analyst"))
    for basis in (DataBasis.REVIEWED, DataBasis.PROVISIONAL):
        latest = {"basis": basis, "kind": "ytd", "year": YEAR, "month": MONTH}
        page = client.get(reverse("cockpit:dashboard"), latest)
        taxes = page.context["board"].figure("taxes")
        assert taxes.value < planted_taxes
        body = page.content.decode()
        assert 'data-testid="held-taxes"' in body and "未计入" in body
        wall = client.get(reverse("cockpit:wall"), latest)
        assert wall.context["board"].figure("taxes").value == taxes.value
        assert 'data-testid="wall-held-out"' in wall.content.decode()
        held_page = client.get(reverse("cockpit:held_out"), {**latest, "figure": "taxes"})
        rows = held_page.context["rows"]
        assert report.enterprise.name in [row["name"] for row in rows]
        assert rows[0]["report"].reason == HoldReason.QUALITY

        export = client.get(reverse("cockpit:export", args=["xlsx"]), latest)
        book = load_workbook(io.BytesIO(export.content))
        figures_rows = {row[0]: row for row in book["指标"].iter_rows(values_only=True)}
        assert D(str(figures_rows[taxes.label][1])) == taxes.value
        assert figures_rows[taxes.label][6] == taxes.provenance.held_out_total
        held_rows = list(book["未计入的报表"].iter_rows(min_row=2, values_only=True))
        assert (report.enterprise.name, report.enterprise.credit_code, YEAR, MONTH) in [
            row[:4] for row in held_rows
        ]


def test_the_portrait_leaves_the_report_out_and_says_so(client, planted):
    zone, report, _taxes = planted
    client.force_login(zone.user("analyst"))
    response = client.get(reverse("cockpit:portrait", args=[report.enterprise_id]))
    portrait = response.context["portrait"]
    assert [(h.year, h.month) for h in portrait.held_out] == [(YEAR, MONTH)]
    taxes = next(s for s in portrait.series if s.code == "taxes")
    assert taxes.own[-1] is None
    assert 'data-testid="portrait-held-out"' in response.content.decode()


def test_the_evaluation_counts_reviewed_reports_and_names_what_it_held_out(client, planted):
    zone = planted[0]
    year = zone.result.evaluation_year
    december = (
        MonthlyReport.objects.filter(
            enterprise__zone=zone.zone,
            year=year,
            month=12,
            status=ReportStatus.ACCEPTED,
            enterprise__evaluation_results__run__year=year,
        )
        .order_by("enterprise__name")
        .first()
    )
    before = ResultMember.objects.get(run__year=year, enterprise=december.enterprise)
    planted_taxes = _plant(zone, december)  # an accepted report, corrected after review
    EvaluationRun.objects.filter(zone=zone.zone, year=year).update(status="draft")
    run = evaluation.compute_evaluation(zone.zone, year, zone.user("admin"))
    after = ResultMember.objects.get(run=run, enterprise=december.enterprise)
    assert D(after.figures["taxes_yuan"]) != planted_taxes
    assert D(after.figures["taxes_yuan"]) < D(before.figures["taxes_yuan"])  # under-stated
    assert [(h["enterprise"], h["month"], h["reason"]) for h in run.held_out] == [
        (december.enterprise_id, 12, HoldReason.QUALITY)
    ]
    client.force_login(zone.user("analyst"))
    page = client.get(reverse("evaluation:results"), {"year": year}).content.decode()
    assert 'data-testid="held-out"' in page and december.enterprise.name in page
    firm_page = client.get(
        reverse("evaluation:enterprise", args=[december.enterprise_id]), {"year": year}
    )
    assert 'data-testid="held-out"' in firm_page.content.decode()


def test_the_cockpit_opens_on_the_month_before_while_the_latest_is_in_review(client, demo):
    """Until half the firms' reports of the latest month count, the cockpit opens on the
    month before and says why; asked for the latest month, it shows it."""
    from parkbrain.cockpit.figures import opening_period

    zone = demo.zone
    firms = list(zone.enterprises.above_scale_in(YEAR).order_by("id"))
    before = (YEAR, MONTH - 1) if MONTH > 1 else (YEAR - 1, 12)
    rows = [
        IncomingRow(firm.credit_code, year, month, {"output_value": 1000})
        for firm in firms
        for year, month in (before, (YEAR, MONTH))
    ]
    saved = services.save_reports(rows, demo.user("analyst"), Channel.FORM, submit=True)
    reports = MonthlyReport.objects.filter(pk__in=saved.report_ids)
    half = -(-len(firms) // 2)  # the fewest that are at least half
    for report in reports.filter(year=before[0], month=before[1]):
        services.accept_report(report, demo.user("analyst"))
    latest = list(reports.filter(year=YEAR, month=MONTH).order_by("enterprise_id"))
    for report in latest[: half - 1]:
        services.accept_report(report, demo.user("analyst"))

    period, in_review = opening_period(zone, AS_OF, DataBasis.REVIEWED)
    assert (period.year, period.month) == before
    assert (in_review.counted, in_review.expected) == (half - 1, len(firms))
    client.force_login(demo.user("analyst"))
    page = client.get(reverse("cockpit:dashboard"))
    assert (page.context["period"].year, page.context["period"].month) == before
    assert 'data-testid="in-review"' in page.content.decode()
    # Counting the reports awaiting review, the latest month has them all.
    provisional, _none = opening_period(zone, AS_OF, DataBasis.PROVISIONAL)
    assert (provisional.year, provisional.month) == (YEAR, MONTH)

    services.accept_report(latest[half - 1], demo.user("analyst"))
    period, in_review = opening_period(zone, AS_OF, DataBasis.REVIEWED)
    assert ((period.year, period.month), in_review) == ((YEAR, MONTH), None)


def test_another_zone_sees_none_of_the_reports_held_out(client, planted, other_zone):
    zone, report, _taxes = planted
    latest = {"kind": "ytd", "year": YEAR, "month": MONTH}
    client.force_login(zone.user("analyst"))
    mine = client.get(reverse("cockpit:held_out"), latest)
    assert report.enterprise.name in mine.content.decode()
    client.force_login(other_zone["admin"])
    theirs = client.get(reverse("cockpit:held_out"), latest)
    assert theirs.status_code == 200 and theirs.context["rows"] == []
    assert report.enterprise.name not in theirs.content.decode()
    for username in ("pm", "gear"):
        client.force_login(zone.user(username))
        assert client.get(reverse("cockpit:held_out"), latest).status_code == 403
