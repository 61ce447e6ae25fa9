from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    THRESHOLD = "threshold", _("Threshold on a figure")
    YOY_CHANGE = "yoy_change", _("Change against the same period last year")
    RANK_CHANGE = "rank_change", _("Drop in the zone ranking")
    MISSING_REPORT = "missing_report", _("Missing monthly report")
    DATA_QUALITY = "data_quality", _("Data-quality check")


class FigureBasis(models.TextChoices):
    """Which figure a rule reads: the month's own value or the year to date (累计)."""

    MONTH = "month", _("This month")
    YEAR_TO_DATE = "ytd", _("Cumulative since January")


class Operator(models.TextChoices):
    LT = "lt", "<"
    LTE = "lte", "≤"
    GT = "gt", ">"
    GTE = "gte", "≥"


class QualityCheck(models.TextChoices):
    WITHOUT = "without", _("Indicator reported without the other")
    RATIO = "ratio", _("Ratio of indicator to the other")


class Severity(models.TextChoices):
    INFO = "info", _("Notice")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Serious")


SEVERITY_ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


class AlertState(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    CLEARED = "cleared", _("Cleared by itself")


ACTIVE_STATES = (AlertState.OPEN, AlertState.ACKNOWLEDGED)


class EventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    UPDATED = "updated", _("Figures updated")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")
    CLEARED = "cleared", _("Cleared: the condition no longer holds")
    NOTE = "note", _("Note")
    ASSIGNED = "assigned", _("Assigned")
    SUPERVISED = "supervised", _("Put under supervision (督办)")


class DataBasis(models.TextChoices):
    """Which reports a zone's figures count."""

    REVIEWED = "reviewed", _("Reviewed reports only")
    PROVISIONAL = "provisional", _("With reports awaiting review")


class HoldReason(models.TextChoices):
    """Why a submitted report is left out of the zone's figures."""

    QUALITY = "quality", _("Fails a serious data-quality check, not yet reviewed")
    AWAITING_REVIEW = "awaiting_review", _("Awaiting review")
