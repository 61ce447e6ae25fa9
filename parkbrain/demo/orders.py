"""The gear maker's work orders (生产工单) of the demo: what its MES would hold for the last
``ORDER_DAYS`` days of the plant's events. Each order is one forging batch pair of one line
with the hobbing and carburising that followed; each operation links the EPCIS event it
became and lists the lots it consumed and produced, so the MES pages lead to genealogy.

Read back from the captured events (their prodorder business transaction names the order),
so orders and events always agree; written in bulk, as the rest of the demo is."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from parkbrain.mes.choices import LotRole, OrderState, StepCode
from parkbrain.mes.models import Lot, Operation, OperationEvent, ProductionOrder
from parkbrain.registry.models import Enterprise
from parkbrain.trace.choices import IdentifierRole
from parkbrain.trace.finder import lot_number
from parkbrain.trace.gearplant import GEAR_LOT, order_uri
from parkbrain.trace.graph import step_word
from parkbrain.trace.models import AttributeKind, Event, EventAttribute, EventIdentifier, Location
from parkbrain.trace.products import gtin_of

ORDER_DAYS = 30
PRODUCT_NAME = "二挡从动齿轮（渗碳淬火）"
STEPS = {
    "forging": StepCode.FORGING,
    "hobbing": StepCode.HOBBING,
    "carburising": StepCode.HEAT_TREATING,
}
_ROLES = {
    IdentifierRole.INPUT_QUANTITY: LotRole.CONSUMED,
    IdentifierRole.OUTPUT_QUANTITY: LotRole.PRODUCED,
}
#: Days an order is planned to take, forging to heat treatment.
PLANNED_DAYS = 3


def build_orders(enterprise: Enterprise, as_of: date) -> int:
    """Write the enterprise's work orders begun in the ``ORDER_DAYS`` days up to `as_of`;
    returns how many."""
    first = order_uri(f"WO-{as_of - timedelta(days=ORDER_DAYS):%y%m%d}")
    named = dict(
        EventAttribute.objects.filter(
            kind=AttributeKind.BIZ_TRANSACTION,
            event__enterprise=enterprise,
            text__gte=first,
            text__startswith=order_uri(""),
        ).values_list("event_id", "text")
    )
    events = list(
        Event.objects.filter(pk__in=list(named))
        .order_by("event_time", "id")
        .values_list("id", "event_time", "biz_step", "read_point", "biz_location")
    )
    lots: dict[int, list[tuple[str, str, Decimal, str]]] = defaultdict(list)
    for event_id, role, uri, quantity, uom in EventIdentifier.objects.filter(
        event_id__in=list(named), role__in=list(_ROLES)
    ).values_list("event_id", "role", "uri", "quantity", "uom"):
        lots[event_id].append((_ROLES[role], uri, quantity or Decimal(0), uom or "EA"))
    machines = dict(Location.objects.filter(enterprise=enterprise).values_list("uri", "name"))
    by_order: dict[str, list[tuple]] = defaultdict(list)
    for row in events:
        by_order[named[row[0]].rsplit("/", 1)[1]].append(row)
    orders = [_order(enterprise, number, rows, lots) for number, rows in sorted(by_order.items())]
    ProductionOrder.objects.bulk_create(orders, batch_size=1000)
    operations: list[Operation] = []
    for order in orders:
        for sequence, (_pk, moment, step, point, place) in enumerate(by_order[order.number], 1):
            operations.append(
                Operation(
                    order=order,
                    sequence=sequence,
                    step=STEPS[step_word(step).removeprefix("gp:")],
                    work_centre=machines.get(point, ""),
                    read_point=point,
                    biz_location=place,
                    started_at=moment,
                    finished_at=moment,
                )
            )
    Operation.objects.bulk_create(operations, batch_size=2000)
    event_ids = [row[0] for order in orders for row in by_order[order.number]]
    Lot.objects.bulk_create(
        [
            Lot(
                operation=operation,
                role=role,
                epc_class=uri,
                gtin=gtin_of(uri),
                lot_number=lot_number(uri),
                quantity=quantity,
                unit=uom,
            )
            for operation, event_id in zip(operations, event_ids, strict=True)
            for role, uri, quantity, uom in lots[event_id]
        ],
        batch_size=5000,
    )
    OperationEvent.objects.bulk_create(
        [
            OperationEvent(operation=operation, event_id=event_id)
            for operation, event_id in zip(operations, event_ids, strict=True)
        ],
        batch_size=5000,
    )
    return len(orders)


def _order(enterprise: Enterprise, number: str, rows: list[tuple], lots: dict) -> ProductionOrder:
    forged = [r for r in rows if step_word(r[2]).endswith("forging")]
    finished = any(step_word(r[2]).endswith("carburising") for r in rows)
    planned = sum(
        (q for r in forged for role, _u, q, _unit in lots[r[0]] if role == LotRole.PRODUCED),
        Decimal(0),
    )
    start = datetime.strptime(number.split("-")[1], "%y%m%d").date()
    return ProductionOrder(
        enterprise=enterprise,
        number=number,
        product_gtin=gtin_of(GEAR_LOT + "0"),
        product_name=PRODUCT_NAME,
        planned_quantity=planned,
        unit="EA",
        state=OrderState.COMPLETED if finished else OrderState.IN_PROGRESS,
        planned_start=start,
        planned_end=start + timedelta(days=PLANNED_DAYS),
        actual_start=rows[0][1],
        actual_end=rows[-1][1] if finished else None,
    )
