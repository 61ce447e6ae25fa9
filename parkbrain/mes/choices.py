from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RELEASED = "released", _("Released")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class StepCode(models.TextChoices):
    """A gear plant's operation steps. CBV 2.0 has no machining or heat-treating step, so each
    maps to the CBV step closest in meaning (see ``BIZ_STEPS``) and the event also carries the
    plant's own step code as an extension field."""

    FORGING = "forging", _("Forging")
    TURNING = "turning", _("Turning")
    HOBBING = "hobbing", _("Gear hobbing")
    GRINDING = "grinding", _("Grinding")
    HEAT_TREATING = "heat_treating", _("Heat treatment")
    ASSEMBLING = "assembling", _("Assembling")
    INSPECTING = "inspecting", _("Inspection")
    PACKING = "packing", _("Packing")


#: The CBV 2.0 business step of each plant step. A step that makes new lots out of others is
#: "commissioning" (CBV: associating a lot-level identifier, not used before, with objects).
BIZ_STEPS = {
    StepCode.FORGING: "commissioning",
    StepCode.TURNING: "commissioning",
    StepCode.HOBBING: "commissioning",
    StepCode.GRINDING: "commissioning",
    StepCode.HEAT_TREATING: "commissioning",
    StepCode.ASSEMBLING: "assembling",
    StepCode.INSPECTING: "inspecting",
    StepCode.PACKING: "packing",
}


class LotRole(models.TextChoices):
    CONSUMED = "consumed", _("Consumed")
    PRODUCED = "produced", _("Produced")


class MeasurementType(models.TextChoices):
    """GS1 Web Vocabulary measurement types (EPCIS 2.0 sensorReport ``type``) a plant uses."""

    LENGTH = "Length", _("Length")
    TEMPERATURE = "Temperature", _("Temperature")
    DIMENSIONLESS = "Dimensionless", _("Dimensionless (e.g. a hardness scale)")
    MASS = "Mass", _("Mass")
    FORCE = "Force", _("Force")
    PRESSURE = "Pressure", _("Pressure")
    ANGLE = "Angle", _("Angle")
    TIME = "Time", _("Time")
    COUNT = "Count", _("Count")


class Result(models.TextChoices):
    """An inspection's or a measurement's verdict: the CBV 2.0 disposition it becomes."""

    CONFORMANT = "conformant", _("Conformant")
    NON_CONFORMANT = "non_conformant", _("Non-conformant")
