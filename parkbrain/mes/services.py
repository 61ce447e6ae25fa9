"""The only code that writes production orders, and through ``trace`` the events they become.

Each call is atomic: the MES rows, the captured events and the history row are written
together or not at all. A repeat of what is stored changes nothing. A change of an operation
replaces its rows, captures its new events and declares its earlier events erroneous
(errorDeclaration, reason incorrect_data, pointing at the new ones), so the repository's
genealogy follows the correction and keeps what was said before.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from parkbrain.registry.models import Enterprise
from parkbrain.registry.services import actor_fields
from parkbrain.trace import hashing
from parkbrain.trace import services as trace_services
from parkbrain.trace.models import Event

from . import epcis
from .choices import LotRole
from .models import (
    Inspection,
    Lot,
    Measurement,
    Operation,
    OperationEvent,
    ProductionOrder,
    Revision,
    SensorReading,
)
from .validation import CleanOperation, CleanOrder, Rejected


class WriteRefused(Exception):
    """The principal does not record this enterprise's production (zone staff, managers,
    another enterprise)."""


def _check_writer(enterprise: Enterprise, principal: object) -> None:
    # The events are the enterprise's own statements: only it (a user or its token) records.
    if trace_services.capturing_enterprise(principal) != enterprise:
        raise WriteRefused(enterprise.credit_code)


@dataclass
class OrderResult:
    order: ProductionOrder
    created: bool
    unchanged: bool


@dataclass
class OperationResult:
    operation: Operation
    created: bool
    unchanged: bool
    events_saved: int = 0
    events_retracted: int = 0


def record_order(
    enterprise: Enterprise, number: str, clean: CleanOrder, principal: object
) -> OrderResult:
    """Create or update an order by its number (idempotent)."""
    _check_writer(enterprise, principal)
    fields = {
        "product_gtin": clean.product_gtin,
        "product_name": clean.product_name,
        "planned_quantity": clean.planned_quantity,
        "unit": clean.unit,
        "state": clean.state,
        "planned_start": clean.planned_start,
        "planned_end": clean.planned_end,
        "actual_start": clean.actual_start,
        "actual_end": clean.actual_end,
    }
    try:
        return _upsert_order(enterprise, number, fields, clean, principal)
    except IntegrityError:
        # Two first PUTs of one order at once: the second now finds the first's row.
        return _upsert_order(enterprise, number, fields, clean, principal)


@transaction.atomic
def _upsert_order(
    enterprise: Enterprise, number: str, fields: dict, clean: CleanOrder, principal: object
) -> OrderResult:
    order = (
        ProductionOrder.objects.select_for_update()
        .filter(enterprise=enterprise, number=number)
        .first()
    )
    created = order is None
    if order is None:
        order = ProductionOrder.objects.create(enterprise=enterprise, number=number, **fields)
    elif all(getattr(order, k) == v for k, v in fields.items()):
        return OrderResult(order, created=False, unchanged=True)
    else:
        for name, value in fields.items():
            setattr(order, name, value)
        order.save()
    Revision.objects.create(order=order, content=clean.content(), **actor_fields(principal))
    return OrderResult(order, created=created, unchanged=False)


def _last_content(order: ProductionOrder, sequence: int) -> dict | None:
    revision = order.revisions.filter(operation_sequence=sequence).order_by("-id").first()
    return revision.content if revision else None


def _write_rows(operation: Operation, clean: CleanOperation) -> list[Inspection]:
    """Replace the operation's lots, readings and inspections; the new inspections in order."""
    operation.lots.all().delete()
    operation.readings.all().delete()
    operation.inspections.all().delete()
    Lot.objects.bulk_create(
        [
            Lot(
                operation=operation,
                role=role,
                epc_class=lot.lot.epc_class,
                gtin=lot.lot.gtin,
                lot_number=lot.lot.lot_number,
                quantity=lot.quantity,
                unit=lot.unit,
            )
            for role, lots in (
                (LotRole.CONSUMED, clean.consumed),
                (LotRole.PRODUCED, clean.produced),
            )
            for lot in lots
        ]
    )
    SensorReading.objects.bulk_create(
        [
            SensorReading(
                operation=operation,
                measurement_type=r.measurement_type,
                device=r.device,
                recorded_at=r.recorded_at,
                value=r.value,
                unit=r.unit,
            )
            for r in clean.readings
        ]
    )
    inspections = []
    for item in clean.inspections:
        inspection = Inspection.objects.create(
            operation=operation,
            epc_class=item.lot.epc_class,
            gtin=item.lot.gtin,
            lot_number=item.lot.lot_number,
            inspector=item.inspector,
            inspected_at=item.inspected_at,
            result=item.result,
        )
        inspections.append(inspection)
        Measurement.objects.bulk_create(
            [
                Measurement(
                    inspection=inspection,
                    characteristic=m.characteristic,
                    measurement_type=m.measurement_type,
                    value=m.value,
                    unit=m.unit,
                    lower_limit=m.lower_limit,
                    upper_limit=m.upper_limit,
                    result=m.result,
                )
                for m in item.measurements
            ]
        )
    return inspections


