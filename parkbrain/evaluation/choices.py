from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectGroup(models.TextChoices):
    """The result lists a county publishes separately."""

    ABOVE_SCALE = "above_scale", _("Enterprises above designated size (规上)")
    BELOW_SCALE = "below_scale", _("Enterprises below designated size with land (规下)")


class Measure(models.TextChoices):
    """The indicators a scheme may weigh; compute.MEASURES says how each is worked out."""

    TAX_PER_MU = "tax_per_mu", _("Tax per mu (亩均税收)")
    VALUE_ADDED_PER_MU = "value_added_per_mu", _("Value added per mu (亩均增加值)")
    VALUE_ADDED_PER_TCE = "value_added_per_tce", _("Value added per tce of energy (单位能耗增加值)")
    VALUE_ADDED_PER_EMISSION = (
        "value_added_per_emission",
        _("Value added per tonne of main pollutants (单位排放增加值)"),
    )
    LABOUR_PRODUCTIVITY = "labour_productivity", _("Value added per employee (全员劳动生产率)")
    RD_INTENSITY = "rd_intensity", _("R&D expenditure to revenue (研发经费支出占比)")
    TAX_PER_KWH = "tax_per_kwh", _("Tax per kWh of electricity (单位电耗税收)")
    REVENUE_PER_MU = "revenue_per_mu", _("Revenue per mu (亩均营业收入)")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("Higher is better")
    LOWER_IS_BETTER = "lower", _("Lower is better")


class WhenMissing(models.TextChoices):
    AVERAGE = "average", _("Average points of the evaluated enterprises")
    ZERO = "zero", _("No points")


class GradingMethod(models.TextChoices):
    QUANTILE = "quantile", _("Shares of enterprises (quantiles)")
    THRESHOLD = "threshold", _("Score thresholds")


class Grade(models.TextChoices):
    A = "A", _("A · priority development (优先发展)")
    B = "B", _("B · encouraged to improve (鼓励提升)")
    C = "C", _("C · to be regulated and transformed (规范转型)")
    D = "D", _("D · regulated with assistance (调控帮扶)")
    UNGRADED = "U", _("Ungraded (不定等级)")


GRADED = (Grade.A, Grade.B, Grade.C, Grade.D)


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published for objection (公示)")
    FINAL = "final", _("Final")


class EventKind(models.TextChoices):
    COMPUTED = "computed", _("Computed")
    PUBLISHED = "published", _("Published for objection")
    FINALISED = "finalised", _("Made final")
    OVERRIDDEN = "overridden", _("Grade overridden")
    OBJECTION = "objection", _("Objection recorded")
    ANSWERED = "answered", _("Objection answered")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Awaiting an answer")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Not upheld")


class Resource(models.TextChoices):
    """Resources whose price depends on the grade, each with the unit its usage is in."""

    ELECTRICITY = "electricity", _("Electricity (kWh)")
    WATER = "water", _("Water (m³)")
    NATURAL_GAS = "natural_gas", _("Natural gas (m³)")
    LAND = "land", _("Land use (mu per year)")
