"""EPCIS 2.0 REST binding (mounted under /api/epcis): capture, single-event read, and the
query side (SimpleEventQuery at /events, /epcs/{epc}/events, /bizSteps, /bizLocations), and
our genealogy extension (/trace/backward, /trace/forward), which is not part of EPCIS 2.0.

Capture is synchronous: the capture job is finished when the 202 leaves, which the binding
allows. A body that is not a JSON EPCIS document is answered 400 at once; problems inside a
document are listed in the capture job (index, field, value, reason), as the binding wants.
Only an enterprise (its users or its machine token) captures, always for itself; zone staff
and project managers get 403. Reading follows tenancy: what the caller may not see is 404.
"""

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from parkbrain.core.api import ApiError
from parkbrain.registry import tenancy

from . import genealogy, identifiers, query, services
from .choices import ErrorBehaviour
from .models import CaptureJob, Event, GenealogyEdge
from .validation import count_events, parse_timestamp

router = Router(tags=["epcis"])

#: Most events one capture call may carry (advertised in GS1-EPCIS-Capture-Limit).
CAPTURE_EVENT_LIMIT = 500
#: Largest body in bytes (GS1-EPCIS-Capture-File-Size-Limit); below Django's 2.5 MB read limit.
CAPTURE_FILE_SIZE_LIMIT = 1_000_000
MEDIA_TYPES = ("application/json", "application/ld+json")
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
VERSION_HEADERS = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}
_IDENTIFIER_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")


def _limits() -> dict[str, str]:
    return {
        "GS1-EPCIS-Capture-Limit": str(CAPTURE_EVENT_LIMIT),
        "GS1-EPCIS-Capture-File-Size-Limit": str(CAPTURE_FILE_SIZE_LIMIT),
    }


def _too_large(reason: str) -> JsonResponse:
    return JsonResponse(
        {
            "type": "epcisException:CaptureLimitExceededException",
            "title": "Capture payload too large",
            "status": 413,
            "detail": reason,
        },
        status=413,
        headers={**_limits(), **VERSION_HEADERS},
    )


def _iso(moment) -> str | None:
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def job_document(job: CaptureJob) -> dict:
    """The capture job as the binding shows it, with our counts and errors."""
    return {
        "captureID": str(job.pk),
        "createdAt": _iso(job.received_at),
        "finishedAt": _iso(job.finished_at),
        "running": job.running,
        "success": job.success,
        "captureErrorBehaviour": job.error_behaviour,
        "state": job.state,
        "eventCount": job.event_count,
        "eventsSaved": job.events_saved,
        "eventsAlreadyStored": job.events_duplicate,
        "eventsRefused": job.events_refused,
        "errors": job.errors,
    }


@router.post(
    "/capture",
    url_name="epcis_capture",
    summary="Capture an EPCIS document (EPCIS 2.0 REST binding)",
    description=(
        "Send an EPCISDocument (or EPCISQueryDocument) as application/ld+json or "
        "application/json. Answers 202 with the finished capture job and its URL in Location. "
        "Header GS1-Capture-Error-Behaviour: rollback (default: any invalid event saves "
        "nothing) or proceed (valid events are saved, the others listed). Events already "
        "stored (same Event Hash ID) are not stored again. Over GS1-EPCIS-Capture-Limit events "
        "or GS1-EPCIS-Capture-File-Size-Limit bytes: 413."
    ),
    response={202: dict},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {media: {"schema": {"type": "object"}} for media in MEDIA_TYPES},
        }
    },
)
def capture(request: HttpRequest):
    if services.capturing_enterprise(request.auth) is None:
        raise HttpError(403, "Only an enterprise or its API token captures events.")
    media = request.content_type or ""
    if media not in MEDIA_TYPES:
        raise ApiError(
            415, [{"field": "Content-Type", "value": media, "reason": "send application/ld+json"}]
        )
    behaviour = request.headers.get("GS1-Capture-Error-Behaviour", ErrorBehaviour.ROLLBACK)
    if behaviour not in ErrorBehaviour.values:
        raise ApiError(
            400,
            [
                {
                    "field": "GS1-Capture-Error-Behaviour",
                    "value": behaviour[:40],
                    "reason": "use rollback or proceed",
                }
            ],
        )
    length = request.headers.get("Content-Length") or "0"
    declared_size = int(length) if length.isdigit() else 0
    if declared_size > CAPTURE_FILE_SIZE_LIMIT:
        return _too_large(f"the body has {declared_size} bytes")
    body = request.body
    if len(body) > CAPTURE_FILE_SIZE_LIMIT:
        return _too_large(f"the body has {len(body)} bytes")
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, [{"field": "", "value": "", "reason": f"not JSON: {exc}"}]) from exc
    events = count_events(document)
    if events > CAPTURE_EVENT_LIMIT:
        return _too_large(f"the document has {events} events")
    job = services.capture_document(document, request.auth, behaviour, size_bytes=len(body))
    location = reverse("api:epcis_capture_job", kwargs={"capture_id": job.pk})
    return JsonResponse(
        job_document(job),
        status=202,
        headers={"Location": location, **_limits(), **VERSION_HEADERS},
    )


