"""The answers the EPCIS routes build by hand, as the OpenAPI document describes them.

The handlers write these documents themselves (JSON-LD with its own media type, keys such as
``@context``), so the schemas here only document them; tests/core/test_openapi.py checks the
real answers against them.
"""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Schema

from parkbrain.core.api import ProblemOut

from .choices import EventType
from .locations import BATCH_LIMIT
from .named_queries import NAME

JSON_LD = "application/ld+json"


class CaptureJobOut(Schema):
    captureID: str
    createdAt: datetime
    finishedAt: datetime | None
    running: bool
    success: bool
    captureErrorBehaviour: str = Field(description="rollback or proceed")
    state: str = Field(description="running, succeeded, partial or failed")
    eventCount: int
    eventsSaved: int
    eventsAlreadyStored: int
    eventsRefused: int
    errors: list[ProblemOut] = Field(description="every problem, naming event index and field")


class CaptureLimitOut(Schema):
    """The binding's answer to a capture over its limits (RFC 9457 problem details)."""

    type: str
    title: str
    status: int
    detail: str


class CollectionOut(Schema):
    context: str = Field(alias="@context")
    type: Literal["Collection"]
    member: list[str]


class NamedQueryOut(Schema):
    name: str
    query: dict[str, Any] = Field(description="the parameters of /events, with any @context")


class LocationOut(Schema):
    id: str = Field(description="SGLN as an EPC URN")
    name: str
    parent: str | None


class LocationsSavedOut(Schema):
    created: int
    updated: int


class TraceNodeEventOut(Schema):
    eventID: str
    type: str
    action: str | None
    role: str
    eventTime: datetime
    bizStep: str | None
    readPoint: str | None
    bizLocation: str | None


class TraceNodeOut(Schema):
    uri: str
    depth: int
    firstEventTime: datetime | None
    lastEventTime: datetime | None
    events: list[TraceNodeEventOut]


class TraceEdgeOut(Schema):
    from_uri: str = Field(alias="from")
    to: str
    kind: str
    action: str | None
    depth: int
    eventID: str
    eventTime: datetime
    fromQuantity: float | None
    fromUom: str | None
    toQuantity: float | None
    toUom: str | None
    removedAt: datetime | None


class TraceOut(Schema):
    start: str
    direction: str
    depth: int
    nodes: list[TraceNodeOut]
    edges: list[TraceEdgeOut]
    truncated: bool = Field(description="true when the depth limit cut the walk")


class RecallItemOut(Schema):
    uri: str
    kind: str
    depth: int
    status: str
    carried: dict[str, float] = Field(description="suspect material per unit, by unit")
    remaining: float | None
    remainingUom: str | None
    containers: list[str]
    lastEventTime: datetime | None
    lastBizStep: str | None
    bizLocation: str | None
    bizLocationName: str | None
    disposition: str | None
    persistentDisposition: list[str]
    holder: str | None
    shipped: bool
    shippedAt: datetime | None
    customer: str | None
    bizTransactions: list[str]
    quantity: float | None
    uom: str | None


class RecallCustomerOut(Schema):
    party: str | None
    name: str | None
    items: list[str]
    quantities: dict[str, float]
    carried: dict[str, float]
    bizTransactions: list[str]


class RecallScopeOut(Schema):
    criteria: dict[str, str]
    starts: list[str]
    summary: dict[str, int]
    truncated: bool
    items: list[RecallItemOut]
    customers: list[RecallCustomerOut]
    inStock: list[str]


class RecallCountsOut(Schema):
    affected: int
    shipped: int
    customers: int
    inStock: int
    marked: int


class RecallOut(Schema):
    id: int
    enterprise: str
    reason: str
    criteria: dict[str, str]
    includeShipped: bool
    state: str
    createdAt: datetime
    executedAt: datetime | None
    captureID: str | None
    counts: RecallCountsOut


class RecallDetailOut(RecallOut):
    scope: RecallScopeOut


class RecallListOut(Schema):
    recalls: list[RecallOut]


_TIME = {"type": "string", "format": "date-time"}

EVENT = {
    "type": "object",
    "description": "An EPCIS 2.0 event as captured, with its recordTime and eventID",
    "required": ["type", "eventTime", "eventTimeZoneOffset", "recordTime", "eventID"],
    "properties": {
        "type": {"enum": list(EventType.values)},
        "eventTime": _TIME,
        "eventTimeZoneOffset": {"type": "string", "pattern": r"^[+-]\d{2}:\d{2}$"},
        "recordTime": _TIME,
        "eventID": {"type": "string"},
    },
}


def _document(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["@context", "type", "schemaVersion", "creationDate", "epcisBody"],
        "properties": {
            "type": {"const": kind},
            "schemaVersion": {"const": "2.0"},
            "creationDate": _TIME,
            "epcisBody": body,
        },
    }


_EVENT_LIST = {
    "type": "object",
    "required": ["eventList"],
    "properties": {"eventList": {"type": "array", "items": EVENT}},
}
EPCIS_DOCUMENT = _document("EPCISDocument", _EVENT_LIST)
QUERY_DOCUMENT = _document(
    "EPCISQueryDocument",
    {
        "type": "object",
        "required": ["queryResults"],
        "properties": {
            "queryResults": {
                "type": "object",
                "required": ["queryName", "resultsBody"],
                "properties": {"queryName": {"type": "string"}, "resultsBody": _EVENT_LIST},
            }
        },
    },
)


def json_body(schema: dict[str, Any]) -> dict[str, Any]:
    """An ``openapi_extra`` documenting the JSON body of a route that reads it itself."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


NAMED_QUERY_BODY = json_body(
    {
        "type": "object",
        "required": ["name", "query"],
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "pattern": f"^(?:{NAME.pattern})$"},
            "query": {
                "type": "object",
                "description": "parameter → a text, number or boolean, or a list of them",
            },
        },
    }
)
LOCATIONS_BODY = json_body(
    {
        "type": "array",
        "minItems": 1,
        "maxItems": BATCH_LIMIT,
        "items": {
            "type": "object",
            "required": ["id"],
            "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "description": "SGLN as EPC URN or GS1 Digital Link"},
                "name": {"type": "string", "maxLength": 200},
                "parent": {"type": ["string", "null"], "description": "location URI"},
            },
        },
    }
)


def answered_as(status: int, content: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """An ``openapi_extra`` giving the answer of `status` by media type and JSON schema, for a
    route whose answer is not JSON (declare the status with ``None`` in ``response=``)."""
    return {"responses": {status: {"content": {m: {"schema": s} for m, s in content.items()}}}}


JSON_LD_QUERY_ANSWER = answered_as(200, {JSON_LD: QUERY_DOCUMENT})
