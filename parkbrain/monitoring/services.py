"""The only code that writes warnings: shipped rules, the monthly evaluation, and what people
do with a warning (acknowledge, resolve, note), each recorded as an event."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from parkbrain.core import workdays
from parkbrain.core.people import person_name
from parkbrain.notifications import services as notifications
from parkbrain.registry import tenancy
from parkbrain.registry.choices import Role
from parkbrain.registry.models import Assignment, Enterprise, Zone
from parkbrain.registry.services import changing_figures, figures_changed
from parkbrain.reporting.compute import CoefficientTable
from parkbrain.reporting.models import Indicator, MonthlyReport, ReportValue
from parkbrain.reporting.periods import recent_months

from . import compute
from .choices import (
    ACTIVE_STATES,
    AlertState,
    EventKind,
    FigureBasis,
    Operator,
    QualityCheck,
    RuleKind,
    Severity,
)
from .models import Alert, AlertEvent, WarningRule

MICRO = Decimal("0.000001")
NOTE_MAX = 1000
# 督办 asks for a result within this many working days unless the zone says otherwise.
SUPERVISION_WORKING_DAYS = 5
RECENT_MONTHS = 3  # the months the monthly run evaluates, the latest complete one last

# code, name, kind, indicator, other indicator, check, basis, operator, threshold, severity,
# description. Thresholds follow common zone practice; each zone edits its own copy.
RULE_NAMES_EN = {
    "output_ytd_decline": "Output growth year to date falls sharply",
    "energy_intensity_rise": "Energy per unit of output up on last year",
    "ytd_loss": "Loss year to date",
    "missing_report": "Monthly report not submitted",
    "output_without_energy": "Output reported without energy use",
    "taxes_above_revenue": "Taxes above revenue",
    "output_rank_drop": "Falls sharply in the output ranking",
}
DEFAULT_RULES = [
    (
        "output_ytd_decline",
        "产值累计增速大幅下降",
        RuleKind.YOY_CHANGE,
        "output_value",
        "",
        "",
        FigureBasis.YEAR_TO_DATE,
        Operator.LT,
        Decimal(-20),
        Severity.WARNING,
        "工业总产值累计增速（本年累计比上年同期累计）低于 −20%。",
    ),
    (
        "energy_intensity_rise",
        "单位产值能耗同比上升",
        RuleKind.YOY_CHANGE,
        "energy_tce",
        "output_value",
        "",
        FigureBasis.YEAR_TO_DATE,
        Operator.GT,
        Decimal(30),
        Severity.WARNING,
        "累计综合能耗除以累计产值，比上年同期上升超过 30%。",
    ),
    (
        "ytd_loss",
        "累计亏损",
        RuleKind.THRESHOLD,
        "total_profit",
        "",
        "",
        FigureBasis.YEAR_TO_DATE,
        Operator.LT,
        Decimal(0),
        Severity.INFO,
        "利润总额本年累计为负。",
    ),
    (
        "missing_report",
        "月报未报",
        RuleKind.MISSING_REPORT,
        "",
        "",
        "",
        FigureBasis.MONTH,
        Operator.GTE,
        Decimal(1),
        Severity.WARNING,
        "规上企业本月月报未提交（未填报、草稿或被退回）。",
    ),
    (
        "output_without_energy",
        "有产值无能耗",
        RuleKind.DATA_QUALITY,
        "output_value",
        "energy_tce",
        QualityCheck.WITHOUT,
        FigureBasis.MONTH,
        Operator.GT,
        Decimal(0),
        Severity.CRITICAL,
        "本月报了工业总产值，却没有能源消费（综合能耗缺失或为零）。",
    ),
    (
        "taxes_above_revenue",
        "税金高于营业收入",
        RuleKind.DATA_QUALITY,
        "taxes",
        "revenue",
        QualityCheck.RATIO,
        FigureBasis.YEAR_TO_DATE,
        Operator.GT,
        Decimal(1),
        Severity.CRITICAL,
        "累计实缴税金超过累计营业收入，数据很可能有误。",
    ),
    (
        "output_rank_drop",
        "产值排名大幅下滑",
        RuleKind.RANK_CHANGE,
        "output_value",
        "",
        "",
        FigureBasis.YEAR_TO_DATE,
        Operator.GTE,
        Decimal(10),
        Severity.INFO,
        "累计产值在开发区规上企业中的排名比上年同期下降 10 位及以上。",
    ),
]


class ActionRefused(Exception):
    """The action is not allowed in the warning's state or for this person; nothing changed."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