@router.get(
    "/capture/{capture_id}",
    url_name="epcis_capture_job",
    summary="The state of a capture job",
    response=dict,
)
def capture_job(request: HttpRequest, capture_id: int):
    jobs = tenancy.restrict(CaptureJob.objects.all(), request.auth, via="enterprise")
    job = jobs.filter(pk=capture_id).first()
    if job is None:
        raise HttpError(404, "Not Found")
    return JsonResponse(job_document(job), headers=VERSION_HEADERS)


def _translated(event: dict, translate: Callable[[str], str]) -> dict:
    """The event with every identifier field passed through `translate`."""
    out = dict(event)
    for name in _IDENTIFIER_LISTS:
        if isinstance(out.get(name), list):
            out[name] = [translate(uri) for uri in out[name]]
    if "parentID" in out:
        out["parentID"] = translate(out["parentID"])
    for name in _QUANTITY_LISTS:
        if isinstance(out.get(name), list):
            out[name] = [{**q, "epcClass": translate(q["epcClass"])} for q in out[name]]
    for name in ("readPoint", "bizLocation"):
        if isinstance(out.get(name), dict):
            out[name] = {**out[name], "id": translate(out[name]["id"])}
    for name, key in (("sourceList", "source"), ("destinationList", "destination")):
        if isinstance(out.get(name), list):
            out[name] = [{**entry, key: translate(entry[key])} for entry in out[name]]
    return out


def event_document(event: Event, epc_format: str) -> dict[str, Any]:
    """The event as captured, with what the repository adds: the document's @context when the
    event has none, its own recordTime, and the Event Hash ID as eventID when none was given.
    Identifiers follow ``GS1-EPC-Format``; without a preference they are left as captured."""
    body = dict(event.event_json)
    if "@context" not in body and event.context is not None:
        body = {"@context": event.context, **body}
    body["recordTime"] = _iso(event.record_time)
    body.setdefault("eventID", event.hash_id)
    if epc_format in (identifiers.ALWAYS_EPC_URN, identifiers.ALWAYS_GS1_DIGITAL_LINK):
        body = _translated(body, lambda uri: identifiers.as_format(uri, epc_format))
    return body


def _epc_format(request: HttpRequest) -> str:
    epc_format = request.headers.get("GS1-EPC-Format", identifiers.NO_PREFERENCE)
    if epc_format not in identifiers.EPC_FORMATS:
        raise ApiError(
            400,
            [
                {
                    "field": "GS1-EPC-Format",
                    "value": epc_format[:40],
                    "reason": "use " + ", ".join(identifiers.EPC_FORMATS),
                }
            ],
        )
    return epc_format


def _visible_events(request: HttpRequest) -> QuerySet[Event]:
    return tenancy.restrict(Event.objects.all(), request.auth, via="enterprise")


def _query_parameters(request: HttpRequest) -> dict[str, list[str]]:
    return {name: request.GET.getlist(name) for name in request.GET}


def _next_link(request: HttpRequest, size: int, token: str) -> str:
    query = urlencode({"perPage": size, "nextPageToken": token})
    return f'<{request.build_absolute_uri(request.path)}?{query}>; rel="next"'


def _resume(
    request: HttpRequest, scope: str
) -> tuple[dict[str, list[str]], int, query.Cursor | None]:
    """The query's parameters, page size and cursor: from the request, or from its
    nextPageToken (then any query parameters repeated beside it must be the same)."""
    raw = _query_parameters(request)
    size = query.per_page(raw)
    token = (raw.get("nextPageToken") or [""])[0]
    if not token:
        return raw, size, None
    params, cursor = query.read_page_token(token, scope)
    given = query.normalised_params(raw)
    if given and given != params:
        raise query.QueryError(
            [
                {
                    "index": None,
                    "field": "nextPageToken",
                    "value": token[:40],
                    "reason": _("the token belongs to a query with other parameters"),
                }
            ]
        )
    return params, size, cursor


