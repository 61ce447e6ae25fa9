"""亩均效益综合评价: schemes (parameters as data), land parcels, annual inputs from other
agencies, evaluation runs with their results, their audit trail, and differentiated prices."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parkbrain.registry.models import Enterprise, Zone
from parkbrain.reporting.choices import EnergyConvention

from .choices import (
    Direction,
    EventKind,
    Grade,
    GradingMethod,
    Measure,
    ObjectionStatus,
    Resource,
    RunStatus,
    SubjectGroup,
    WhenMissing,
)


class Scheme(models.Model):
    """How one group of enterprises is evaluated in one year: who takes part, how the score
    is graded. Its indicators (weights, benchmarks, caps) are SchemeIndicator rows."""

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="evaluation_schemes", verbose_name=_("zone")
    )
    year = models.PositiveSmallIntegerField(_("year evaluated"))
    group = models.CharField(_("group"), max_length=12, choices=SubjectGroup.choices)
    min_land_mu = models.DecimalField(
        _("minimum land (mu)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal(0),
        help_text=_("Enterprises below designated size take part only with at least this land."),
    )
    startup_years = models.PositiveSmallIntegerField(
        _("start-up years"),
        default=2,
        help_text=_("Enterprises founded within this many years are ungraded (不定等级)."),
    )
    energy_convention = models.CharField(
        _("electricity to standard coal"),
        max_length=12,
        choices=EnergyConvention.choices,
        default=EnergyConvention.EQUAL,
    )
    grading = models.CharField(
        _("grading"), max_length=10, choices=GradingMethod.choices, default=GradingMethod.QUANTILE
    )
    share_a = models.DecimalField(_("share A (%)"), max_digits=5, decimal_places=2, default=25)
    share_b = models.DecimalField(_("share B (%)"), max_digits=5, decimal_places=2, default=45)
    share_c = models.DecimalField(_("share C (%)"), max_digits=5, decimal_places=2, default=25)
    share_d = models.DecimalField(_("share D (%)"), max_digits=5, decimal_places=2, default=5)
    threshold_a = models.DecimalField(
        _("lowest score for A"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    threshold_b = models.DecimalField(
        _("lowest score for B"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    threshold_c = models.DecimalField(
        _("lowest score for C"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("evaluation scheme")
        verbose_name_plural = _("evaluation schemes")
        ordering = ["zone", "-year", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "year", "group"], name="scheme_one_per_zone_year_group"
            ),
            models.CheckConstraint(
                condition=Q(share_a__gte=0)
                & Q(share_b__gte=0)
                & Q(share_c__gte=0)
                & Q(share_d__gte=0),
                name="scheme_shares_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(grading=GradingMethod.THRESHOLD)
                | (
                    Q(threshold_a__isnull=False)
                    & Q(threshold_b__isnull=False)
                    & Q(threshold_c__isnull=False)
                ),
                name="scheme_threshold_grading_has_thresholds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.zone.short_name} {self.year} {self.get_group_display()}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.grading == GradingMethod.QUANTILE:
            total = self.share_a + self.share_b + self.share_c + self.share_d
            if total != 100:
                raise ValidationError(
                    {
                        "share_d": _("The four shares add up to %(total)s%%, not 100%%.")
                        % {"total": total}
                    }
                )
        else:
            missing = {
                name: _("Threshold grading needs this score.")
                for name in ("threshold_a", "threshold_b", "threshold_c")
                if getattr(self, name) is None
            }
            if missing:
                raise ValidationError(missing)
            if not self.threshold_a >= self.threshold_b >= self.threshold_c:
                raise ValidationError({"threshold_b": _("Thresholds must fall from A to C.")})


class SchemeIndicator(models.Model):
    """One weighed indicator: points = weight × value ÷ benchmark (for a lower-is-better
    indicator weight × (2 − value ÷ benchmark)), floored at 0 and capped if a cap is set."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("scheme")
    )
    measure = models.CharField(_("indicator"), max_length=30, choices=Measure.choices)
    weight = models.DecimalField(_("weight (points)"), max_digits=6, decimal_places=2)
    benchmark = models.DecimalField(_("benchmark"), max_digits=16, decimal_places=6)
    unit = models.CharField(_("unit"), max_length=20)
    direction = models.CharField(
        _("direction"),
        max_length=6,
        choices=Direction.choices,
        default=Direction.HIGHER_IS_BETTER,
    )
    cap_points = models.DecimalField(
        _("cap (points)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Most points this indicator may give; empty means no cap."),
    )
    when_missing = models.CharField(
        _("when the figure is missing"),
        max_length=8,
        choices=WhenMissing.choices,
        default=WhenMissing.ZERO,
    )
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("scheme indicator")
        verbose_name_plural = _("scheme indicators")
        ordering = ["scheme", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "measure"], name="scheme_measure_unique"),
            models.CheckConstraint(
                condition=Q(weight__gte=0), name="indicator_weight_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(benchmark__gt=0), name="indicator_benchmark_positive"
            ),
            models.CheckConstraint(
                condition=Q(cap_points__isnull=True) | Q(cap_points__gte=0),
                name="indicator_cap_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.weight}"


class LandParcel(models.Model):
    """A parcel of industrial land (宗地). Enterprises on one parcel are evaluated as one
    subject on the parcel's area and share its result."""

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="land_parcels", verbose_name=_("zone")
    )
    code = models.CharField(_("parcel code"), max_length=40)
    area_mu = models.DecimalField(_("area (mu)"), max_digits=10, decimal_places=2)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("land parcel")
        verbose_name_plural = _("land parcels")
        ordering = ["zone", "code"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "code"], name="parcel_code_unique_in_zone"),
            models.CheckConstraint(condition=Q(area_mu__gt=0), name="parcel_area_positive"),
        ]

    def __str__(self) -> str:
        return self.code