@transaction.atomic
def install_default_rules(zone: Zone) -> int:
    """Give a zone the shipped rules it lacks (by code); returns how many were added.
    Rules a zone already has keep its own thresholds."""
    indicators = {i.code: i for i in Indicator.objects.all()}
    have = set(WarningRule.objects.filter(zone=zone).values_list("code", flat=True))
    added = [
        WarningRule(
            zone=zone,
            code=code,
            name=name,
            name_en=RULE_NAMES_EN.get(code, ""),
            kind=kind,
            indicator=indicators.get(indicator),
            other_indicator=indicators.get(other),
            quality_check=check,
            basis=basis,
            operator=operator,
            threshold=threshold,
            severity=severity,
            description=description,
            sort_order=order,
        )
        for order, (
            code,
            name,
            kind,
            indicator,
            other,
            check,
            basis,
            operator,
            threshold,
            severity,
            description,
        ) in enumerate(DEFAULT_RULES)
        if code not in have
    ]
    WarningRule.objects.bulk_create(added)
    if added:
        figures_changed(zones={zone.pk})
    return len(added)


@dataclass
class EvaluationResult:
    raised: int = 0
    updated: int = 0
    cleared: int = 0
    enterprises: int = 0
    rules: int = 0

    @property
    def unchanged(self) -> bool:
        return not (self.raised or self.updated or self.cleared)


def rule_spec(rule: WarningRule) -> compute.Rule:
    return compute.Rule(
        kind=rule.kind,
        indicator=rule.indicator.code if rule.indicator else "",
        other_indicator=rule.other_indicator.code if rule.other_indicator else "",
        quality_check=rule.quality_check,
        basis=rule.basis,
        operator=rule.operator,
        threshold=rule.threshold,
    )


def _check_period(year: int, month: int) -> None:
    if not 1 <= month <= 12:
        raise ValueError(f"month: {month} is not between 1 and 12")
    if not 2000 <= year <= 2100:
        raise ValueError(f"year: {year} is not between 2000 and 2100")