def _query_document(request: HttpRequest, events: QuerySet[Event], scope: str) -> HttpResponse:
    """A SimpleEventQuery page over `events` (already restricted) as an EPCISQueryDocument."""
    epc_format = _epc_format(request)
    try:
        params, size, cursor = _resume(request, scope)
        parsed = query.parse_query(params)
    except query.QueryError as exc:
        raise ApiError(exc.status, exc.problems) from exc
    selected = query.filter_events(events, parsed)
    if cursor is None and parsed.max_event_count is not None:
        found = selected.count()
        if found > parsed.max_event_count:
            raise ApiError(
                413,
                [
                    {
                        "index": None,
                        "field": "maxEventCount",
                        "value": str(parsed.max_event_count),
                        "reason": _("%(found)d events match; narrow the query") % {"found": found},
                    }
                ],
            )
    rows, next_cursor = query.event_page(selected, parsed, size, cursor)
    document = {
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": _iso(timezone.now()),
        "epcisBody": {
            "queryResults": {
                "queryName": "SimpleEventQuery",
                "resultsBody": {"eventList": [event_document(e, epc_format) for e in rows]},
            }
        },
    }
    headers = {"GS1-EPC-Format": epc_format, **VERSION_HEADERS}
    if next_cursor is not None:
        token = query.page_token(scope, parsed.params, next_cursor)
        headers["Link"] = _next_link(request, size, token)
    return HttpResponse(
        json.dumps(document, ensure_ascii=False),
        content_type="application/ld+json",
        headers=headers,
    )


_QUERY_DESCRIPTION = (
    "SimpleEventQuery over query-string parameters: GE_/LT_eventTime, GE_/LT_recordTime, "
    "eventType, EQ_action, EQ_bizStep, EQ_disposition (CBV words or URIs), EQ_readPoint, "
    "EQ_bizLocation, EQ_eventID, EQ_transformationID, EXISTS_errorDeclaration, MATCH_epc, "
    "MATCH_parentID, MATCH_inputEPC, MATCH_outputEPC, MATCH_anyEPC, MATCH_epcClass, "
    "MATCH_inputEPCClass, MATCH_outputEPCClass, MATCH_anyEPCClass (EPC URN, GS1 Digital Link "
    "or urn:epc:idpat pattern), EQ_/GT_/GE_/LT_/LE_quantity, orderBy (eventTime, recordTime), "
    "orderDirection, eventCountLimit or maxEventCount. Lists: repeat the parameter or separate "
    "values with commas. Pages: perPage (default 30, at most 1000) and the nextPageToken of the "
    "Link header (rel=next). Unknown parameters and bad values: 400 naming each one."
)


@router.get(
    "/events",
    url_name="epcis_events",
    summary="Query events (SimpleEventQuery)",
    description=_QUERY_DESCRIPTION,
    response=dict,
)
def query_events(request: HttpRequest):
    return _query_document(request, _visible_events(request), "events")


@router.get(
    "/epcs/{path:epc}/events",
    url_name="epcis_epc_events",
    summary="Events naming one identifier in any role (URL-encoded EPC URN or Digital Link)",
    description="The same query parameters as /events narrow the answer further.",
    response=dict,
)
def epc_events(request: HttpRequest, epc: str):
    try:
        events = query.naming(_visible_events(request), epc)
    except identifiers.IdentifierError as exc:
        raise ApiError(
            400, [{"index": None, "field": "epc", "value": epc[:200], "reason": str(exc)}]
        ) from exc
    return _query_document(request, events, "epcs:" + epc)


def _value_collection(request: HttpRequest, field_name: str, scope: str) -> HttpResponse:
    """The distinct values of one event column the caller can see, as a paged Collection."""
    try:
        raw = _query_parameters(request)
        unknown = [n for n in raw if n not in query.PAGING_PARAMETERS]
        if unknown:
            raise query.QueryError(
                [
                    {
                        "index": None,
                        "field": name,
                        "value": ",".join(raw[name])[:200],
                        "reason": _("unknown or unsupported query parameter"),
                    }
                    for name in unknown
                ]
            )
        size = query.per_page(raw)
        token = (raw.get("nextPageToken") or [""])[0]
        after = query.read_page_token(token, scope)[1].value if token else None
    except query.QueryError as exc:
        raise ApiError(exc.status, exc.problems) from exc
    members, last = query.value_page(_visible_events(request), field_name, size, after)
    headers = dict(VERSION_HEADERS)
    if last is not None:
        token = query.page_token(scope, {}, query.Cursor(last, 0, 0))
        headers["Link"] = _next_link(request, size, token)
    document = {"@context": EPCIS_CONTEXT, "type": "Collection", "member": members}
    return JsonResponse(document, headers=headers)


