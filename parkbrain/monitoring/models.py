"""Early warnings (运行监测预警): rules kept as data, and the warnings they raise per enterprise."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from parkbrain.core.i18n import local_name
from parkbrain.registry.models import Enterprise, Zone
from parkbrain.reporting import units
from parkbrain.reporting.models import Indicator

from .choices import (
    AlertState,
    EventKind,
    FigureBasis,
    Operator,
    QualityCheck,
    RuleKind,
    Severity,
)


def figure_text(value: Decimal | None) -> str:
    """A figure for a sentence: thousands separated, at most four significant decimals."""
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:,.4f}".rstrip("0").rstrip(".")


class WarningRule(models.Model):
    """One warning condition of a zone, as data.

    The threshold is in the rule's unit (`threshold_unit`): per cent for a year-on-year
    change, places for a ranking drop, consecutive months for a missing report, times for a
    ratio of two figures in the same unit, else the indicator's own unit.
    """

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="warning_rules", verbose_name=_("zone")
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=RuleKind.choices)
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicator"),
    )
    other_indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("divided by / compared with"),
        help_text=_(
            "When set, the figure is the indicator divided by this one; a data-quality "
            "'without' check looks for this one next to the indicator."
        ),
    )
    quality_check = models.CharField(
        _("data-quality check"), max_length=10, choices=QualityCheck.choices, blank=True
    )
    basis = models.CharField(
        _("figure"), max_length=5, choices=FigureBasis.choices, default=FigureBasis.YEAR_TO_DATE
    )
    operator = models.CharField(_("comparison"), max_length=3, choices=Operator.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=20, decimal_places=4)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("warning rule")
        verbose_name_plural = _("warning rules")
        ordering = ["zone", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "code"], name="warning_rule_code_unique"),
            models.CheckConstraint(
                condition=Q(kind=RuleKind.MISSING_REPORT) | Q(indicator__isnull=False),
                name="warning_rule_indicator_unless_missing_report",
            ),
            models.CheckConstraint(
                condition=~Q(kind=RuleKind.DATA_QUALITY)
                | (Q(other_indicator__isnull=False) & ~Q(quality_check="")),
                name="warning_rule_data_quality_has_check",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def figure_label(self) -> str:
        """The figure the rule reads, e.g. "利润总额 (Year to date)"."""
        if self.indicator is None:
            return ""
        name = local_name(self.indicator)
        if self.other_indicator is not None and self.kind != RuleKind.DATA_QUALITY:
            name = f"{name} ÷ {local_name(self.other_indicator)}"
        return gettext("%(figure)s (%(basis)s)") % {
            "figure": name,
            "basis": self.get_basis_display(),
        }

    @property
    def _reads_ratio(self) -> bool:
        return (
            self.indicator is not None
            and self.other_indicator is not None
            and (self.kind != RuleKind.DATA_QUALITY or self.quality_check == QualityCheck.RATIO)
        )

    @property
    def figure_unit(self) -> str:
        """The unit of the figure the rule reads: the indicator's, or a ratio's ("" for a ratio
        of figures in the same unit)."""
        if self.indicator is None:
            return ""
        if self._reads_ratio:
            if self.indicator.unit == self.other_indicator.unit:
                return ""
            return f"{self.indicator.unit}/{self.other_indicator.unit}"
        return self.indicator.unit

    @property
    def threshold_unit(self) -> str:
        if self.kind == RuleKind.YOY_CHANGE:
            return "%"
        if self.kind == RuleKind.RANK_CHANGE:
            return gettext("places")
        if self.kind == RuleKind.MISSING_REPORT:
            return gettext("months")
        if self._reads_ratio and not self.figure_unit:
            return gettext("times")
        return self.figure_unit

    @property
    def condition(self) -> str:
        """The rule in one line, e.g. "≤ −20 %"; a 'without' check has no threshold."""
        if self.kind == RuleKind.DATA_QUALITY and self.quality_check == QualityCheck.WITHOUT:
            return gettext("%(indicator)s without %(other)s") % {
                "indicator": local_name(self.indicator),
                "other": local_name(self.other_indicator),
            }
        threshold = format(self.threshold.normalize(), "f")
        return f"{self.get_operator_display()} {threshold} {self.threshold_unit}".strip()

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.kind != RuleKind.MISSING_REPORT and self.indicator_id is None:
            errors["indicator"] = gettext("This kind of rule needs an indicator.")
        if self.kind == RuleKind.DATA_QUALITY:
            if self.other_indicator_id is None:
                errors["other_indicator"] = gettext(
                    "A data-quality check needs a second indicator."
                )
            if not self.quality_check:
                errors["quality_check"] = gettext("Choose which data-quality check to run.")
        elif self.quality_check:
            errors["quality_check"] = gettext("Only data-quality rules have a check.")
        whole = self.threshold is not None and self.threshold == int(self.threshold)
        if self.kind == RuleKind.MISSING_REPORT and not (whole and self.threshold >= 1):
            errors["threshold"] = gettext("Give a whole number of months, at least 1.")
        if self.kind == RuleKind.RANK_CHANGE and self.threshold is not None and self.threshold < 1:
            errors["threshold"] = gettext("Give a drop of at least one place.")
        if errors:
            raise ValidationError(errors)


class Alert(models.Model):
    """One episode of a warning: a rule's condition holding for an enterprise from one month
    to another. When a resolved or cleared warning's condition holds again in a later month,
    a new episode opens and the old one stays as it was.

    Periods are stored as the first day of their month. Figures are in the rule's figure
    unit; `tested_value` is what the threshold was compared with (a change in per cent,
    places dropped, months owed, a ratio, or the figure itself).
    """

    rule = models.ForeignKey(
        WarningRule, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("rule")
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="alerts", verbose_name=_("enterprise")
    )
    first_month = models.DateField(_("first month"), help_text=_("First day of the month."))
    last_month = models.DateField(
        _("latest month"), help_text=_("The latest month the condition held in.")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=AlertState.choices, default=AlertState.OPEN
    )
    measured_value = models.DecimalField(
        _("measured value"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    compared_value = models.DecimalField(
        _("compared with"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    tested_value = models.DecimalField(
        _("value tested against the threshold"),
        max_digits=24,
        decimal_places=6,
        null=True,
        blank=True,
    )
    raised_at = models.DateTimeField(_("first raised at"))
    last_seen_at = models.DateTimeField(_("last seen at"))
    closed_at = models.DateTimeField(_("resolved or cleared at"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_alerts",
        verbose_name=_("follow-up by"),
    )
    supervised_until = models.DateField(
        _("supervised: due"),
        null=True,
        blank=True,
        help_text=_("Set when the zone puts the warning under supervision (督办)."),
    )

    class Meta:
        verbose_name = _("early warning")
        verbose_name_plural = _("early warnings")
        ordering = ["-last_month", "rule__sort_order", "enterprise__name", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_month__gte=F("first_month")), name="alert_months_in_order"
            ),
            # At most one live episode per rule and enterprise.
            models.UniqueConstraint(
                fields=["rule", "enterprise"],
                condition=Q(state__in=["open", "acknowledged"]),
                name="alert_one_active_per_rule_and_enterprise",
            ),
        ]
        indexes = [models.Index(fields=["state", "last_month"], name="alert_state_month_idx")]

    def __str__(self) -> str:
        return f"{self.rule} · {self.enterprise} · {self.last_month:%Y-%m}"

    @property
    def active(self) -> bool:
        return self.state in (AlertState.OPEN, AlertState.ACKNOWLEDGED)

    @property
    def message(self) -> str:
        """What the warning says, in the reader's language, from the stored figures."""
        rule = self.rule
        measured, compared, tested = self.measured_value, self.compared_value, self.tested_value
        if rule.kind == RuleKind.MISSING_REPORT:
            months = int(tested or 0)
            return ngettext(
                "%(n)d month in a row without a submitted report.",
                "%(n)d months in a row without a submitted report.",
                months,
            ) % {"n": months}
        if rule.kind == RuleKind.RANK_CHANGE:
            return gettext(
                "Ranked %(now)d in the zone by %(figure)s, %(drop)d places below the same "
                "period last year (%(before)d)."
            ) % {
                "now": int(measured or 0),
                "before": int(compared or 0),
                "drop": int(tested or 0),
                "figure": rule.figure_label,
            }
        if rule.kind == RuleKind.YOY_CHANGE:
            return gettext(
                "%(figure)s changed %(change)s%% against the same period last year "
                "(%(value)s against %(before)s)."
            ) % {
                "figure": rule.figure_label,
                "change": f"{tested:+.1f}" if tested is not None else "—",
                "value": self._amount(measured),
                "before": self._amount(compared),
            }
        if rule.kind == RuleKind.DATA_QUALITY and rule.quality_check == QualityCheck.WITHOUT:
            return gettext(
                "%(indicator)s reported (%(value)s) but %(other)s is missing or zero."
            ) % {
                "indicator": local_name(rule.indicator),
                "value": figure_text(measured),
                "other": local_name(rule.other_indicator),
            }
        if rule.kind == RuleKind.DATA_QUALITY:
            return gettext(
                "%(indicator)s (%(value)s) is %(ratio)s times %(other)s (%(other_value)s)."
            ) % {
                "indicator": local_name(rule.indicator),
                "value": figure_text(measured),
                "other": local_name(rule.other_indicator),
                "other_value": figure_text(compared),
                "ratio": figure_text(tested),
            }
        return gettext("%(figure)s is %(amount)s; the rule is %(condition)s.") % {
            "figure": rule.figure_label,
            "amount": self._amount(measured),
            "condition": rule.condition,
        }

    def _amount(self, value: Decimal | None) -> str:
        """A figure of the rule's indicator with its unit, money in 万元 as people read it."""
        unit = self.rule.figure_unit
        if unit in units.PEOPLE_UNITS:
            return units.amount_text(value, unit)
        return f"{figure_text(value)} {unit}".strip()


class AlertEvent(models.Model):
    """History of a warning: raised, figures updated, acknowledged, resolved, cleared, notes.
    `by` is empty for the monthly evaluation."""

    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, related_name="events", verbose_name=_("warning")
    )
    kind = models.CharField(_("event"), max_length=12, choices=EventKind.choices)
    at = models.DateTimeField(_("at"), db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.CharField(_("note"), max_length=1000, blank=True)
    month = models.DateField(_("month evaluated"), null=True, blank=True)

    class Meta:
        verbose_name = _("warning event")
        verbose_name_plural = _("warning events")
        ordering = ["alert", "at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
