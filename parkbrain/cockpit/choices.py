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


class DrillBy(models.TextChoices):
    """Which part of a figure a click on a chart opens: a slice, a park, a month."""

    INDUSTRY = "industry", _("Zone industry")
    PARK = "park", _("Park, with the centres inside it")
    AREA = "area", _("Park or centre")
    OWNERSHIP = "ownership", _("Ownership")
    MONTH = "month", _("Month")
    TO_MONTH = "to_month", _("Year to the month")
