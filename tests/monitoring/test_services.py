"""The monthly evaluation on the small hand-built zone (see conftest), and the actions."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from parkbrain.monitoring import compute, services
from parkbrain.monitoring.models import Alert, AlertEvent, WarningRule

from .conftest import report

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(small):
    services.install_default_rules(small.zone)
    # Four firms cannot drop ten places; two is the drop this zone can show.
    WarningRule.objects.filter(zone=small.zone, code="output_rank_drop").update(threshold=2)
    return small


def _live(zone) -> set[tuple[str, str]]:
    return set(
        Alert.objects.filter(rule__zone=zone, state__in=["open", "acknowledged"]).values_list(
            "rule__code", "enterprise__name"
        )
    )


def test_default_rules_are_installed_once_and_keep_a_zones_own_thresholds(small):
    assert services.install_default_rules(small.zone) == len(services.DEFAULT_RULES)
    WarningRule.objects.filter(zone=small.zone, code="ytd_loss").update(threshold=-100)
    assert services.install_default_rules(small.zone) == 0
    assert WarningRule.objects.get(zone=small.zone, code="ytd_loss").threshold == -100


def test_march_raises_the_warnings_worked_out_by_hand(rules):
    result = services.evaluate_month(rules.zone, 2026, 3)
    assert _live(rules.zone) == {
        ("output_ytd_decline", "甲机械有限公司"),  # 180 / 300 − 1 = −40 %
        ("energy_intensity_rise", "甲机械有限公司"),  # +66.7 %
        ("output_rank_drop", "甲机械有限公司"),  # from 1st (shared) to 3rd
        ("ytd_loss", "乙材料有限公司"),  # −5 yuan year to date
        ("output_without_energy", "丙电子有限公司"),  # 70 yuan in March, no energy
        ("taxes_above_revenue", "丙电子有限公司"),  # 80 against 50
        ("missing_report", "丁纺织有限公司"),  # nothing since January
    }
    assert (result.raised, result.updated, result.cleared) == (7, 0, 0)
    decline = Alert.objects.get(rule__code="output_ytd_decline")
    assert (decline.measured_value, decline.compared_value, decline.tested_value) == (
        Decimal(180),
        Decimal(300),
        Decimal(-40),
    )
    assert (decline.first_month, decline.last_month) == (date(2026, 3, 1), date(2026, 3, 1))
    missing = Alert.objects.get(rule__code="missing_report")
    assert missing.tested_value == 3
    with translation.override("en"):
        assert missing.message == "3 months in a row without a submitted report."
        assert decline.message == (
            "Industrial output value at current prices (Cumulative since January) changed -40.0% "
            "against the "
            "same period last year (0.018 ten-thousand yuan against 0.03 ten-thousand yuan)."
        )
    # Money reads in 万元, as the clerk and the analyst count it.
    assert decline.message == (
        "工业总产值（当年价格）（本年累计）同比变动 -40.0%（本期 0.018万元，上年同期 0.03万元）。"
    )


def test_running_the_same_month_twice_changes_nothing(rules):
    services.evaluate_month(rules.zone, 2026, 3)
    before = list(Alert.objects.values())
    events = AlertEvent.objects.count()
    result = services.evaluate_month(rules.zone, 2026, 3)
    assert result.unchanged
    assert list(Alert.objects.values()) == before
    assert AlertEvent.objects.count() == events


def test_a_corrected_report_clears_the_warning_which_stays_visible(rules):
    services.evaluate_month(rules.zone, 2026, 3)
    b = rules.firms["B"]
    report(b, rules.users["admin"], 2026, 3, output_value=330, total_profit=12)
    result = services.evaluate_month(rules.zone, 2026, 3)
    assert result.cleared == 1
    loss = Alert.objects.get(rule__code="ytd_loss", enterprise=b)
    assert loss.state == "cleared" and loss.closed_at is not None
    assert list(loss.events.values_list("kind", flat=True)) == ["raised", "cleared"]


def test_a_resolved_warning_opens_again_in_a_later_month(rules):
    services.evaluate_month(rules.zone, 2026, 3)
    a = rules.firms["A"]
    first = Alert.objects.get(rule__code="output_ytd_decline", enterprise=a)
    services.resolve(first, rules.users["analyst"], "已电话核实，订单转移至新厂")
    # The same month again: resolved stays resolved.
    assert services.evaluate_month(rules.zone, 2026, 3).raised == 0
    # April: still 40 % down year to date (last year 400, this year 240).
    report(a, rules.users["admin"], 2025, 4, output_value=400)
    report(a, rules.users["admin"], 2026, 4, output_value=240)
    result = services.evaluate_month(rules.zone, 2026, 4)
    episodes = list(
        Alert.objects.filter(rule__code="output_ytd_decline", enterprise=a).order_by("id")
    )
    assert [(e.state, e.first_month.month) for e in episodes] == [("resolved", 3), ("open", 4)]
    assert result.raised >= 1
    assert episodes[0].events.filter(kind="resolved", note__contains="订单转移").exists()


def test_a_live_warning_follows_later_months_and_ignores_earlier_ones(rules):
    services.evaluate_month(rules.zone, 2026, 3)
    missing = Alert.objects.get(rule__code="missing_report")
    services.evaluate_month(rules.zone, 2026, 4)
    missing.refresh_from_db()
    assert (missing.first_month.month, missing.last_month.month) == (3, 4)
    assert missing.tested_value == 4
    # Evaluating February later neither moves it back nor raises another.
    services.evaluate_month(rules.zone, 2026, 2)
    missing.refresh_from_db()
    assert missing.last_month.month == 4
    d = rules.firms["D"]
    assert Alert.objects.filter(rule__code="missing_report", enterprise=d).count() == 1


def test_disabled_rules_are_not_evaluated(rules):
    WarningRule.objects.filter(zone=rules.zone).exclude(code="ytd_loss").update(enabled=False)
    services.evaluate_month(rules.zone, 2026, 3)
    assert _live(rules.zone) == {("ytd_loss", "乙材料有限公司")}


def test_bad_month_is_refused_naming_the_field(rules):
    with pytest.raises(ValueError, match="month: 13"):
        services.evaluate_month(rules.zone, 2026, 13)


def test_acknowledge_and_resolve_are_audited_and_follow_the_states(rules):
    services.evaluate_month(rules.zone, 2026, 3)
    alert = Alert.objects.get(rule__code="ytd_loss")
    pm, analyst, firm = rules.users["pm"], rules.users["analyst"], rules.users["firm-b"]
    with pytest.raises(services.ActionRefused):
        services.acknowledge(alert, firm, "")
    with pytest.raises(services.ActionRefused):
        services.resolve(alert, pm, "done")
    services.add_note(alert, firm, "三月有一笔坏账核销")
    services.acknowledge(alert, analyst, "")
    with pytest.raises(services.ActionRefused, match="待确认"):
        services.acknowledge(alert, analyst, "")
    with pytest.raises(services.ActionRefused) as refused:
        services.resolve(alert, analyst, "  ")
    assert refused.value.field == "note"
    with pytest.raises(services.ActionRefused) as refused:
        services.resolve(alert, analyst, "x" * 1001)
    assert refused.value.field == "note"
    services.resolve(alert, analyst, "企业已说明")
    alert.refresh_from_db()
    assert alert.state == "resolved"
    history = list(alert.events.values_list("kind", "by__username", "note"))
    assert history == [
        ("raised", None, ""),
        ("note", "firm-b", "三月有一笔坏账核销"),
        ("acknowledged", "analyst", ""),
        ("resolved", "analyst", "企业已说明"),
    ]
    with pytest.raises(services.ActionRefused):
        services.resolve(alert, analyst, "again")


def test_open_warning_counts_for_a_zone_and_for_some_enterprises(rules):
    services.evaluate_month(rules.zone, 2026, 3)
    services.acknowledge(Alert.objects.get(rule__code="ytd_loss"), rules.users["analyst"])
    counts = compute.open_warning_counts(rules.zone)
    assert (counts.open, counts.acknowledged, counts.total) == (6, 1, 7)
    assert counts.by_severity == {"warning": 3, "info": 2, "critical": 2}
    only_a = compute.open_warning_counts(rules.zone.enterprises.filter(pk=rules.firms["A"].pk))
    assert only_a.total == 3


def test_rule_changes_are_for_the_zones_administrators(rules, other_zone):
    rule = WarningRule.objects.get(zone=rules.zone, code="output_ytd_decline")
    services.update_rule(rule, rules.users["admin"], threshold=Decimal(-30))
    assert WarningRule.objects.get(pk=rule.pk).threshold == -30
    for user in (rules.users["analyst"], other_zone["admin"]):
        with pytest.raises(services.ActionRefused):
            services.update_rule(rule, user, threshold=Decimal(-10))
    missing = WarningRule.objects.get(zone=rules.zone, code="missing_report")
    with pytest.raises(services.ActionRefused, match="threshold"):
        services.update_rule(missing, rules.users["admin"], threshold=Decimal("1.5"))


def test_command_evaluates_the_month_and_installs_defaults(small, capsys):
    call_command("evaluate_warnings", month="2026-03", zone=small.zone.pk)
    out = capsys.readouterr().out
    assert "installed 7 default rules" in out
    assert "2026-03" in out and "raised" in out
    assert Alert.objects.filter(rule__zone=small.zone).exists()
    call_command("evaluate_warnings", month="2026-03", zone=small.zone.pk)
    assert "0 raised, 0 updated, 0 cleared" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--month"):
        call_command("evaluate_warnings", month="March")
    with pytest.raises(CommandError, match="--zone"):
        call_command("evaluate_warnings", zone=999_999)
