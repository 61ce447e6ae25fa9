"""The cockpit computes its figures once and keeps them until a write changes one: every kind
of write shows on the next request, and nothing kept crosses zones, languages or people."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parkbrain.cockpit import figures
from parkbrain.monitoring import services as monitoring
from parkbrain.monitoring.choices import RuleKind
from parkbrain.monitoring.models import Alert, WarningRule
from parkbrain.registry.choices import AreaKind, EnterpriseStatus
from parkbrain.registry.models import AboveScaleYear, Enterprise, Park, RegionYear
from parkbrain.registry.services import changing_figures, figures_changed, figures_version
from parkbrain.reporting import services as reporting
from parkbrain.reporting.choices import Channel, ReportStatus
from parkbrain.reporting.models import MonthlyReport, ReportValue
from parkbrain.reporting.validation import IncomingRow

pytestmark = pytest.mark.django_db

# A whole year long reviewed: its December reports are all accepted.
YEAR = 2025
WHOLE_YEAR = {"kind": "year", "year": YEAR}
PROVISIONAL = {**WHOLE_YEAR, "basis": "provisional"}
# session, user, role, zone, figures version, and the bell's unread notifications
FRAME_QUERIES = 6


def _content(response) -> str:
    """The page without its frame (the frame carries a fresh CSRF token each time)."""
    html = response.content.decode()
    return html[html.index('<main class="content">') :]


def _shown(client, key: str, query: dict) -> str:
    """A figure as the dashboard shows it: a card's value, or a share's percentage."""
    html = client.get(reverse("cockpit:dashboard"), query).content.decode()
    card = re.search(rf'data-testid="value-{key}">(.*?)<small>', html)
    if card:
        return card.group(1)
    return re.search(rf'data-testid="share-{key}">.*?<b>(.*?)</b>', html, re.S).group(1)


def _next_request_shows(client, key: str, query: dict, write) -> None:
    """The figure once kept, `write`, then the next request shows what a fresh computation
    shows, and that differs from before."""
    before = _shown(client, key, query)
    assert _shown(client, key, query) == before
    write()
    after = _shown(client, key, query)
    caches["figures"].clear()
    assert after == _shown(client, key, query)
    assert after != before


def _december(zone, **exclude) -> MonthlyReport:
    return (
        MonthlyReport.objects.filter(
            enterprise__zone=zone.zone,
            year=YEAR,
            month=12,
            status=ReportStatus.ACCEPTED,
            values__indicator__code="output_value",
        )
        .exclude(**exclude)
        .order_by("enterprise__name")
        .first()
    )


def _value(report: MonthlyReport, code: str) -> D:
    return ReportValue.objects.get(report=report, indicator__code=code).value


def _save(zone, report: MonthlyReport, values: dict) -> reporting.SaveResult:
    row = IncomingRow(report.enterprise.credit_code, report.year, report.month, values)
    return reporting.save_reports([row], zone.user("analyst"), Channel.FORM)


@pytest.fixture
def analyst(client, demo_with_reports):
    client.force_login(demo_with_reports.user("analyst"))
    return client


@pytest.fixture
def held(demo_with_reports):
    """An accepted December report corrected with taxes 31.7 times its revenue, held out of
    the figures until someone reviews it."""
    report = _december(demo_with_reports)
    taxes = (_value(report, "revenue") * D("31.7")).quantize(D("0.01"))
    _save(demo_with_reports, report, {"taxes": taxes})
    return report


def _raise_quality_warnings(zone) -> None:
    monitoring.evaluate_month(zone.zone, YEAR, 12, kinds=(RuleKind.DATA_QUALITY,))


def test_a_second_request_is_served_from_the_cache(analyst, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as computing:
        first = analyst.get(reverse("cockpit:dashboard"), WHOLE_YEAR)
    assert len(computing) > 3 * FRAME_QUERIES
    with django_assert_max_num_queries(FRAME_QUERIES):
        again = analyst.get(reverse("cockpit:dashboard"), WHOLE_YEAR)
    assert _content(again) == _content(first)
    first = analyst.get(reverse("cockpit:wall"), WHOLE_YEAR)
    with django_assert_max_num_queries(FRAME_QUERIES):
        again = analyst.get(reverse("cockpit:wall"), WHOLE_YEAR)
    assert again.content == first.content


def test_the_pages_held_out_list_and_exports_share_one_computation(analyst, monkeypatch):
    built = []
    build = figures.build
    monkeypatch.setattr(figures, "build", lambda *a, **k: built.append(1) or build(*a, **k))
    for url in (
        reverse("cockpit:dashboard"),
        reverse("cockpit:wall"),
        reverse("cockpit:held_out"),
        reverse("cockpit:export", args=["xlsx"]),
        reverse("cockpit:export", args=["csv"]),
    ):
        assert analyst.get(url, WHOLE_YEAR).status_code == 200
    assert len(built) == 1
    analyst.get(reverse("cockpit:dashboard"), PROVISIONAL)  # another filter, another build
    assert len(built) == 2


def test_a_saved_report_shows_on_the_next_request(analyst, demo_with_reports):
    report = _december(demo_with_reports)
    output = _value(report, "output_value") + D(300_000_000)
    _next_request_shows(
        analyst,
        "output_value",
        WHOLE_YEAR,
        lambda: _save(demo_with_reports, report, {"output_value": output}),
    )


def test_a_submitted_report_shows_on_the_next_request(analyst, demo_with_reports):
    report = _december(demo_with_reports)
    reporting.return_report(report, demo_with_reports.user("analyst"), "核对产值")
    _next_request_shows(
        analyst,
        "output_value",
        PROVISIONAL,
        lambda: reporting.submit_report(report, demo_with_reports.user("gear"), Channel.FORM),
    )


def test_an_accepted_report_shows_on_the_next_request(analyst, demo_with_reports):
    report = _december(demo_with_reports)
    staff = demo_with_reports.user("analyst")
    reporting.return_report(report, staff, "核对产值")
    reporting.submit_report(report, staff, Channel.FORM)
    _next_request_shows(
        analyst, "output_value", WHOLE_YEAR, lambda: reporting.accept_report(report, staff)
    )


def test_a_returned_report_shows_on_the_next_request(analyst, demo_with_reports):
    report = _december(demo_with_reports)
    staff = demo_with_reports.user("analyst")
    _next_request_shows(
        analyst,
        "output_value",
        WHOLE_YEAR,
        lambda: reporting.return_report(report, staff, "核对产值"),
    )


def test_a_warning_raised_by_the_monthly_run_shows_on_the_next_request(
    analyst, demo_with_reports, held
):
    _next_request_shows(
        analyst, "alerts", WHOLE_YEAR, lambda: _raise_quality_warnings(demo_with_reports)
    )


def test_an_acknowledged_warning_lets_its_report_count_on_the_next_request(
    analyst, demo_with_reports, held
):
    _raise_quality_warnings(demo_with_reports)
    alert = Alert.objects.get(enterprise=held.enterprise, rule__code="taxes_above_revenue")
    staff = demo_with_reports.user("analyst")
    _next_request_shows(
        analyst, "taxes", WHOLE_YEAR, lambda: monitoring.acknowledge(alert, staff, "已核实")
    )


def test_a_resolved_warning_leaves_the_live_warnings_on_the_next_request(
    analyst, demo_with_reports, held
):
    _raise_quality_warnings(demo_with_reports)
    alert = Alert.objects.get(enterprise=held.enterprise, rule__code="taxes_above_revenue")
    staff = demo_with_reports.user("analyst")
    _next_request_shows(
        analyst, "alerts", WHOLE_YEAR, lambda: monitoring.resolve(alert, staff, "企业已更正")
    )


def test_a_rule_turned_off_shows_on_the_next_request(analyst, demo_with_reports, held):
    rule = WarningRule.objects.get(zone=demo_with_reports.zone, code="taxes_above_revenue")
    admin = demo_with_reports.user("admin")
    _next_request_shows(
        analyst,
        "taxes",
        WHOLE_YEAR,
        lambda: monitoring.update_rule(rule, admin, enabled=False),
    )


def _deregister(zone) -> None:
    firm = Enterprise.objects.filter(
        zone=zone.zone, status=EnterpriseStatus.OPERATING, founded_on__lt=date(YEAR, 1, 1)
    ).first()
    firm.status = EnterpriseStatus.DEREGISTERED
    firm.save()


def _list_above_size(zone) -> None:
    firm = Enterprise.objects.filter(zone=zone.zone).exclude(above_scale_years__year=YEAR).first()
    AboveScaleYear.objects.create(enterprise=firm, year=YEAR)


def _unlist(zone) -> None:
    AboveScaleYear.objects.filter(enterprise__zone=zone.zone, year=YEAR).first().delete()


def _recount_the_city(zone) -> None:
    baseline = RegionYear.objects.filter(region=zone.zone.region, year__lte=YEAR).first()
    baseline.population *= 2
    baseline.save()


def _enlarge_a_park(zone) -> None:
    park = Park.objects.filter(zone=zone.zone, kind=AreaKind.PARK).first()
    park.area_mu *= 2
    park.save()


@pytest.mark.parametrize(
    ("key", "edit"),
    [
        ("market_entities", _deregister),
        ("above_scale", _list_above_size),
        ("above_scale", _unlist),
        ("population_share", _recount_the_city),
        ("land_share", _enlarge_a_park),
    ],
)
def test_a_registry_edit_shows_on_the_next_request(analyst, demo_with_reports, key, edit):
    _next_request_shows(analyst, key, WHOLE_YEAR, lambda: edit(demo_with_reports))


def test_a_kept_page_never_crosses_zones(analyst, client, other_zone):
    assert _shown(analyst, "market_entities", WHOLE_YEAR) != "1"
    client.force_login(other_zone["admin"])
    assert _shown(client, "market_entities", WHOLE_YEAR) == "1"


def test_a_kept_page_never_crosses_languages(analyst):
    chinese = _content(analyst.get(reverse("cockpit:dashboard"), WHOLE_YEAR))
    analyst.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _content(analyst.get(reverse("cockpit:dashboard"), WHOLE_YEAR))
    assert "经营主体" in chinese and "经营主体" not in english
    assert "Market entities" in english


def test_a_kept_page_shows_each_person_their_own_frame(client, demo_with_reports):
    names = set()
    for username in ("analyst", "admin"):
        client.force_login(demo_with_reports.user(username))
        html = client.get(reverse("cockpit:dashboard"), WHOLE_YEAR).content.decode()
        names.add(re.search(r'data-testid="username">(.*?)<', html).group(1))
    assert len(names) == 2


def test_another_zones_write_leaves_this_zones_figures_kept(
    analyst, demo_with_reports, other_zone, django_assert_max_num_queries
):
    analyst.get(reverse("cockpit:dashboard"), WHOLE_YEAR)
    kept = figures_version(demo_with_reports.zone)
    theirs = figures_version(other_zone["zone"])
    other_zone["firm"].save()
    assert figures_version(other_zone["zone"]) != theirs
    assert figures_version(demo_with_reports.zone) == kept
    with django_assert_max_num_queries(FRAME_QUERIES):
        analyst.get(reverse("cockpit:dashboard"), WHOLE_YEAR)


def test_a_save_that_changes_nothing_keeps_the_figures(demo_with_reports):
    report = _december(demo_with_reports)
    kept = figures_version(demo_with_reports.zone)
    result = _save(demo_with_reports, report, {"output_value": _value(report, "output_value")})
    assert result.unchanged
    assert figures_version(demo_with_reports.zone) == kept


def test_a_refused_save_keeps_the_figures(demo_with_reports):
    report = _december(demo_with_reports)
    kept = figures_version(demo_with_reports.zone)
    with pytest.raises(reporting.ReportsRejected):
        _save(demo_with_reports, report, {"output_value": D(-1)})
    assert figures_version(demo_with_reports.zone) == kept


def test_the_monthly_run_changes_the_figures_only_when_it_changes_a_warning(held):
    zone = held.enterprise.zone
    kept = figures_version(zone)
    assert not monitoring.evaluate_month(zone, YEAR, 12).unchanged
    changed = figures_version(zone)
    assert changed != kept
    assert monitoring.evaluate_month(zone, YEAR, 12).unchanged
    assert figures_version(zone) == changed


def test_installing_the_shipped_rules_changes_the_figures(other_zone):
    zone = other_zone["zone"]
    kept = figures_version(zone)
    assert monitoring.install_default_rules(zone) > 0
    assert figures_version(zone) != kept


def test_a_service_writes_the_new_version_once_as_its_last_write(other_zone):
    zone = other_zone["zone"]
    kept = figures_version(zone)
    with transaction.atomic():
        with changing_figures():
            figures_changed(zones={zone.pk})
            with changing_figures():
                figures_changed(enterprises={other_zone["firm"].pk})
            assert figures_version(zone) == kept
        assert figures_version(zone) != kept
