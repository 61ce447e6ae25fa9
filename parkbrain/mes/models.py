"""Production orders as a plant's MES records them, and the EPCIS events they became.

An order (one product, a planned quantity) runs through operations in sequence; each operation
consumes lots and produces lots, may record sensor readings (a furnace's temperature) and
inspections of lots with measured values. ``services.record_operation`` turns an operation into
EPCIS events in ``trace`` and links them here, so the repository's genealogy covers plants whose
MES does not speak EPCIS. Lots are EPC class URNs (``urn:epc:class:lgtin:…``, GTIN + lot number)
in the repository's canonical form; quantities are in UN/CEFACT Rec. 20 units (KGM, EA).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parkbrain.core.models import TimeStampedModel
from parkbrain.registry.models import ApiToken, Enterprise
from parkbrain.trace.models import URI_LENGTH, Event

from .choices import LotRole, MeasurementType, OrderState, Result, StepCode

QUANTITY = {"max_digits": 24, "decimal_places": 6}


class ProductionOrder(TimeStampedModel):
    """A production order (生产工单) of one enterprise: which product, how much, when."""

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="production_orders",
        verbose_name=_("enterprise"),
    )
    number = models.CharField(
        _("order number"),
        max_length=40,
        help_text=_("The MES's own number, unique per enterprise."),
    )
    product_gtin = models.CharField(
        _("product GTIN"), max_length=14, help_text=_("GTIN-14 of the product, with check digit.")
    )
    product_name = models.CharField(_("product name"), max_length=200, blank=True)
    planned_quantity = models.DecimalField(_("planned quantity"), **QUANTITY)
    unit = models.CharField(
        _("unit of measure"), max_length=3, help_text=_("UN/CEFACT Rec. 20 code, e.g. EA, KGM.")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=OrderState.choices, default=OrderState.RELEASED
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)

    class Meta:
        verbose_name = _("production order")
        verbose_name_plural = _("production orders")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "number"], name="mes_order_number_once_per_enterprise"
            )
        ]

    def __str__(self) -> str:
        return self.number


class Operation(TimeStampedModel):
    """One step of an order (forging, heat treatment, inspection…) at one work centre.

    The work centre is an SGLN (the EPCIS readPoint); ``biz_location`` is where the goods are
    afterwards. ``revision`` counts changes of what was recorded, so the events of a corrected
    operation differ from those it replaces even when an earlier content comes back.
    """

    order = models.ForeignKey(
        ProductionOrder,
        on_delete=models.CASCADE,
        related_name="operations",
        verbose_name=_("production order"),
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    step = models.CharField(_("step"), max_length=16, choices=StepCode.choices)
    work_centre = models.CharField(_("work centre"), max_length=100, blank=True)
    read_point = models.CharField(
        _("read point"), max_length=URI_LENGTH, help_text=_("SGLN of the work centre or machine.")
    )
    biz_location = models.CharField(_("business location"), max_length=URI_LENGTH, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(
        _("finished at"),
        null=True,
        blank=True,
        help_text=_("Lots become an EPCIS TransformationEvent once the operation is finished."),
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)

    class Meta:
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        ordering = ["order", "sequence"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "sequence"], name="mes_operation_sequence_once_per_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.number}/{self.sequence} {self.step}"


class Lot(models.Model):
    """A lot an operation consumed or produced, with the quantity in its unit."""

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="lots", verbose_name=_("operation")
    )
    role = models.CharField(_("role"), max_length=8, choices=LotRole.choices)
    epc_class = models.CharField(
        _("lot (EPC class)"),
        max_length=URI_LENGTH,
        help_text=_("A GTIN with a lot number: urn:epc:class:lgtin:…"),
    )
    gtin = models.CharField(_("GTIN"), max_length=14)
    lot_number = models.CharField(_("lot number"), max_length=20)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit = models.CharField(_("unit of measure"), max_length=3)

    class Meta:
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        ordering = ["operation", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "role", "epc_class"], name="mes_lot_once_per_operation_role"
            )
        ]
        indexes = [models.Index(fields=["epc_class"], name="mes_lot_class")]

    def __str__(self) -> str:
        return f"{self.role} {self.epc_class} {self.quantity} {self.unit}"


class SensorReading(models.Model):
    """A reading taken during an operation, e.g. the furnace temperature of a heat treatment."""

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="readings", verbose_name=_("operation")
    )
    measurement_type = models.CharField(
        _("measurement type"), max_length=16, choices=MeasurementType.choices
    )
    device = models.CharField(
        _("device"), max_length=URI_LENGTH, blank=True, help_text=_("URI of the sensor.")
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    value = models.DecimalField(_("value"), **QUANTITY)
    unit = models.CharField(_("unit of measure"), max_length=3, blank=True)

    class Meta:
        verbose_name = _("sensor reading")
        verbose_name_plural = _("sensor readings")
        ordering = ["operation", "device", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.measurement_type} {self.value} {self.unit}"


class Inspection(models.Model):
    """An inspection of one lot: who, when, and the verdict computed from its measurements
    (conformant when every measurement is within its limits)."""

    operation = models.ForeignKey(
        Operation,
        on_delete=models.CASCADE,
        related_name="inspections",
        verbose_name=_("operation"),
    )
    epc_class = models.CharField(_("lot (EPC class)"), max_length=URI_LENGTH)
    gtin = models.CharField(_("GTIN"), max_length=14)
    lot_number = models.CharField(_("lot number"), max_length=20)
    inspector = models.CharField(_("inspector"), max_length=100)
    inspected_at = models.DateTimeField(_("inspected at"))
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["operation", "inspected_at", "id"]

    def __str__(self) -> str:
        return f"{self.epc_class} {self.result}"


class Measurement(models.Model):
    """One measured characteristic of an inspection (tooth profile error in µm, hardness…),
    with its tolerance and the verdict computed from it (limits inclusive)."""

    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.CASCADE,
        related_name="measurements",
        verbose_name=_("inspection"),
    )
    characteristic = models.CharField(_("characteristic"), max_length=64)
    measurement_type = models.CharField(
        _("measurement type"), max_length=16, choices=MeasurementType.choices
    )
    value = models.DecimalField(_("measured value"), **QUANTITY)
    unit = models.CharField(
        _("unit of measure"),
        max_length=3,
        blank=True,
        help_text=_("UN/CEFACT Rec. 20 code (4H = µm); empty for a scale such as HRC."),
    )
    lower_limit = models.DecimalField(_("lower limit"), null=True, blank=True, **QUANTITY)
    upper_limit = models.DecimalField(_("upper limit"), null=True, blank=True, **QUANTITY)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["inspection", "id"]

    def __str__(self) -> str:
        return f"{self.characteristic}={self.value} {self.unit}"


class OperationEvent(models.Model):
    """An EPCIS event an operation produced. A corrected operation keeps the links to its
    earlier events, which the repository then holds with an errorDeclaration."""

    operation = models.ForeignKey(
        Operation,
        on_delete=models.CASCADE,
        related_name="event_links",
        verbose_name=_("operation"),
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="+", verbose_name=_("EPCIS event")
    )
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_links",
        verbose_name=_("inspection"),
    )

    class Meta:
        verbose_name = _("operation event")
        verbose_name_plural = _("operation events")
        ordering = ["operation", "event__event_time", "id"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "event"], name="mes_event_once_per_op")
        ]

    def __str__(self) -> str:
        return f"{self.operation} → {self.event}"


class Revision(models.Model):
    """History: one change of an order (``operation_sequence`` empty) or of one of its
    operations — who or which token, when, and what was recorded afterwards."""

    order = models.ForeignKey(
        ProductionOrder,
        on_delete=models.CASCADE,
        related_name="revisions",
        verbose_name=_("production order"),
    )
    operation_sequence = models.PositiveIntegerField(_("operation"), null=True, blank=True)
    content = models.JSONField(_("content"), help_text=_("What was recorded, as sent."))
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
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

    class Meta:
        verbose_name = _("MES revision")
        verbose_name_plural = _("MES revisions")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order} {self.operation_sequence or ''} {self.changed_at:%Y-%m-%d %H:%M}"
