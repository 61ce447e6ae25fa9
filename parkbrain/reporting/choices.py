from django.db import models
from django.utils.translation import gettext_lazy as _


class Basis(models.TextChoices):
    """How an enterprise reports a figure: year to date (Chinese statistics) or per month."""

    CUMULATIVE = "cumulative", _("Year to date")
    MONTHLY = "monthly", _("This month")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Sum")
    AVERAGE = "average", _("Average")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class Channel(models.TextChoices):
    FORM = "form", _("Web form")
    UPLOAD = "upload", _("File upload")
    API = "api", _("API")
    REVIEW = "review", _("Review")
    DEMO = "demo", _("Demo generator")


class EnergyConvention(models.TextChoices):
    """GB/T 2589 conventions for converting electricity to standard coal."""

    EQUIVALENT = "equivalent", _("Equivalent value (当量值)")
    EQUAL = "equal", _("Equal value (等价值)")
