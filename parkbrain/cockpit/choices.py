from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    YTD = "ytd", _("Year to date")
    YEAR = "year", _("Whole year")


class MapFigure(models.TextChoices):
    """What colours the parks on the cockpit's zone map."""

    OUTPUT = "output_value", _("Industrial output")
    GROWTH = "output_growth", _("Output growth")
    TAXES = "taxes", _("Taxes paid")
    INVESTMENT = "investment", _("Industrial investment")
    FIRMS = "firms", _("Reporting enterprises")
