"""Genealogy (ParkBrain extension, not part of EPCIS 2.0), mounted under /api/epcis/trace:
backward and forward walks over the edge table capture keeps, as the caller may see them."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router

from parkbrain.core.api import ApiError, refusals, utc_iso

from . import genealogy
from .api_schemas import TraceOut
from .validation import parse_timestamp
from .visible import walked_by

router = Router(tags=["epcis"])

_TRACE_DESCRIPTION = (
    "ParkBrain extension, not part of EPCIS 2.0. Walks the genealogy the caller's visible events "
    "state, breadth-first: %s. Parameters: epc (EPC URN, class/lot URN or GS1 Digital Link; a "
    "GTIN with a lot is a class), depth (hops, default 10, at most 50), from and to (event time "
    "window, ISO 8601, from inclusive, to exclusive). Answers {start, direction, depth, nodes, "
    "edges, truncated}: each node with its depth, first and last event time and the events naming "
    "it (bizStep, readPoint, bizLocation); each edge from input or child to output or parent, "
    "with its kind, quantities and units as the event lists them; TransformationEvents sharing "
    "a transformationID link every input of one to every output of another. truncated is true "
    "when the depth limit cut the walk. A bad identifier, depth or time is 400."
)


def _moment(raw: str, name: str) -> datetime | None:
    if not raw:
        return None
    moment = parse_timestamp(raw.replace(" ", "+"))
    if moment is None:
        raise genealogy.TraceError(name, raw, _("not an ISO 8601 time with a UTC offset"))
    return moment


def _quantity(value) -> float | None:
    return None if value is None else float(value)


def _trace_document(trace: genealogy.Trace) -> dict[str, Any]:
    return {
        "start": trace.start,
        "direction": trace.direction,
        "depth": trace.depth,
        "nodes": [
            {
                "uri": node.uri,
                "depth": node.depth,
                "firstEventTime": utc_iso(node.first_event_time),
                "lastEventTime": utc_iso(node.last_event_time),
                "events": [
                    {
                        "eventID": e["event_id"],
                        "type": e["event_type"],
                        "action": e["action"] or None,
                        "role": e["role"],
                        "eventTime": utc_iso(e["event_time"]),
                        "bizStep": e["biz_step"] or None,
                        "readPoint": e["read_point"] or None,
                        "bizLocation": e["biz_location"] or None,
                    }
                    for e in node.events
                ],
            }
            for node in trace.nodes
        ],
        "edges": [
            {
                "from": edge.from_uri,
                "to": edge.to_uri,
                "kind": edge.kind,
                "action": edge.action or None,
                "depth": edge.depth,
                "eventID": edge.event_id,
                "eventTime": utc_iso(edge.event_time),
                "fromQuantity": _quantity(edge.from_quantity),
                "fromUom": edge.from_uom or None,
                "toQuantity": _quantity(edge.to_quantity),
                "toUom": edge.to_uom or None,
                "removedAt": utc_iso(edge.removed_at),
            }
            for edge in trace.edges
        ],
        "truncated": trace.truncated,
    }


def _trace(request: HttpRequest, direction: str) -> JsonResponse:
    try:
        start = genealogy.start_identifier(request.GET.get("epc", ""))
        depth = genealogy.checked_depth(request.GET.get("depth"))
        since = _moment(request.GET.get("from", ""), "from")
        until = _moment(request.GET.get("to", ""), "to")
    except genealogy.TraceError as exc:
        raise ApiError(400, [exc.problem()]) from exc
    walked = walked_by(request.auth)
    trace = genealogy.walk(
        start, direction, walked.edges, walked.events, depth=depth, since=since, until=until
    )
    return JsonResponse(_trace_document(trace), json_dumps_params={"ensure_ascii": False})


@router.get(
    "/backward",
    url_name="epcis_trace_backward",
    summary="Backward trace: what went into an identifier (ParkBrain extension, not EPCIS 2.0)",
    description=_TRACE_DESCRIPTION % "outputs to their inputs, parents to their children",
    response={200: TraceOut, **refusals(400)},
    by_alias=True,
)
def trace_backward(request: HttpRequest):
    return _trace(request, genealogy.BACKWARD)


@router.get(
    "/forward",
    url_name="epcis_trace_forward",
    summary="Forward trace: what an identifier went into (ParkBrain extension, not EPCIS 2.0)",
    description=_TRACE_DESCRIPTION % "inputs to their outputs, children to their parents",
    response={200: TraceOut, **refusals(400)},
    by_alias=True,
)
def trace_forward(request: HttpRequest):
    return _trace(request, genealogy.FORWARD)
