"""Production orders over the API (mounted under /api/mes): a plant's MES, with its
enterprise's token, records orders and operations; each finished operation and each inspection
becomes EPCIS events in the enterprise's repository, readable back per order.

Only the enterprise (its token or its users) writes its own orders; zone staff and assigned
project managers read them (403 on writing); what the caller may not see is 404. A bad request
is 400 with every problem (field with list indexes, value, reason) and saves nothing.
"""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import ConfigDict

from parkbrain.core.api import ApiError, refusals, required_in_document
from parkbrain.registry import tenancy, uscc
from parkbrain.registry.models import Enterprise
from parkbrain.trace import identifiers
from parkbrain.trace.api import VERSION_HEADERS, event_document
from parkbrain.trace.api_schemas import EPCIS_DOCUMENT, JSON_LD, answered_as
from parkbrain.trace.models import Event
from parkbrain.trace.services import capturing_enterprise

from . import epcis, services, validation
from .choices import BIZ_STEPS, LotRole, StepCode
from .models import Inspection, Operation, OperationEvent, ProductionOrder

router = Router(tags=["mes"])

# -- schemas --------------------------------------------------------------------------------

_LOT = "A lot: gtin (8-14 digits) and lot (its lot number, GS1 AI 10), or epc_class "
_LOT += "(urn:epc:class:lgtin:… or a GS1 Digital Link with /01/…/10/…)."


class LotRefIn(Schema):
    gtin: str = ""
    lot: str = ""
    epc_class: str = ""


class LotIn(LotRefIn):
    model_config = ConfigDict(json_schema_extra=required_in_document("quantity"))

    quantity: Decimal | None = None
    unit: str = Field("EA", description="UN/CEFACT Rec. 20 code: EA (count), KGM, TNE…")


class ReadingIn(Schema):
    model_config = ConfigDict(json_schema_extra=required_in_document("time", "value", "unit"))

    type: str = Field("Temperature", description="GS1 measurement type, e.g. Temperature")
    device: str = Field("", description="URI of the sensor, e.g. the furnace thermocouple")
    time: datetime | None = None
    value: Decimal | None = None
    unit: str = Field("", description="UN/CEFACT Rec. 20 code, e.g. CEL")


class MeasurementIn(Schema):
    model_config = ConfigDict(
        json_schema_extra=required_in_document("characteristic", "type", "value")
    )

    characteristic: str = Field("", description="e.g. tooth_profile_error, surface_hardness")
    type: str = Field("", description="GS1 measurement type: Length, Dimensionless…")
    value: Decimal | None = None
    unit: str = Field("", description="UN/CEFACT Rec. 20 code (4H = µm); empty for HRC")
    lower_limit: Decimal | None = None
    upper_limit: Decimal | None = None


class InspectionIn(Schema):
    model_config = ConfigDict(
        json_schema_extra=required_in_document("inspector", "inspected_at", "measurements")
    )

    lot: LotRefIn = Field(description=_LOT)
    inspector: str = ""
    inspected_at: datetime | None = None
    measurements: list[MeasurementIn] = []


class OperationIn(Schema):
    model_config = ConfigDict(json_schema_extra=required_in_document("read_point"))

    step: str = Field(description="One of " + ", ".join(StepCode.values))
    work_centre: str = ""
    read_point: str = Field("", description="SGLN of the work centre or machine")
    biz_location: str = Field("", description="SGLN where the goods are afterwards")
    started_at: datetime | None = None
    finished_at: datetime | None = Field(
        None, description="Lots become a TransformationEvent once the operation is finished"
    )
    consumed: list[LotIn] = Field([], description=_LOT)
    produced: list[LotIn] = Field([], description=_LOT)
    readings: list[ReadingIn] = []
    inspections: list[InspectionIn] = []


class OrderIn(Schema):
    model_config = ConfigDict(
        json_schema_extra=required_in_document("product_gtin", "planned_quantity")
    )

    product_gtin: str = ""
    product_name: str = ""
    planned_quantity: Decimal | None = None
    unit: str = "EA"
    state: str = "released"
    planned_start: date | None = None
    planned_end: date | None = None
    actual_start: datetime | None = None
    actual_end: datetime | None = None


class LotOut(Schema):
    epc_class: str
    gtin: str
    lot_number: str
    quantity: Decimal
    unit: str


class ReadingOut(Schema):
    type: str = Field(alias="measurement_type")
    device: str
    time: datetime = Field(alias="recorded_at")
    value: Decimal
    unit: str


