from django.db import models
from django.utils.translation import gettext_lazy as _


class EventType(models.TextChoices):
    OBJECT = "ObjectEvent", _("Object event")
    AGGREGATION = "AggregationEvent", _("Aggregation event")
    TRANSACTION = "TransactionEvent", _("Transaction event")
    TRANSFORMATION = "TransformationEvent", _("Transformation event")
    ASSOCIATION = "AssociationEvent", _("Association event")


class Action(models.TextChoices):
    ADD = "ADD", _("Add")
    OBSERVE = "OBSERVE", _("Observe")
    DELETE = "DELETE", _("Delete")


class ErrorBehaviour(models.TextChoices):
    """The ``GS1-Capture-Error-Behaviour`` header: what a capture does with a bad event."""

    ROLLBACK = "rollback", _("Save nothing if any event is invalid")
    PROCEED = "proceed", _("Save the valid events, list the invalid ones")


class CaptureState(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("All events captured")
    PARTIAL = "partial", _("Valid events captured, others refused")
    FAILED = "failed", _("Nothing captured")


class IdentifierRole(models.TextChoices):
    """Where an identifier sits in an event; one role per EPCIS list, so each MATCH_* query
    parameter is a filter on a set of roles."""

    EPC = "epc", _("EPC (epcList)")
    PARENT = "parent", _("Parent (parentID)")
    CHILD = "child", _("Child EPC (childEPCs)")
    INPUT = "input", _("Input EPC (inputEPCList)")
    OUTPUT = "output", _("Output EPC (outputEPCList)")
    QUANTITY = "quantity", _("Class with quantity (quantityList)")
    CHILD_QUANTITY = "child_quantity", _("Child class with quantity (childQuantityList)")
    INPUT_QUANTITY = "input_quantity", _("Input class with quantity (inputQuantityList)")
    OUTPUT_QUANTITY = "output_quantity", _("Output class with quantity (outputQuantityList)")


#: The EPCIS JSON list behind each role.
ROLE_LISTS = {
    "epcList": IdentifierRole.EPC,
    "childEPCs": IdentifierRole.CHILD,
    "inputEPCList": IdentifierRole.INPUT,
    "outputEPCList": IdentifierRole.OUTPUT,
    "quantityList": IdentifierRole.QUANTITY,
    "childQuantityList": IdentifierRole.CHILD_QUANTITY,
    "inputQuantityList": IdentifierRole.INPUT_QUANTITY,
    "outputQuantityList": IdentifierRole.OUTPUT_QUANTITY,
}


class EdgeKind(models.TextChoices):
    """How one identifier led to another in the genealogy edge table."""

    TRANSFORMATION = "transformation", _("Transformation (input to output)")
    AGGREGATION = "aggregation", _("Aggregation (child into parent)")
    ASSOCIATION = "association", _("Association (child with parent)")
