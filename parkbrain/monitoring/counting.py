"""Which monthly reports the zone's figures count, and which they hold out.

A statistics office publishes reviewed figures: by default only accepted reports count; an
analyst may choose to include reports submitted and not yet reviewed. Either way a report that
fails one of the zone's serious data-quality checks (taxes above revenue, output without
energy…) stays out until someone reviews it: an analyst accepts it after its last change, or
acknowledges or resolves the warning about it. Drafts and returned reports are never figures.
The checks run here, on the reports as they are now, so a hold never waits for the monthly
warning run. The cockpit, the wall, the exports, the 亩均 evaluation and the portrait all count
through `Counting`, and say what it held out.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parkbrain.registry.models import Zone
from parkbrain.reporting.choices import ReportStatus
from parkbrain.reporting.compute import CoefficientTable
from parkbrain.reporting.models import Indicator, MonthlyReport, ReportValue

from . import compute
from .choices import AlertState, DataBasis, HoldReason, RuleKind, Severity
from .compute import REPORT_IN
from .models import Alert, WarningRule

# A person looked at the warning: its report may count again.
REVIEWED_STATES = (AlertState.ACKNOWLEDGED, AlertState.RESOLVED)


@dataclass(frozen=True)
class HeldReport:
    """A submitted or accepted report left out of the figures, and why."""

    report_id: int
    enterprise_id: int
    year: int
    month: int
    status: str
    reason: str  # a HoldReason
    warning: str = ""  # the data-quality rule it fails, for HoldReason.QUALITY

    def get_reason_display(self) -> str:
        return str(HoldReason(self.reason).label)


@dataclass(frozen=True)
class Counting:
    """The rule for one set of figures: its basis and the reports serious checks hold."""

    basis: str = DataBasis.REVIEWED
    quality_held: dict[int, str] = field(default_factory=dict)  # report id → rule name
    # Each report's verdict once asked: callers ask once per figure the report holds.
    _verdicts: dict[int, "HeldReport | None"] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def for_zone(cls, zone: Zone | int, basis: str = DataBasis.REVIEWED) -> "Counting":
        """Run the zone's serious data-quality checks over its reports not reviewed since
        their last change: submitted ones, and accepted ones changed after acceptance."""
        from .services import rule_spec

        zone_id = zone if isinstance(zone, int) else zone.pk
        rules = list(
            WarningRule.objects.filter(
                zone_id=zone_id,
                enabled=True,
                kind=RuleKind.DATA_QUALITY,
                severity=Severity.CRITICAL,
            ).select_related("indicator", "other_indicator")
        )
        if not rules:
            return cls(basis=basis)
        unreviewed = list(
            MonthlyReport.objects.filter(enterprise__zone_id=zone_id)
            .filter(
                Q(status=ReportStatus.SUBMITTED)
                | Q(status=ReportStatus.ACCEPTED, updated_at__gt=F("reviewed_at"))
            )
            .values_list("id", "enterprise_id", "year", "month")
        )
        if not unreviewed:
            return cls(basis=basis)
        specs = [(rule, rule_spec(rule)) for rule in rules]
        latest: dict[tuple[int, int], int] = {}
        for _pk, enterprise_id, year, month in unreviewed:
            latest[(enterprise_id, year)] = max(month, latest.get((enterprise_id, year), 0))
        reported: dict[tuple[int, int], dict[str, dict[int, object]]] = defaultdict(
            lambda: defaultdict(dict)
        )
        values = ReportValue.objects.filter(
            report__enterprise_id__in={e for e, _y in latest},
            report__year__in={y for _e, y in latest},
            report__status__in=REPORT_IN,
            indicator__code__in=compute.indicators_needed(spec for _r, spec in specs),
        ).values_list(
            "report__enterprise_id", "report__year", "report__month", "indicator__code", "value"
        )
        for enterprise_id, year, month, code, value in values:
            if month <= latest.get((enterprise_id, year), 0):
                reported[(enterprise_id, year)][code][month] = value
        looked_at = defaultdict(list)
        for rule_id, enterprise_id, first, last in Alert.objects.filter(
            rule__in=rules,
            enterprise_id__in={e for e, _y in latest},
            state__in=REVIEWED_STATES,
        ).values_list("rule_id", "enterprise_id", "first_month", "last_month"):
            looked_at[(rule_id, enterprise_id)].append((first, last))
        catalogue = compute.Catalogue(
            bases={i.code: (i.basis, i.aggregation) for i in Indicator.objects.all()},
            coefficients=CoefficientTable.load(),
        )
        held: dict[int, str] = {}
        for report_id, enterprise_id, year, month in unreviewed:
            figures = reported.get((enterprise_id, year), {})
            for rule, spec in specs:
                outcome = compute.evaluate_data_quality(figures, spec, month, year, catalogue)
                if outcome is None or not outcome.holds:
                    continue
                day = date(year, month, 1)
                spans = looked_at.get((rule.pk, enterprise_id), ())
                if not any(first <= day <= last for first, last in spans):
                    held[report_id] = rule.name
                    break
        return cls(basis=basis, quality_held=held)

    def reason(self, report_id: int, status: str) -> str | None:
        """Why this report (submitted or accepted) is held out, or None when it counts."""
        if report_id in self.quality_held:
            return HoldReason.QUALITY
        if status == ReportStatus.ACCEPTED:
            return None
        if status == ReportStatus.SUBMITTED and self.basis == DataBasis.PROVISIONAL:
            return None
        return HoldReason.AWAITING_REVIEW

    def held(
        self, report_id: int, enterprise_id: int, year: int, month: int, status: str
    ) -> HeldReport | None:
        """The report as held out, or None when it counts."""
        if report_id in self._verdicts:
            return self._verdicts[report_id]
        reason = self.reason(report_id, status)
        verdict = (
            None
            if reason is None
            else HeldReport(
                report_id,
                enterprise_id,
                year,
                month,
                status,
                reason,
                self.quality_held.get(report_id, ""),
            )
        )
        self._verdicts[report_id] = verdict
        return verdict

    def held_so_far(self) -> list[HeldReport]:
        """The reports held out among those asked about."""
        return [held for held in self._verdicts.values() if held is not None]


def reason_counts(held: Iterable[HeldReport]) -> dict[str, int]:
    """How many held reports each reason keeps out, quality first."""
    counts = dict.fromkeys(HoldReason.values, 0)
    for report in held:
        counts[report.reason] += 1
    return {reason: n for reason, n in counts.items() if n}


def held_out_sentence(counts: dict[str, int]) -> str:
    """ "3 reports held out: 2 awaiting review, 1 with …" — or nothing when none was."""
    total = sum(counts.values())
    if not total:
        return ""
    parts = []
    for reason, n in counts.items():
        if reason == HoldReason.QUALITY:
            parts.append(
                ngettext(
                    "%(n)d failing a serious data-quality check",
                    "%(n)d failing a serious data-quality check",
                    n,
                )
                % {"n": n}
            )
        elif n:
            parts.append(ngettext("%(n)d awaiting review", "%(n)d awaiting review", n) % {"n": n})
    return ngettext(
        "%(n)d report held out: %(reasons)s.", "%(n)d reports held out: %(reasons)s.", total
    ) % {"n": total, "reasons": _(", ").join(parts)}


def with_held_out(formula: str, counts: dict[str, int]) -> str:
    """A figure's formula followed by what it held out, when it held out anything."""
    sentence = held_out_sentence(counts)
    return f"{formula} {sentence}" if sentence else formula