def _retraction(event: Event, now: str, corrective: list[str]) -> dict:
    """The stored event again, with the declaration that it was recorded wrongly."""
    declaration: dict = {"declarationTime": now, "reason": "incorrect_data"}
    if corrective:
        declaration["correctiveEventIDs"] = corrective
    return {**event.body.event_json, "errorDeclaration": declaration}


def record_operation(
    order: ProductionOrder, sequence: int, clean: CleanOperation, principal: object
) -> OperationResult:
    """Create or update one operation of an order by its sequence and capture its events
    (idempotent). ``Rejected`` if the repository refuses an event; nothing is then written."""
    _check_writer(order.enterprise, principal)
    content = clean.content()
    with transaction.atomic():
        # One writer per order at a time: the revision count and the event links stay in step.
        order = (
            ProductionOrder.objects.select_for_update()
            .select_related("enterprise")
            .get(pk=order.pk)
        )
        operation = order.operations.filter(sequence=sequence).first()
        if operation is not None and _last_content(order, sequence) == content:
            return OperationResult(operation, created=False, unchanged=True)
        created = operation is None
        if operation is None:
            operation = Operation(order=order, sequence=sequence)
        else:
            operation.revision += 1
        operation.step = clean.step
        operation.work_centre = clean.work_centre
        operation.read_point = clean.read_point
        operation.biz_location = clean.biz_location
        operation.started_at = clean.started_at
        operation.finished_at = clean.finished_at
        operation.save()
        inspections = _write_rows(operation, clean)

        ref = epcis.OrderRef(order.enterprise.credit_code, order.number)
        wanted = epcis.operation_events(ref, sequence, operation.revision, clean)
        new_ids = hashing.document_hash_ids(epcis.document([e for _i, e in wanted], timezone.now()))
        stale = [
            link.event
            for link in operation.event_links.select_related("event__body").filter(
                event__error_declaration__isnull=True
            )
            if link.event.hash_id not in new_ids
        ]
        now = epcis.local_time(timezone.now())[0]
        events = [_retraction(e, now, new_ids) for e in stale] + [e for _i, e in wanted]
        job = trace_services.capture_document(epcis.document(events, timezone.now()), principal)
        if job.errors:
            raise Rejected(
                [
                    {
                        "field": f"event[{p['index']}].{p['field']}",
                        "value": p["value"],
                        "reason": p["reason"],
                    }
                    for p in job.errors
                ]
            )
        stored = dict(
            Event.objects.filter(enterprise=order.enterprise, hash_id__in=new_ids).values_list(
                "hash_id", "id"
            )
        )
        OperationEvent.objects.bulk_create(
            [
                OperationEvent(
                    operation=operation,
                    event_id=stored[hash_id],
                    inspection=None if index is None else inspections[index],
                )
                for (index, _event), hash_id in zip(wanted, new_ids, strict=True)
            ],
            ignore_conflicts=True,
        )
        Revision.objects.create(
            order=order, operation_sequence=sequence, content=content, **actor_fields(principal)
        )
    return OperationResult(
        operation,
        created=created,
        unchanged=False,
        events_saved=job.events_saved - len(stale),
        events_retracted=len(stale),
    )