class MeasurementOut(Schema):
    characteristic: str
    type: str = Field(alias="measurement_type")
    value: Decimal
    unit: str
    lower_limit: Decimal | None
    upper_limit: Decimal | None
    result: str


class InspectionOut(Schema):
    epc_class: str
    gtin: str
    lot_number: str
    inspector: str
    inspected_at: datetime
    result: str
    measurements: list[MeasurementOut]
    event_id: str | None = Field(description="Event Hash ID of its ObjectEvent")

    @staticmethod
    def resolve_event_id(obj: Inspection) -> str | None:
        return next((link.event.hash_id for link in obj.event_links.all()), None)


def _current(links) -> list[str]:
    return [link.event.hash_id for link in links if not link.event.error_declaration]


class OperationOut(Schema):
    sequence: int
    step: str
    biz_step: str
    work_centre: str
    read_point: str
    biz_location: str
    started_at: datetime | None
    finished_at: datetime | None
    revision: int
    consumed: list[LotOut]
    produced: list[LotOut]
    readings: list[ReadingOut]
    inspections: list[InspectionOut]
    event_ids: list[str] = Field(description="Event Hash IDs of its current events")

    @staticmethod
    def resolve_biz_step(obj: Operation) -> str:
        return BIZ_STEPS[StepCode(obj.step)]

    @staticmethod
    def resolve_consumed(obj: Operation) -> list:
        return [lot for lot in obj.lots.all() if lot.role == LotRole.CONSUMED]

    @staticmethod
    def resolve_produced(obj: Operation) -> list:
        return [lot for lot in obj.lots.all() if lot.role == LotRole.PRODUCED]

    @staticmethod
    def resolve_event_ids(obj: Operation) -> list[str]:
        return _current(obj.event_links.all())


class OrderSummaryOut(Schema):
    credit_code: str
    number: str
    product_gtin: str
    product_name: str
    planned_quantity: Decimal
    unit: str
    state: str
    planned_start: date | None
    planned_end: date | None
    actual_start: datetime | None
    actual_end: datetime | None

    @staticmethod
    def resolve_credit_code(obj: ProductionOrder) -> str:
        return obj.enterprise.credit_code


class OrderOut(OrderSummaryOut):
    operations: list[OperationOut]


class OrderSaveOut(Schema):
    order: OrderSummaryOut
    created: bool
    unchanged: bool = Field(description="true when the request repeated what was stored")


class OperationSaveOut(Schema):
    operation: OperationOut
    created: bool
    unchanged: bool = Field(description="true when the request repeated what was stored")
    events_saved: int = Field(description="EPCIS events newly stored by this request")
    events_retracted: int = Field(
        description="earlier events of the operation now declared erroneous (incorrect_data)"
    )


# -- helpers --------------------------------------------------------------------------------


def _orders(request: HttpRequest) -> QuerySet[ProductionOrder]:
    return tenancy.restrict(ProductionOrder.objects.all(), request.auth, via="enterprise")


def _links() -> Prefetch:
    return Prefetch("event_links", OperationEvent.objects.select_related("event"))


def _with_operations(orders: QuerySet[ProductionOrder]) -> QuerySet[ProductionOrder]:
    return orders.select_related("enterprise").prefetch_related(
        Prefetch(
            "operations",
            Operation.objects.prefetch_related(
                "lots",
                "readings",
                _links(),
                Prefetch(
                    "inspections",
                    Inspection.objects.prefetch_related("measurements", _links()),
                ),
            ),
        )
    )


def _order(request: HttpRequest, credit_code: str, number: str) -> ProductionOrder:
    order = (
        _with_operations(_orders(request))
        .filter(enterprise__credit_code=uscc.normalise(credit_code), number=number)
        .first()
    )
    if order is None:
        raise HttpError(404, "Not Found")
    return order


def _writable(request: HttpRequest, credit_code: str) -> Enterprise:
    """The enterprise the caller records for: 404 if it may not see it, 403 if it only reads."""
    code = uscc.normalise(credit_code)
    enterprise = tenancy.visible_enterprises(request.auth).filter(credit_code=code).first()
    if enterprise is None:
        raise HttpError(404, "Not Found")
    if capturing_enterprise(request.auth) != enterprise:
        raise HttpError(
            403, "Only the enterprise records its production orders; zone staff and managers read."
        )
    return enterprise


# -- routes ---------------------------------------------------------------------------------


