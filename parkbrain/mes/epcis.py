"""What an operation becomes in EPCIS 2.0 (JSON-LD): pure functions, no database.

- Lots consumed and produced by a finished operation: one TransformationEvent (inputs and
  outputs with quantities; the repository's genealogy links every input to every output). No
  transformationID: the event states its inputs and outputs together, and an ID shared by the
  order's operations would join inputs of one step to outputs of another.
- An inspection: an ObjectEvent, action OBSERVE, bizStep inspecting, disposition conformant or
  non_conformant, each measurement a sensorReport (GS1 measurement type, value, uom) with its
  characteristic, limits and verdict as ``mes:`` extension fields.

Every value comes from the record (times in the zone's local offset, no generated IDs), so
the same record gives the same Event Hash ID and a resubmission stores nothing twice. The
production order is the CBV ``prodorder`` business transaction of every event.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.conf import settings

from .choices import BIZ_STEPS, StepCode
from .validation import COUNT_UNIT, CleanInspection, CleanLot, CleanOperation, CleanReading

#: Our extension namespace (prefix ``mes``), the zone's own (PARKBRAIN_MES_NAMESPACE). A name,
#: never fetched; the default's .invalid host is reserved (RFC 2606), so it can never be
#: mistaken for a resolvable vocabulary.
NAMESPACE = settings.MES_NAMESPACE
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CONTEXT = [EPCIS_CONTEXT, {"mes": NAMESPACE, "cbvmda": "urn:epcglobal:cbv:mda:"}]


@dataclass(frozen=True)
class OrderRef:
    """What an event says about its production order."""

    credit_code: str
    number: str

    @property
    def uri(self) -> str:
        return f"{NAMESPACE}orders/{self.credit_code}/{quote(self.number, safe='')}"


def local_time(moment: datetime) -> tuple[str, str]:
    """An event time in the zone's local time (milliseconds) and its offset, e.g. +08:00."""
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    offset = local.strftime("%z")
    return local.isoformat(timespec="milliseconds"), f"{offset[:3]}:{offset[3:]}"


def number(value: Decimal) -> int | float:
    """A JSON number: whole values as integers (counts read as counts)."""
    return int(value) if value == value.to_integral_value() else float(value)


def _quantity(lot: CleanLot) -> dict:
    # EPCIS: a quantity without uom is a count of instances, so EA is left out.
    entry: dict = {"epcClass": lot.lot.epc_class, "quantity": number(lot.quantity)}
    if lot.unit != COUNT_UNIT:
        entry["uom"] = lot.unit
    return entry


def _common(
    order: OrderRef, sequence: int, revision: int, operation: CleanOperation, moment: datetime
) -> tuple[dict, dict]:
    """The event's head (time) and tail (where, why, our extension fields)."""
    when, offset = local_time(moment)
    head = {"eventTime": when, "eventTimeZoneOffset": offset}
    tail: dict = {"readPoint": {"id": operation.read_point}}
    if operation.biz_location:
        tail["bizLocation"] = {"id": operation.biz_location}
    tail["bizTransactionList"] = [{"type": "prodorder", "bizTransaction": order.uri}]
    tail["mes:step"] = operation.step
    tail["mes:operation"] = sequence
    if revision:
        tail["mes:revision"] = revision
    return head, tail


def _sensor_elements(readings: tuple[CleanReading, ...]) -> list[dict]:
    """One sensorElement per device, its readings in time order."""
    elements = []
    for device in sorted({r.device for r in readings}):
        reports = []
        for reading in sorted(
            (r for r in readings if r.device == device), key=lambda r: (r.recorded_at, r.value)
        ):
            report = {
                "type": f"gs1:{reading.measurement_type}",
                "time": local_time(reading.recorded_at)[0],
                "value": number(reading.value),
            }
            if reading.unit:
                report["uom"] = reading.unit
            reports.append(report)
        element: dict = {"sensorReport": reports}
        if device:
            element = {"sensorMetadata": {"deviceID": device}, **element}
        elements.append(element)
    return elements


def transformation_event(
    order: OrderRef, sequence: int, revision: int, operation: CleanOperation
) -> dict | None:
    """The TransformationEvent of a finished operation with lots; None before that."""
    if operation.finished_at is None or not operation.consumed:
        return None
    head, tail = _common(order, sequence, revision, operation, operation.finished_at)
    event = {
        "type": "TransformationEvent",
        **head,
        "inputQuantityList": [_quantity(lot) for lot in operation.consumed],
        "outputQuantityList": [_quantity(lot) for lot in operation.produced],
        "bizStep": BIZ_STEPS[StepCode(operation.step)],
        **tail,
    }
    if operation.readings:
        event["sensorElementList"] = _sensor_elements(operation.readings)
    # ILMD holds for every output; a lot number only says something when there is one output.
    ilmd: dict = {"mes:productionDate": head["eventTime"][:10]}
    if len(operation.produced) == 1:
        ilmd["cbvmda:lotNumber"] = operation.produced[0].lot.lot_number
    event["ilmd"] = ilmd
    return event


def inspection_event(
    order: OrderRef,
    sequence: int,
    revision: int,
    operation: CleanOperation,
    inspection: CleanInspection,
) -> dict:
    """The ObjectEvent (OBSERVE, inspecting) of one inspection with its measurements."""
    head, tail = _common(order, sequence, revision, operation, inspection.inspected_at)
    reports = []
    for measurement in inspection.measurements:
        report: dict = {
            "type": f"gs1:{measurement.measurement_type}",
            "value": number(measurement.value),
        }
        if measurement.unit:
            report["uom"] = measurement.unit
        report["mes:characteristic"] = measurement.characteristic
        if measurement.lower_limit is not None:
            report["mes:lowerLimit"] = number(measurement.lower_limit)
        if measurement.upper_limit is not None:
            report["mes:upperLimit"] = number(measurement.upper_limit)
        report["mes:result"] = measurement.result
        reports.append(report)
    return {
        "type": "ObjectEvent",
        **head,
        "action": "OBSERVE",
        "quantityList": [{"epcClass": inspection.lot.epc_class}],
        "bizStep": "inspecting",
        "disposition": inspection.result,
        **tail,
        "sensorElementList": [
            {
                "sensorMetadata": {
                    "time": head["eventTime"],
                    "mes:inspector": inspection.inspector,
                },
                "sensorReport": reports,
            }
        ],
    }


def operation_events(
    order: OrderRef, sequence: int, revision: int, operation: CleanOperation
) -> list[tuple[int | None, dict]]:
    """Every event of an operation, each with the index of its inspection (None: the
    transformation)."""
    events: list[tuple[int | None, dict]] = []
    transformation = transformation_event(order, sequence, revision, operation)
    if transformation is not None:
        events.append((None, transformation))
    for index, inspection in enumerate(operation.inspections):
        events.append((index, inspection_event(order, sequence, revision, operation, inspection)))
    return events


def document(events: list[dict], created: datetime) -> dict:
    """An EPCISDocument carrying `events`, for ``trace.services.capture_document``."""
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": local_time(created)[0],
        "epcisBody": {"eventList": events},
    }
