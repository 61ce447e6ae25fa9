"""Monthly indicator reports from enterprises, with the catalogue they follow and their history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parkbrain.registry.models import ApiToken, Enterprise

from .choices import Aggregation, Basis, Channel, EnergyConvention, ReportStatus


class Indicator(models.Model):
    """One figure enterprises report, as data: what it is, its unit and how it adds up."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80)
    unit = models.CharField(_("unit"), max_length=20)
    basis = models.CharField(_("reported as"), max_length=12, choices=Basis.choices)
    aggregation = models.CharField(_("aggregation"), max_length=10, choices=Aggregation.choices)
    may_be_negative = models.BooleanField(
        _("may be negative"), default=False, help_text=_("Profit may; output may not.")
    )
    derived = models.BooleanField(
        _("derived"), default=False, help_text=_("Computed from other indicators, never reported.")
    )
    decimal_places = models.PositiveSmallIntegerField(_("decimal places"), default=2)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"

    @property
    def never_falls(self) -> bool:
        """A year-to-date sum of a quantity that cannot be negative never falls within a year."""
        return (
            self.basis == Basis.CUMULATIVE
            and self.aggregation == Aggregation.SUM
            and not self.may_be_negative
        )


class EnergyCoefficient(models.Model):
    """GB/T 2589 factor turning one unit of an energy indicator into kilograms of standard coal.

    Kept as data with its source; `year` empty means every year. The electricity equal-value
    factor changes yearly with thermal power plants' coal use, so it has one row per year.
    """

    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.CASCADE,
        related_name="coefficients",
        verbose_name=_("indicator"),
    )
    convention = models.CharField(
        _("convention"), max_length=12, choices=EnergyConvention.choices, blank=True
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    kgce_per_unit = models.DecimalField(_("kgce per unit"), max_digits=12, decimal_places=6)
    source = models.CharField(_("source"), max_length=200)

    class Meta:
        verbose_name = _("energy coefficient")
        verbose_name_plural = _("energy coefficients")
        ordering = ["indicator", "convention", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "convention", "year"], name="coefficient_unique"
            ),
            models.CheckConstraint(condition=Q(kgce_per_unit__gt=0), name="coefficient_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.kgce_per_unit} kgce/{self.indicator.unit}"


class MonthlyReport(models.Model):
    """An enterprise's figures for one month, from draft to accepted or returned."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="reports", verbose_name=_("enterprise")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    return_reason = models.CharField(_("reason for return"), max_length=500, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["enterprise", "-year", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "year", "month"], name="report_one_per_month"
            ),
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12), name="report_month_1_to_12"
            ),
        ]
        indexes = [models.Index(fields=["year", "month"], name="report_period_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.period}"

    @property
    def period(self) -> str:
        return f"{self.year}-{self.month:02d}"


class ReportValue(models.Model):
    """One indicator's value in a report, on the indicator's own basis (year to date or month)."""

    # The unique (report, indicator) index already serves lookups by report.
    report = models.ForeignKey(
        MonthlyReport,
        on_delete=models.CASCADE,
        related_name="values",
        verbose_name=_("report"),
        db_index=False,
    )
    # No index of its own: on SQLite it drew the planner into reading every value of an
    # indicator instead of the period's reports (bench/cockpit.py), and it slowed each insert.
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="values",
        verbose_name=_("indicator"),
        db_index=False,
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=4)

    class Meta:
        verbose_name = _("report value")
        verbose_name_plural = _("report values")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="value_one_per_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}={self.value}"


class Stamped(models.Model):
    """Who acted (a user or a machine token), when, and through which channel."""

    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True, db_index=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    token = models.ForeignKey(
        ApiToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API token"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)

    class Meta:
        abstract = True


class ReportRevision(Stamped):
    """History: one saving of a report that changed figures — who or which token, when,
    through which channel, and each changed indicator's old and new value."""

    report = models.ForeignKey(
        MonthlyReport, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("report")
    )
    changes = models.JSONField(
        _("changes"), help_text=_("Indicator code → [old, new] as text; old is null when new.")
    )

    class Meta:
        verbose_name = _("report revision")
        verbose_name_plural = _("report revisions")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.report} {self.changed_at:%Y-%m-%d %H:%M}"


class StatusChange(Stamped):
    """History of a report's status: submitted, accepted, returned (with the reason)."""

    report = models.ForeignKey(
        MonthlyReport,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("report"),
    )
    old_status = models.CharField(_("from"), max_length=10, choices=ReportStatus.choices)
    new_status = models.CharField(_("to"), max_length=10, choices=ReportStatus.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.report} {self.old_status} → {self.new_status}"


class ReportWarning(models.Model):
    """A plausibility warning on a report: stored and shown, never a reason to refuse it."""

    report = models.ForeignKey(
        MonthlyReport, on_delete=models.CASCADE, related_name="warnings", verbose_name=_("report")
    )
    rule = models.CharField(_("rule"), max_length=40)
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("indicator"),
    )
    message = models.CharField(_("message"), max_length=300)
    this_value = models.DecimalField(
        _("this value"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    compared_value = models.DecimalField(
        _("compared with"), max_digits=24, decimal_places=6, null=True, blank=True
    )

    class Meta:
        verbose_name = _("report warning")
        verbose_name_plural = _("report warnings")
        ordering = ["report", "rule"]

    def __str__(self) -> str:
        return f"{self.report} {self.rule}"


class ImportFile(models.Model):
    """A file someone uploaded and what became of it: kept whether it was saved or refused."""

    zone = models.ForeignKey(
        "registry.Zone", on_delete=models.CASCADE, related_name="+", verbose_name=_("zone")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="import_files",
        verbose_name=_("enterprise"),
        help_text=_("Set when an enterprise uploaded its own figures."),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size_bytes = models.PositiveIntegerField(_("size (bytes)"))
    rows = models.PositiveIntegerField(_("rows"), default=0)
    saved = models.BooleanField(_("saved"), default=False)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    refusal = models.CharField(_("refused because"), max_length=500, blank=True)
    reports_created = models.PositiveIntegerField(_("reports created"), default=0)
    reports_changed = models.PositiveIntegerField(_("reports changed"), default=0)
    values_changed = models.PositiveIntegerField(_("values changed"), default=0)
    job = models.OneToOneField(
        "jobs.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_file",
        verbose_name=_("job"),
        help_text=_("The background job that imports the file."),
    )

    class Meta:
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.file_name