@router.get(
    "/bizSteps",
    url_name="epcis_biz_steps",
    summary="The business steps of the events the caller can see",
    response=dict,
)
def biz_steps(request: HttpRequest):
    return _value_collection(request, "biz_step", "bizSteps")


@router.get(
    "/bizLocations",
    url_name="epcis_biz_locations",
    summary="The business locations of the events the caller can see",
    response=dict,
)
def biz_locations(request: HttpRequest):
    return _value_collection(request, "biz_location", "bizLocations")


@router.get(
    "/events/{path:event_id}",
    url_name="epcis_event",
    summary="One event by its eventID or Event Hash ID (URL-encoded)",
    response=dict,
)
def get_event(request: HttpRequest, event_id: str):
    epc_format = _epc_format(request)
    event = (
        _visible_events(request)
        .filter(Q(event_id=event_id) | Q(hash_id=event_id))
        .order_by("id")
        .first()
    )
    if event is None:
        raise HttpError(404, "Not Found")
    return HttpResponse(
        json.dumps(event_document(event, epc_format), ensure_ascii=False),
        content_type="application/ld+json",
        headers={"GS1-EPC-Format": epc_format, **VERSION_HEADERS},
    )


# -- genealogy (ParkBrain extension) --------------------------------------------------------

_TRACE_DESCRIPTION = (
    "ParkBrain extension, not part of EPCIS 2.0. Walks the genealogy the caller's visible events "
    "state, breadth-first: %s. Parameters: epc (EPC URN, class/lot URN or GS1 Digital Link; a "
    "GTIN with a lot is a class), depth (hops, default 10, at most 50), from and to (event time "
    "window, ISO 8601, from inclusive, to exclusive). Answers {start, direction, depth, nodes, "
    "edges, truncated}: each node with its depth, first and last event time and the events naming "
    "it (bizStep, readPoint, bizLocation); each edge from input or child to output or parent, "
    "with its kind, quantities and units as the event lists them. truncated is true when the "
    "depth limit cut the walk. A bad identifier, depth or time is 400."
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
                "firstEventTime": _iso(node.first_event_time),
                "lastEventTime": _iso(node.last_event_time),
                "events": [
                    {
                        "eventID": e["event_id"],
                        "type": e["event_type"],
                        "action": e["action"] or None,
                        "role": e["role"],
                        "eventTime": _iso(e["event_time"]),
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
                "eventTime": _iso(edge.event_time),
                "fromQuantity": _quantity(edge.from_quantity),
                "fromUom": edge.from_uom or None,
                "toQuantity": _quantity(edge.to_quantity),
                "toUom": edge.to_uom or None,
                "removedAt": _iso(edge.removed_at),
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
        problem = {"index": None, "field": exc.field, "value": exc.value[:200]}
        raise ApiError(400, [{**problem, "reason": exc.reason}]) from exc
    edges = tenancy.restrict(GenealogyEdge.objects.all(), request.auth, via="enterprise")
    trace = genealogy.walk(
        start, direction, edges, _visible_events(request), depth=depth, since=since, until=until
    )
    return JsonResponse(_trace_document(trace), json_dumps_params={"ensure_ascii": False})


@router.get(
    "/trace/backward",
    url_name="epcis_trace_backward",
    summary="Backward trace: what went into an identifier (ParkBrain extension, not EPCIS 2.0)",
    description=_TRACE_DESCRIPTION % "outputs to their inputs, parents to their children",
    response=dict,
)
def trace_backward(request: HttpRequest):
    return _trace(request, genealogy.BACKWARD)


@router.get(
    "/trace/forward",
    url_name="epcis_trace_forward",
    summary="Forward trace: what an identifier went into (ParkBrain extension, not EPCIS 2.0)",
    description=_TRACE_DESCRIPTION % "inputs to their outputs, children to their parents",
    response=dict,
)
def trace_forward(request: HttpRequest):
    return _trace(request, genealogy.FORWARD)