class ParcelOccupant(models.Model):
    """An enterprise uses this parcel; an enterprise uses at most one parcel."""

    parcel = models.ForeignKey(
        LandParcel, on_delete=models.CASCADE, related_name="occupants", verbose_name=_("parcel")
    )
    enterprise = models.OneToOneField(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="land_parcel",
        verbose_name=_("enterprise"),
    )

    class Meta:
        verbose_name = _("parcel occupant")
        verbose_name_plural = _("parcel occupants")
        ordering = ["parcel", "enterprise"]

    def __str__(self) -> str:
        return f"{self.parcel} · {self.enterprise}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.parcel_id and self.enterprise_id and self.parcel.zone_id != self.enterprise.zone_id:
            raise ValidationError({"enterprise": _("The enterprise belongs to another zone.")})


class AnnualFigure(models.Model):
    """An enterprise's yearly figures from other agencies: main-pollutant emissions (环保),
    and for firms that do not report monthly the tax (税务) and electricity (供电) used.
    A figure given here takes precedence over the sum of the monthly reports."""

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="annual_figures",
        verbose_name=_("enterprise"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    emissions_tonnes = models.DecimalField(
        _("main-pollutant emissions (t)"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("COD, ammonia nitrogen, SO₂ and NOₓ together."),
    )
    taxes_yuan = models.DecimalField(
        _("tax actually paid (yuan)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    electricity_kwh = models.DecimalField(
        _("electricity used (kWh)"), max_digits=16, decimal_places=0, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=200)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("annual figure from an agency")
        verbose_name_plural = _("annual figures from agencies")
        ordering = ["enterprise", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="annual_figure_unique"),
            models.CheckConstraint(
                condition=(Q(emissions_tonnes__isnull=True) | Q(emissions_tonnes__gte=0))
                & (Q(taxes_yuan__isnull=True) | Q(taxes_yuan__gte=0))
                & (Q(electricity_kwh__isnull=True) | Q(electricity_kwh__gte=0)),
                name="annual_figure_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"


class EvaluationRun(models.Model):
    """One zone's evaluation of one year: draft, published for objection (公示), final."""

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="evaluation_runs", verbose_name=_("zone")
    )
    year = models.PositiveSmallIntegerField(_("year evaluated"))
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT
    )
    computed_at = models.DateTimeField(_("computed at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("made final at"), null=True, blank=True)
    objection_from = models.DateField(_("objections from"), null=True, blank=True)
    objection_until = models.DateField(
        _("objections until"),
        null=True,
        blank=True,
        help_text=_("Last day of the 公示 period, inclusive."),
    )
    held_out = models.JSONField(
        _("reports held out"),
        default=list,
        blank=True,
        help_text=_(
            "The year's submitted reports the evaluation left out when it was computed: "
            "enterprise, month, status and reason."
        ),
    )

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["zone", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["zone", "year"], name="run_one_per_zone_year"),
        ]

    def __str__(self) -> str:
        return f"{self.zone.short_name} {self.year}"


class Result(models.Model):
    """One evaluated subject's result: a single enterprise, or the enterprises of one parcel.

    `items` explains the score: per indicator its value, benchmark, weight, points and cap.
    `figures` holds the annual figures it came from, in yuan, kWh, tce, tonnes, persons.
    """

    run = models.ForeignKey(
        EvaluationRun,
        on_delete=models.CASCADE,
        related_name="results",
        verbose_name=_("evaluation"),
    )
    group = models.CharField(_("group"), max_length=12, choices=SubjectGroup.choices)
    parcel = models.ForeignKey(
        LandParcel,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("parcel"),
    )
    key = models.CharField(
        _("subject key"),
        max_length=40,
        help_text=_("firm-<id> or parcel-<id>; stable across runs."),
    )
    name = models.CharField(_("name"), max_length=300)
    land_mu = models.DecimalField(_("land (mu)"), max_digits=10, decimal_places=2)
    figures = models.JSONField(_("annual figures"))
    items = models.JSONField(_("indicator points"))
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=4, null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    computed_grade = models.CharField(_("computed grade"), max_length=1, choices=Grade.choices)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    ungraded_reason = models.CharField(_("why ungraded"), max_length=200, blank=True)
    override_reason = models.CharField(_("reason for the override"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("evaluation result")
        verbose_name_plural = _("evaluation results")
        ordering = ["run", "group", "rank", "name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="result_key_unique_in_run"),
            models.CheckConstraint(
                condition=Q(grade=models.F("computed_grade")) | ~Q(override_reason=""),
                name="result_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} {self.name} {self.grade}"

    @property
    def overridden(self) -> bool:
        return self.grade != self.computed_grade


class ResultMember(models.Model):
    """An enterprise covered by a result; in one evaluation an enterprise has one result."""

    run = models.ForeignKey(
        EvaluationRun, on_delete=models.CASCADE, related_name="+", verbose_name=_("evaluation")
    )
    result = models.ForeignKey(
        Result, on_delete=models.CASCADE, related_name="members", verbose_name=_("result")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="evaluation_results",
        verbose_name=_("enterprise"),
    )
    land_mu = models.DecimalField(_("own land (mu)"), max_digits=10, decimal_places=2)
    figures = models.JSONField(_("own annual figures"))

    class Meta:
        verbose_name = _("result member")
        verbose_name_plural = _("result members")
        ordering = ["result", "enterprise"]
        constraints = [
            models.UniqueConstraint(fields=["run", "enterprise"], name="member_once_per_run"),
        ]

    def __str__(self) -> str:
        return f"{self.result} · {self.enterprise}"


class GradeEvent(models.Model):
    """Audit trail: who did what to an evaluation or to one result, and when."""

    run = models.ForeignKey(
        EvaluationRun, on_delete=models.CASCADE, related_name="events", verbose_name=_("evaluation")
    )
    result = models.ForeignKey(
        Result,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("result"),
    )
    kind = models.CharField(_("what"), max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    detail = models.JSONField(_("detail"), default=dict)

    class Meta:
        verbose_name = _("evaluation event")
        verbose_name_plural = _("evaluation events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.run} {self.kind}"


class Objection(models.Model):
    """An enterprise's objection to its result during 公示, and the zone's answer."""

    run = models.ForeignKey(
        EvaluationRun,
        on_delete=models.CASCADE,
        related_name="objections",
        verbose_name=_("evaluation"),
    )
    result = models.ForeignKey(
        Result, on_delete=models.CASCADE, related_name="objections", verbose_name=_("result")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="evaluation_objections",
        verbose_name=_("enterprise"),
    )
    text = models.TextField(_("objection"), max_length=2000)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    raised_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ObjectionStatus.choices,
        default=ObjectionStatus.OPEN,
    )
    answer = models.TextField(_("answer"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["run", "raised_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=ObjectionStatus.OPEN) | ~Q(answer=""),
                name="objection_answered_with_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run} · {self.enterprise}"


class PolicyRate(models.Model):
    """A differentiated price by grade: a surcharge (positive) or rebate (negative) per unit
    of a resource, in yuan, for the year after the evaluated one."""

    zone = models.ForeignKey(
        Zone, on_delete=models.CASCADE, related_name="policy_rates", verbose_name=_("zone")
    )
    year = models.PositiveSmallIntegerField(
        _("year evaluated"), help_text=_("The evaluation whose grades the rate follows.")
    )
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices)
    resource = models.CharField(_("resource"), max_length=12, choices=Resource.choices)
    yuan_per_unit = models.DecimalField(
        _("yuan per unit"),
        max_digits=10,
        decimal_places=4,
        help_text=_("Positive: surcharge; negative: rebate."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("differentiated price")
        verbose_name_plural = _("differentiated prices")
        ordering = ["zone", "-year", "resource", "grade"]
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "year", "grade", "resource"], name="policy_rate_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.grade} {self.resource} {self.yuan_per_unit}"