@router.get(
    "/orders",
    response={200: list[OrderSummaryOut], **refusals(422)},
    url_name="mes_orders",
    summary="Production orders the caller may see, newest first",
)
@paginate
def list_orders(request: HttpRequest, state: str = "", credit_code: str = ""):
    orders = _orders(request).select_related("enterprise")
    if state:
        orders = orders.filter(state=state)
    if credit_code:
        orders = orders.filter(enterprise__credit_code=uscc.normalise(credit_code))
    return orders


@router.get(
    "/orders/{credit_code}/{number}",
    response={200: OrderOut, **refusals(404)},
    url_name="mes_order",
    summary="One production order with its operations, lots, readings and inspections",
)
def get_order(request: HttpRequest, credit_code: str, number: str):
    return _order(request, credit_code, number)


@router.put(
    "/orders/{credit_code}/{number}",
    response={200: OrderSaveOut, 201: OrderSaveOut, **refusals(400, 403, 404, 413, 422)},
    url_name="mes_put_order",
    summary="Create or update a production order by its number (idempotent)",
    description=(
        "Sending the same order again changes nothing and answers unchanged=true. A bad value "
        "refuses the request with 400 listing every problem (field, value, reason)."
    ),
)
def put_order(request: HttpRequest, credit_code: str, number: str, payload: OrderIn):
    enterprise = _writable(request, credit_code)
    try:
        clean = validation.check_order(number, payload.dict())
    except validation.Rejected as rejected:
        raise ApiError(400, rejected.problems) from rejected
    result = services.record_order(enterprise, number, clean, request.auth)
    # Read back, so the answer shows what was stored (quantities at their stored scale).
    order = ProductionOrder.objects.select_related("enterprise").get(pk=result.order.pk)
    body = {"order": order, "created": result.created, "unchanged": result.unchanged}
    return Status(201 if result.created else 200, body)


@router.put(
    "/orders/{credit_code}/{number}/operations/{sequence}",
    response={
        200: OperationSaveOut,
        201: OperationSaveOut,
        **refusals(400, 403, 404, 413, 422),
    },
    url_name="mes_put_operation",
    summary="Create or update one operation of an order and capture its EPCIS events",
    description=(
        "Send the whole operation: step, work centre (SGLN read point), times, lots consumed "
        "and produced, sensor readings and inspections with measurements. A finished operation "
        "with lots becomes a TransformationEvent; each inspection an ObjectEvent (inspecting, "
        "conformant or non_conformant, measurements as sensor reports). Sending the same "
        "operation again stores nothing twice (unchanged=true). A changed operation replaces "
        "its events: the earlier ones are declared erroneous (incorrect_data). A bad value "
        "refuses the request with 400 listing every problem; nothing is saved."
    ),
)
def put_operation(
    request: HttpRequest, credit_code: str, number: str, sequence: int, payload: OperationIn
):
    enterprise = _writable(request, credit_code)
    order = ProductionOrder.objects.filter(enterprise=enterprise, number=number).first()
    if order is None:
        raise ApiError(
            404, [{"field": "number", "value": number, "reason": "no such order; PUT it first"}]
        )
    try:
        clean = validation.check_operation(sequence, payload.dict())
        result = services.record_operation(order, sequence, clean, request.auth)
    except validation.Rejected as rejected:
        raise ApiError(400, rejected.problems) from rejected
    operation = _with_operations(ProductionOrder.objects.filter(pk=order.pk)).get()
    saved = next(op for op in operation.operations.all() if op.sequence == sequence)
    return Status(
        201 if result.created else 200,
        {
            "operation": saved,
            "created": result.created,
            "unchanged": result.unchanged,
            "events_saved": result.events_saved,
            "events_retracted": result.events_retracted,
        },
    )


@router.get(
    "/orders/{credit_code}/{number}/events",
    url_name="mes_order_events",
    summary="The EPCIS events an order's operations produced, as an EPCISDocument",
    description=(
        "Every event the order's operations produced, in event time order, including events "
        "later declared erroneous (they carry an errorDeclaration)."
    ),
    response={200: None, **refusals(404)},
    openapi_extra=answered_as(200, {JSON_LD: EPCIS_DOCUMENT}),
)
def order_events(request: HttpRequest, credit_code: str, number: str):
    order = _order(request, credit_code, number)
    events = (
        Event.objects.filter(
            pk__in=OperationEvent.objects.filter(operation__order=order).values("event_id")
        )
        .select_related("body")
        .order_by("event_time", "id")
    )
    document = epcis.document(
        [event_document(e, identifiers.NO_PREFERENCE) for e in events], timezone.now()
    )
    return JsonResponse(
        document,
        content_type="application/ld+json",
        headers=VERSION_HEADERS,
        json_dumps_params={"ensure_ascii": False},
    )