def _quantized(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(MICRO, ROUND_HALF_UP)


def outcomes_for_month(
    zone: Zone,
    year: int,
    month: int,
    rules: list[WarningRule],
    enterprise_ids: set[int] | None = None,
) -> dict[int, dict[int, compute.Outcome | None]]:
    """rule id → enterprise id → outcome, for the zone's firms above designated size in
    `year` (or those of them in `enterprise_ids`). Only figures of reports that are in
    (submitted or accepted) count."""
    firms = Enterprise.objects.filter(zone=zone).above_scale_in(year)
    if enterprise_ids is not None:
        firms = firms.filter(id__in=enterprise_ids)
    firm_ids = set(firms.values_list("id", flat=True))
    specs = {rule.id: rule_spec(rule) for rule in rules}
    codes = compute.indicators_needed(specs.values())
    reported: dict[tuple[int, int], dict[str, dict[int, Decimal]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    if codes and firm_ids:
        rows = ReportValue.objects.filter(
            report__enterprise_id__in=firm_ids,
            report__year__in=(year, year - 1),
            report__month__lte=month,
            report__status__in=compute.REPORT_IN,
            indicator__code__in=codes,
        )
        for enterprise_id, y, m, code, value in rows.values_list(
            "report__enterprise_id",
            "report__year",
            "report__month",
            "indicator__code",
            "value",
        ):
            reported[(enterprise_id, y)][code][m] = value
    statuses: dict[int, dict[int, str]] = defaultdict(dict)
    if any(spec.kind == RuleKind.MISSING_REPORT for spec in specs.values()):
        for enterprise_id, m, status in MonthlyReport.objects.filter(
            enterprise_id__in=firm_ids, year=year, month__lte=month
        ).values_list("enterprise_id", "month", "status"):
            statuses[enterprise_id][m] = status
    catalogue = compute.Catalogue(
        bases={i.code: (i.basis, i.aggregation) for i in Indicator.objects.all()},
        coefficients=CoefficientTable.load(),
    )
    empty: dict[str, dict[int, Decimal]] = {}
    result: dict[int, dict[int, compute.Outcome | None]] = {}
    for rule_id, spec in specs.items():
        by_firm: dict[int, compute.Outcome | None] = {}
        if spec.kind == RuleKind.RANK_CHANGE:
            now, before = {}, {}
            for firm in firm_ids:
                for target, y in ((now, year), (before, year - 1)):
                    value = compute.rule_figure(
                        reported.get((firm, y), empty), spec, month, y, catalogue
                    )
                    if value is not None:
                        target[firm] = value
            by_firm.update(compute.evaluate_rank_change(now, before, spec))
        for firm in firm_ids:
            this = reported.get((firm, year), empty)
            if spec.kind == RuleKind.THRESHOLD:
                by_firm[firm] = compute.evaluate_threshold(this, spec, month, year, catalogue)
            elif spec.kind == RuleKind.YOY_CHANGE:
                last = reported.get((firm, year - 1), empty)
                by_firm[firm] = compute.evaluate_yoy_change(
                    this, last, spec, month, year, catalogue
                )
            elif spec.kind == RuleKind.DATA_QUALITY:
                by_firm[firm] = compute.evaluate_data_quality(this, spec, month, year, catalogue)
            elif spec.kind == RuleKind.MISSING_REPORT:
                by_firm[firm] = compute.evaluate_missing_report(statuses.get(firm, {}), spec, month)
            else:
                by_firm.setdefault(firm, None)
        result[rule_id] = by_firm
    return result


@transaction.atomic
@changing_figures()
def evaluate_month(
    zone: Zone,
    year: int,
    month: int,
    now: datetime | None = None,
    kinds: tuple[str, ...] | None = None,
    enterprise_ids: set[int] | None = None,
) -> EvaluationResult:
    """Evaluate the zone's enabled rules (of `kinds`, or all) for one month and bring the
    warnings up to date, for every above-size firm or only those in `enterprise_ids`.

    A condition that holds raises a warning or updates the live one; one that no longer
    holds clears the live warning; a resolved or cleared warning whose condition holds in a
    later month opens a new episode. Earlier months than a warning's latest never change it,
    and running the same month twice changes nothing.
    """
    _check_period(year, month)
    now = now or timezone.now()
    period = date(year, month, 1)
    chosen = WarningRule.objects.filter(zone=zone, enabled=True)
    if kinds is not None:
        chosen = chosen.filter(kind__in=kinds)
    rules = list(chosen.select_related("indicator", "other_indicator"))
    outcomes = outcomes_for_month(zone, year, month, rules, enterprise_ids)
    result = EvaluationResult(rules=len(rules))
    latest: dict[tuple[int, int], Alert] = {}
    alerts = Alert.objects.filter(rule__in=rules)
    if enterprise_ids is not None:
        alerts = alerts.filter(enterprise_id__in=enterprise_ids)
    for alert in alerts.order_by("id"):
        latest[(alert.rule_id, alert.enterprise_id)] = alert
    new_alerts: list[Alert] = []
    changed: list[Alert] = []
    events: list[AlertEvent] = []
    firms: set[int] = set()
    for rule in rules:
        for enterprise_id, outcome in outcomes[rule.id].items():
            firms.add(enterprise_id)
            if outcome is None:
                continue  # not evaluable this month: the warning stays as it is
            current = latest.get((rule.id, enterprise_id))
            measured = _quantized(outcome.measured)
            compared = _quantized(outcome.compared)
            tested = _quantized(outcome.tested)
            if outcome.holds:
                if current is not None and current.active:
                    if period < current.last_month:
                        continue
                    figures = (measured, compared, tested)
                    was = (current.measured_value, current.compared_value, current.tested_value)
                    if period == current.last_month and figures == was:
                        continue
                    current.last_month = period
                    current.measured_value, current.compared_value, current.tested_value = figures
                    current.last_seen_at = now
                    changed.append(current)
                    events.append(
                        AlertEvent(alert=current, kind=EventKind.UPDATED, at=now, month=period)
                    )
                    result.updated += 1
                elif current is None or period > current.last_month:
                    alert = Alert(
                        rule=rule,
                        enterprise_id=enterprise_id,
                        first_month=period,
                        last_month=period,
                        measured_value=measured,
                        compared_value=compared,
                        tested_value=tested,
                        raised_at=now,
                        last_seen_at=now,
                    )
                    new_alerts.append(alert)
                    result.raised += 1
            elif current is not None and current.active and period >= current.last_month:
                current.state = AlertState.CLEARED
                current.closed_at = now
                changed.append(current)
                events.append(
                    AlertEvent(alert=current, kind=EventKind.CLEARED, at=now, month=period)
                )
                result.cleared += 1
    result.enterprises = len(firms)
    Alert.objects.bulk_create(new_alerts, batch_size=2000)
    events.extend(
        AlertEvent(alert=alert, kind=EventKind.RAISED, at=now, month=period) for alert in new_alerts
    )
    Alert.objects.bulk_update(
        changed,
        [
            "state",
            "last_month",
            "measured_value",
            "compared_value",
            "tested_value",
            "last_seen_at",
            "closed_at",
        ],
        batch_size=2000,
    )
    AlertEvent.objects.bulk_create(events, batch_size=2000)
    if not result.unchanged:
        figures_changed(zones={zone.pk})
    return result


def recheck_quality(reports: list[tuple[int, int, int]], today: date | None = None) -> None:
    """Re-check the data quality of these (enterprise id, year, month) reports at once, so the
    warning list shows a slip the moment the report is in. Only the months the monthly run
    keeps up to date (RECENT_MONTHS): a correction of an older month is still held out of
    the figures by monitoring.counting, which checks every report itself."""
    recent = set(recent_months(today or timezone.localdate(), RECENT_MONTHS))
    reports = [r for r in reports if (r[1], r[2]) in recent]
    months: dict[tuple[int, int, int], set[int]] = defaultdict(set)
    zones = dict(
        Enterprise.objects.filter(id__in={e for e, _y, _m in reports}).values_list("id", "zone_id")
    )
    for enterprise_id, year, month in reports:
        months[(zones[enterprise_id], year, month)].add(enterprise_id)
    for (zone_id, year, month), firms in sorted(months.items()):
        zone = Zone.objects.get(pk=zone_id)
        evaluate_month(zone, year, month, kinds=(RuleKind.DATA_QUALITY,), enterprise_ids=firms)


def evaluate_recent(zone: Zone, today: date, months: int = RECENT_MONTHS) -> list[EvaluationResult]:
    """Evaluate the last `months` complete months, oldest first (as a monthly run would have)."""
    return [evaluate_month(zone, y, m) for y, m in recent_months(today, months)]


# -- what people do with a warning -------------------------------------------------------------


def may_acknowledge(user: object) -> bool:
    """Zone staff and project managers (for the firms they serve) acknowledge warnings."""
    scope = tenancy.scope_of(user)  # type: ignore[arg-type]
    return scope.sees_whole_zone or scope.role == Role.PROJECT_MANAGER


def may_resolve(user: object) -> bool:
    """Only zone staff close a warning; enterprises and managers add notes."""
    return tenancy.scope_of(user).sees_whole_zone  # type: ignore[arg-type]


SEVERITY_FIRST = Case(
    When(rule__severity=Severity.CRITICAL, then=Value(0)),
    When(rule__severity=Severity.WARNING, then=Value(1)),
    default=Value(2),
)


def visible_alerts(user: object):
    """The warnings of the enterprises the user may see: serious ones first, then the
    newest months."""
    return tenancy.restrict(Alert.objects.all(), user, via="enterprise").order_by(
        SEVERITY_FIRST, "-last_month", "rule__sort_order", "enterprise__name", "-id"
    )


def _clean_note(note: str, required: bool) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ActionRefused(_("Say what was done: the note is required."), field="note")
    if len(note) > NOTE_MAX:
        raise ActionRefused(
            _("The note is too long: at most %(max)d characters.") % {"max": NOTE_MAX},
            field="note",
        )
    return note


def _locked(alert: Alert) -> Alert:
    return Alert.objects.select_for_update().get(pk=alert.pk)


@transaction.atomic
def acknowledge(alert: Alert, user, note: str = "") -> Alert:
    """Someone responsible has seen the warning and follows it up."""
    if not may_acknowledge(user):
        raise ActionRefused(_("You may add notes to this warning, not acknowledge it."))
    note = _clean_note(note, required=False)
    alert = _locked(alert)
    if alert.state != AlertState.OPEN:
        raise ActionRefused(_("Only an open warning can be acknowledged."), field="state")
    alert.state = AlertState.ACKNOWLEDGED
    alert.save(update_fields=["state"])
    AlertEvent.objects.create(
        alert=alert, kind=EventKind.ACKNOWLEDGED, at=timezone.now(), by=user, note=note
    )
    return alert


@transaction.atomic
def resolve(alert: Alert, user, note: str) -> Alert:
    """Zone staff close the warning, saying what was done. Should the condition hold again
    in a later month, the evaluation opens a new warning."""
    if not may_resolve(user):
        raise ActionRefused(_("Only zone staff resolve warnings."))
    note = _clean_note(note, required=True)
    alert = _locked(alert)
    if alert.state not in ACTIVE_STATES:
        raise ActionRefused(_("This warning is already closed."), field="state")
    now = timezone.now()
    alert.state = AlertState.RESOLVED
    alert.closed_at = now
    alert.save(update_fields=["state", "closed_at"])
    AlertEvent.objects.create(alert=alert, kind=EventKind.RESOLVED, at=now, by=user, note=note)
    return alert


@transaction.atomic
def add_note(alert: Alert, user, note: str) -> AlertEvent:
    """Anyone who may see the warning may add a note, in any state."""
    note = _clean_note(note, required=True)
    return AlertEvent.objects.create(
        alert=alert, kind=EventKind.NOTE, at=timezone.now(), by=user, note=note
    )


def follow_up_people(alert: Alert):
    """Who may follow a warning up: the zone's staff, and the project managers serving the
    enterprise now (others could not see it)."""
    today = timezone.localdate()
    serving = Assignment.objects.filter(
        Q(until__isnull=True) | Q(until__gte=today), enterprise=alert.enterprise, since__lte=today
    ).values("manager_id")
    return (
        get_user_model()
        .objects.filter(is_active=True, membership__zone_id=alert.enterprise.zone_id)
        .filter(
            Q(membership__role__in=(Role.ZONE_ADMIN, Role.ANALYST))
            | Q(membership__role=Role.PROJECT_MANAGER, pk__in=serving)
        )
        .order_by("membership__role", "last_name", "first_name")
    )


@transaction.atomic
def assign(alert: Alert, user, assignee, note: str = "") -> Alert:
    """Zone staff name who follows the warning up."""
    if not may_resolve(user):
        raise ActionRefused(_("Only zone staff assign warnings."))
    note = _clean_note(note, required=False)
    if not follow_up_people(alert).filter(pk=assignee.pk).exists():
        raise ActionRefused(
            _("Assign to zone staff or a project manager serving this enterprise."),
            field="assignee",
        )
    alert = _locked(alert)
    if alert.state not in ACTIVE_STATES:
        raise ActionRefused(_("This warning is already closed."), field="state")
    alert.assignee = assignee
    alert.save(update_fields=["assignee"])
    AlertEvent.objects.create(
        alert=alert,
        kind=EventKind.ASSIGNED,
        at=timezone.now(),
        by=user,
        note="：".join(filter(None, [person_name(assignee), note])),
    )
    notifications.notify(
        [assignee],
        "warning_assigned",
        _("A warning to follow up: %(rule)s, %(firm)s")
        % {"rule": alert.rule.name, "firm": alert.enterprise.name},
        note,
        reverse("monitoring:detail", args=[alert.pk]),
    )
    return alert


@transaction.atomic
def supervise(alert: Alert, user, due: date, note: str) -> Alert:
    """Zone staff put the warning under supervision (督办): it must be resolved by `due`."""
    if not may_resolve(user):
        raise ActionRefused(_("Only zone staff put warnings under supervision."))
    note = _clean_note(note, required=True)
    if due < timezone.localdate():
        raise ActionRefused(_("The due date has passed; choose a later one."), field="due")
    alert = _locked(alert)
    if alert.state not in ACTIVE_STATES:
        raise ActionRefused(_("This warning is already closed."), field="state")
    alert.supervised_until = due
    alert.save(update_fields=["supervised_until"])
    AlertEvent.objects.create(
        alert=alert,
        kind=EventKind.SUPERVISED,
        at=timezone.now(),
        by=user,
        note=f"{due:%Y-%m-%d}：{note}",
    )
    notifications.notify(
        [*notifications.enterprise_users(alert.enterprise), alert.assignee],
        "warning_supervised",
        _("Under supervision (督办): %(rule)s, to be resolved by %(due)s")
        % {"rule": alert.rule.name, "due": f"{due:%Y-%m-%d}"},
        note,
        reverse("monitoring:detail", args=[alert.pk]),
    )
    return alert


def default_supervision_due(today: date) -> date:
    return workdays.add_working_days(today, SUPERVISION_WORKING_DAYS)


@transaction.atomic
def acknowledge_many(alerts, user, note: str = "") -> tuple[int, int]:
    """Acknowledge the open warnings among `alerts` at once; returns (acknowledged, skipped:
    already acknowledged or closed)."""
    if not may_acknowledge(user):
        raise ActionRefused(_("You may add notes to this warning, not acknowledge it."))
    note = _clean_note(note, required=False)
    locked = list(Alert.objects.select_for_update().filter(pk__in=[a.pk for a in alerts]))
    open_ones = [a for a in locked if a.state == AlertState.OPEN]
    now = timezone.now()
    Alert.objects.filter(pk__in=[a.pk for a in open_ones]).update(state=AlertState.ACKNOWLEDGED)
    AlertEvent.objects.bulk_create(
        AlertEvent(alert=a, kind=EventKind.ACKNOWLEDGED, at=now, by=user, note=note)
        for a in open_ones
    )
    return len(open_ones), len(locked) - len(open_ones)


@transaction.atomic
def update_rule(rule: WarningRule, user, **changes) -> WarningRule:
    """Change a rule's thresholds, severity or whether it runs; zone administrators only.
    Existing warnings keep their figures until the next evaluation."""
    scope = tenancy.scope_of(user)
    if scope.role != Role.ZONE_ADMIN or tenancy.zone_of(user) != rule.zone:
        raise ActionRefused(_("Only the zone's administrators change its warning rules."))
    for name, value in changes.items():
        setattr(rule, name, value)
    try:
        rule.full_clean()
    except ValidationError as invalid:
        raise ActionRefused(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in invalid.message_dict.items())
        ) from invalid
    rule.save()
    return rule
