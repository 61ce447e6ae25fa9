"""EPCIS 2.0 REST binding (mounted under /api/epcis): capture (JSON-LD or XML), single-event
read, the query side (SimpleEventQuery at /events; the /epcs, /eventTypes, /bizSteps,
/bizLocations, /readPoints and /dispositions collections and the events of each member; named
queries at /queries), location master data for the WD_ parameters (/locations, our extension);
our genealogy and recall extensions are in api_genealogy and api_recall.

Capture is synchronous: the capture job is finished when the 202 leaves, which the binding
allows. A body that is not a JSON or XML EPCIS document is answered 400 at once; problems inside
a document are listed in the capture job (index, field, value, reason), as the binding wants.
Only an enterprise (its users or its machine token) captures, always for itself; zone staff
and project managers get 403. Reading follows tenancy: what the caller may not see is 404.
"""

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError

from parkbrain.core.api import ApiError, refusals, utc_iso
from parkbrain.registry import tenancy

from . import identifiers, locations, named_queries, query, services
from .api_schemas import (
    EVENT,
    JSON_LD,
    JSON_LD_QUERY_ANSWER,
    LOCATIONS_BODY,
    NAMED_QUERY_BODY,
    CaptureJobOut,
    CaptureLimitOut,
    CollectionOut,
    LocationOut,
    LocationsSavedOut,
    NamedQueryOut,
    answered_as,
)
from .choices import ErrorBehaviour, EventType
from .epcis_xml import XmlProblems, xml_capture_document
from .models import CaptureJob, Event, Location, NamedQuery, known_as
from .validation import count_events, nesting_reason, too_deep, vocabulary_uri

router = Router(tags=["epcis"])

#: Most events one capture call may carry (advertised in GS1-EPCIS-Capture-Limit).
CAPTURE_EVENT_LIMIT = 500
#: Largest body in bytes (GS1-EPCIS-Capture-File-Size-Limit); below Django's 2.5 MB read limit.
CAPTURE_FILE_SIZE_LIMIT = 1_000_000
MEDIA_TYPES = ("application/json", "application/ld+json")
XML_MEDIA_TYPES = ("application/xml", "text/xml")
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


def job_document(job: CaptureJob) -> dict:
    """The capture job as the binding shows it, with our counts and errors."""
    return {
        "captureID": str(job.pk),
        "createdAt": utc_iso(job.received_at),
        "finishedAt": utc_iso(job.finished_at),
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


def _body_size(size: int) -> str:
    return _("the body has %(size)d bytes") % {"size": size}


def _body(request: HttpRequest) -> bytes:
    """The request's body; one sent in chunks is read to at most the size limit and a byte.

    A chunked body comes without Content-Length, and Django then reads none of it. A server
    that decoded it says so (``wsgi.input_terminated``: gunicorn, which ``make run`` uses,
    uWSGI, waitress), and it is read from the server's stream; one that did not, like
    Django's runserver, cannot hand it over, so the client is asked for a length (411).
    """
    meta = request.META
    chunked = "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
    if meta.get("CONTENT_LENGTH") or not chunked:
        return request.body
    if meta.get("wsgi.input_terminated"):
        return meta["wsgi.input"].read(CAPTURE_FILE_SIZE_LIMIT + 1)
    reason = _("this server cannot read a chunked body; send the body with a Content-Length")
    problem = {"index": None, "field": "Transfer-Encoding", "value": "chunked", "reason": reason}
    raise ApiError(411, [problem])


def _json(body: bytes) -> Any:
    """The body as JSON; 400 when it is not JSON or nests deeper than capture reads."""
    try:
        value = json.loads(body)
        deep = too_deep(value)
    except RecursionError:  # json's own reader overflows at about a thousand levels
        deep = True
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = _("not JSON: %(error)s") % {"error": exc}
        raise ApiError(400, [{"index": None, "field": "", "value": "", "reason": reason}]) from exc
    if deep:
        raise ApiError(400, [{"index": None, "field": "", "value": "", "reason": nesting_reason()}])
    return value


def _json_body(request: HttpRequest) -> Any:
    """A JSON body of the other writes (queries, locations): null when empty."""
    body = _body(request)
    if len(body) > CAPTURE_FILE_SIZE_LIMIT:
        reason = _body_size(len(body))
        raise ApiError(413, [{"index": None, "field": "", "value": "", "reason": reason}])
    return _json(body or b"null")


@router.post(
    "/capture",
    url_name="epcis_capture",
    summary="Capture an EPCIS document (EPCIS 2.0 REST binding)",
    description=(
        "Send an EPCISDocument (or EPCISQueryDocument) as application/ld+json or "
        "application/json, or as EPCIS 2.0 (or 1.2) XML with application/xml: XML is read into "
        "the JSON-LD form (extension elements keep their namespace prefixes) and captured the "
        "same way; XML that is not well-formed, has no EPCISDocument root or puts an event's "
        "eventTime, recordTime and eventTimeZoneOffset out of the schema's order is 400 naming "
        "the element. Answers 202 with the finished capture job and its URL in Location. "
        "Header GS1-Capture-Error-Behaviour: rollback (default: any invalid event saves "
        "nothing) or proceed (valid events are saved, the others listed). Events already "
        "stored (same Event Hash ID) are not stored again. Location master data in the header "
        "(epcisHeader.epcisMasterData, BusinessLocation and ReadPoint vocabularies: the "
        "cbvmda:name attribute and children) is saved as the enterprise's locations, as POST "
        "/locations would, keeping what it does not state; a problem in it counts as a "
        "document problem named epcisHeader.epcisMasterData.*. Over GS1-EPCIS-Capture-Limit "
        "events or GS1-EPCIS-Capture-File-Size-Limit bytes: 413. Nested deeper than 64 levels "
        "(JSON objects and arrays, XML elements): 400. A chunked body (no Content-Length) is "
        "read where the server decodes it (gunicorn); a server that cannot answers 411."
    ),
    response={202: CaptureJobOut, 413: CaptureLimitOut, **refusals(400, 403, 411, 415)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                **{media: {"schema": {"type": "object"}} for media in MEDIA_TYPES},
                **{media: {"schema": {"type": "string"}} for media in XML_MEDIA_TYPES},
            },
        }
    },
)
def capture(request: HttpRequest):
    if services.capturing_enterprise(request.auth) is None:
        raise HttpError(403, _("Only an enterprise or its API token captures events."))
    media = request.content_type or ""
    if media not in MEDIA_TYPES + XML_MEDIA_TYPES:
        reason = _("send application/ld+json or application/xml")
        raise ApiError(415, [{"field": "Content-Type", "value": media, "reason": reason}])
    behaviour = request.headers.get("GS1-Capture-Error-Behaviour", ErrorBehaviour.ROLLBACK)
    if behaviour not in ErrorBehaviour.values:
        raise ApiError(
            400,
            [
                {
                    "field": "GS1-Capture-Error-Behaviour",
                    "value": behaviour[:40],
                    "reason": _("use rollback or proceed"),
                }
            ],
        )
    length = request.headers.get("Content-Length") or "0"
    declared_size = int(length) if length.isdigit() else 0
    if declared_size > CAPTURE_FILE_SIZE_LIMIT:
        return _too_large(_body_size(declared_size))
    body = _body(request)
    if len(body) > CAPTURE_FILE_SIZE_LIMIT:
        return _too_large(_body_size(len(body)))
    if media in XML_MEDIA_TYPES:
        try:
            document = xml_capture_document(body)
        except XmlProblems as exc:
            raise ApiError(400, exc.problems) from exc
    else:
        document = _json(body)
    events = count_events(document)
    if events > CAPTURE_EVENT_LIMIT:
        return _too_large(_("the document has %(count)d events") % {"count": events})
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
    response={200: CaptureJobOut, **refusals(404, 422)},
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
    body = dict(event.body.event_json)
    if "@context" not in body and event.body.context is not None:
        body = {"@context": event.body.context, **body}
    body["recordTime"] = utc_iso(event.record_time)
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
                    "reason": _("use one of %(formats)s")
                    % {"formats": ", ".join(identifiers.EPC_FORMATS)},
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


def _extension_prefixes(request: HttpRequest) -> dict[str, str]:
    """The GS1-Extensions header (``prefix=namespace IRI``, comma-separated) as a mapping."""
    prefixes = {}
    for entry in request.headers.get("GS1-Extensions", "").split(","):
        if not entry.strip():
            continue
        prefix, equals, namespace = entry.strip().partition("=")
        if not equals or not prefix.strip() or ":" not in namespace:
            reason = _("write each entry as prefix=namespace IRI, separated by commas")
            problem = {"index": None, "field": "GS1-Extensions", "value": entry[:200]}
            raise ApiError(400, [{**problem, "reason": reason}])
        prefixes[prefix.strip()] = namespace.strip()
    return prefixes


def _token_problem(token: str, reason: str) -> query.QueryError:
    return query.QueryError(
        [{"index": None, "field": "nextPageToken", "value": token[:40], "reason": reason}]
    )


def _parameter_problems(
    params: dict[str, list[str]], names: list[str], reason: str
) -> query.QueryError:
    """One problem per query parameter named, with its values, for the same reason."""
    return query.QueryError(
        [
            {"index": None, "field": n, "value": ",".join(params[n])[:200], "reason": reason}
            for n in names
        ]
    )


def _resume(
    request: HttpRequest, scope: str, stored: NamedQuery | None
) -> tuple[query.EventQuery, int, query.Cursor | None]:
    """The parsed query, page size and cursor: from the request (or the named query), or from
    its nextPageToken (then any query parameters repeated beside it must be the same)."""
    raw = _query_parameters(request)
    size = query.per_page(raw)
    given = query.normalised_params(raw)
    if stored is not None:
        if given:
            reason = _("a named query takes only perPage and nextPageToken")
            raise _parameter_problems(given, list(given), reason)
        parsed = query.parse_query(stored.query, stored.namespaces)
    else:
        parsed = query.parse_query(given, _extension_prefixes(request))
    token = (raw.get("nextPageToken") or [""])[0]
    if not token:
        return parsed, size, None
    params, cursor = query.read_page_token(token, scope)
    if stored is None and given and parsed.params != params:
        raise _token_problem(token, _("the token belongs to a query with other parameters"))
    if stored is not None and parsed.params != params:
        raise _token_problem(token, _("the named query changed; start again"))
    return query.parse_query(params), size, cursor


def _query_document(
    request: HttpRequest, events: QuerySet[Event], scope: str, stored: NamedQuery | None = None
) -> HttpResponse:
    """A SimpleEventQuery page over `events` (already restricted) as an EPCISQueryDocument;
    the parameters come from the request or, for a named query, from `stored`."""
    epc_format = _epc_format(request)
    try:
        parsed, size, cursor = _resume(request, scope, stored)
    except query.QueryError as exc:
        raise ApiError(exc.status, exc.problems) from exc
    places = tenancy.restrict(Location.objects.all(), request.auth, via="enterprise")
    selected = query.filter_events(events, parsed, places)
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
    rows, next_cursor = query.event_page(selected.select_related("body"), parsed, size, cursor)
    document = {
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": utc_iso(timezone.now()),
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


@router.get(
    "/events",
    url_name="epcis_events",
    summary="Query events (SimpleEventQuery)",
    description=query.DESCRIPTION,
    response={200: None, **refusals(400, 413)},
    openapi_extra=JSON_LD_QUERY_ANSWER,
)
def query_events(request: HttpRequest):
    return _query_document(request, _visible_events(request), "events")


@router.get(
    "/epcs/{path:epc}/events",
    url_name="epcis_epc_events",
    summary="Events naming one identifier in any role (URL-encoded EPC URN or Digital Link)",
    description="The same query parameters as /events narrow the answer further.",
    response={200: None, **refusals(400, 413)},
    openapi_extra=JSON_LD_QUERY_ANSWER,
)
def epc_events(request: HttpRequest, epc: str):
    try:
        events = query.naming(_visible_events(request), epc)
    except identifiers.IdentifierError as exc:
        raise ApiError(
            400, [{"index": None, "field": "epc", "value": epc[:200], "reason": str(exc)}]
        ) from exc
    return _query_document(request, events, "epcs:" + epc)


def _paged(
    request: HttpRequest, scope: str, page: Callable[[int, str | None], tuple[list, str | None]]
) -> tuple[list, dict[str, str]]:
    """One page of a listing and its headers: `page(size, after)` gives the members after
    the last one shown, and the key of the last when there is more (then a Link header)."""
    try:
        raw = _query_parameters(request)
        unknown = [n for n in raw if n not in query.PAGING_PARAMETERS]
        if unknown:
            raise _parameter_problems(raw, unknown, _("unknown or unsupported query parameter"))
        size = query.per_page(raw)
        token = (raw.get("nextPageToken") or [""])[0]
        after = query.read_page_token(token, scope)[1].value if token else None
    except query.QueryError as exc:
        raise ApiError(exc.status, exc.problems) from exc
    members, last = page(size, after)
    headers = dict(VERSION_HEADERS)
    if last is not None:
        token = query.page_token(scope, {}, query.Cursor(last, 0, 0))
        headers["Link"] = _next_link(request, size, token)
    return members, headers


def _collection(
    request: HttpRequest, scope: str, page: Callable[[int, str | None], tuple[list, str | None]]
) -> HttpResponse:
    """A paged Collection document."""
    members, headers = _paged(request, scope, page)
    document = {"@context": EPCIS_CONTEXT, "type": "Collection", "member": members}
    return JsonResponse(document, headers=headers)


def _id_page(rows: QuerySet, size: int, after: str | None) -> tuple[list, str | None]:
    """Rows after the id `after`, by id, and the last id shown when there is more."""
    if after is not None:
        rows = rows.filter(id__gt=int(after))
    found = list(rows.order_by("id")[: size + 1])
    return found[:size], str(found[size - 1].pk) if len(found) > size else None


def _value_collection(request: HttpRequest, field_name: str, scope: str) -> HttpResponse:
    """The distinct values of one event column the caller can see, as a paged Collection."""
    enterprises = tenancy.visible_enterprises(request.auth)
    return _collection(
        request, scope, lambda size, after: query.value_page(enterprises, field_name, size, after)
    )


def _member(column: str, value: str) -> str:
    """A collection member from the URL in the form the column stores, or 400."""
    if column == "event_type":
        stored = value if value in EventType.values else None
    elif column in ("biz_step", "disposition"):
        kind = "bizStep" if column == "biz_step" else "disposition"
        stored = vocabulary_uri(value, kind, {})
    else:
        try:
            stored = identifiers.canonical(value)
        except identifiers.IdentifierError:
            stored = None
    if stored is None:
        reason = _("not a member of this collection's vocabulary or a valid identifier")
        raise ApiError(
            400, [{"index": None, "field": column, "value": value[:200], "reason": reason}]
        )
    return stored


def _member_events(request: HttpRequest, column: str, value: str, scope: str) -> HttpResponse:
    events = _visible_events(request).filter(**{column: _member(column, value)})
    return _query_document(request, events, f"{scope}:{value}")


# Collections of the binding: (path, column, what, route name stem).
_COLLECTIONS = (
    ("bizSteps", "biz_step", "business steps", "biz_steps"),
    ("bizLocations", "biz_location", "business locations", "biz_locations"),
    ("readPoints", "read_point", "read points", "read_points"),
    ("dispositions", "disposition", "dispositions", "dispositions"),
)


def _add_collection(path: str, column: str, what: str, stem: str) -> None:
    def members(request: HttpRequest):
        return _value_collection(request, column, path)

    def member_events(request: HttpRequest, value: str):
        return _member_events(request, column, value, path)

    members.__name__ = stem
    member_events.__name__ = f"{stem}_events"
    router.get(
        f"/{path}",
        url_name=f"epcis_{stem}",
        summary=f"The {what} of the events the caller can see",
        description="A Collection, paged with perPage and nextPageToken (Link header).",
        response={200: CollectionOut, **refusals(400)},
        by_alias=True,
    )(members)
    router.get(
        f"/{path}/{{path:value}}/events",
        url_name=f"epcis_{stem}_events",
        summary=f"Events at one of the {what} (URL-encoded)",
        description="The same query parameters as /events narrow the answer further.",
        response={200: None, **refusals(400, 413)},
        openapi_extra=JSON_LD_QUERY_ANSWER,
    )(member_events)


for _collection_args in _COLLECTIONS:
    _add_collection(*_collection_args)


@router.get(
    "/eventTypes",
    url_name="epcis_event_types",
    summary="The event types this repository stores",
    description="The five EPCIS 2.0 event types, as a Collection.",
    response={200: CollectionOut, **refusals(400)},
    by_alias=True,
)
def event_types(request: HttpRequest):
    return _collection(request, "eventTypes", lambda size, after: (list(EventType.values), None))


@router.get(
    "/eventTypes/{event_type}/events",
    url_name="epcis_event_type_events",
    summary="Events of one type",
    description="The same query parameters as /events narrow the answer further.",
    response={200: None, **refusals(400, 413)},
    openapi_extra=JSON_LD_QUERY_ANSWER,
)
def event_type_events(request: HttpRequest, event_type: str):
    return _member_events(request, "event_type", event_type, "eventTypes")


@router.get(
    "/epcs",
    url_name="epcis_epcs",
    summary="The EPCs (instances) the events the caller can see name, in any role",
    description=(
        "A Collection of canonical EPC URNs (GS1-EPC-Format: Always_GS1_Digital_Link for "
        "Digital Links), paged with perPage and nextPageToken (Link header)."
    ),
    response={200: CollectionOut, **refusals(400)},
    by_alias=True,
)
def epcs(request: HttpRequest):
    epc_format = _epc_format(request)
    events = _visible_events(request)

    def page(size: int, after: str | None) -> tuple[list[str], str | None]:
        uris, last = query.identifier_page(events, size, after)
        if epc_format == identifiers.ALWAYS_GS1_DIGITAL_LINK:
            uris = [identifiers.as_format(uri, epc_format) for uri in uris]
        return uris, last

    return _collection(request, "epcs", page)


@router.get(
    "/events/{path:event_id}",
    url_name="epcis_event",
    summary="One event by its eventID or Event Hash ID (URL-encoded)",
    response={200: None, **refusals(400, 404)},
    openapi_extra=answered_as(200, {JSON_LD: EVENT}),
)
def get_event(request: HttpRequest, event_id: str):
    epc_format = _epc_format(request)
    event = (
        _visible_events(request)
        .filter(known_as([event_id]))
        .select_related("body")
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


# -- named queries --------------------------------------------------------------------------


def _named(request: HttpRequest, name: str) -> NamedQuery:
    """The named query of that name the caller may see; 404, or 409 when zone staff see the
    name at several enterprises."""
    found = list(
        tenancy.restrict(NamedQuery.objects.all(), request.auth, via="enterprise").filter(
            name=name
        )[:2]
    )
    if not found:
        raise HttpError(404, "Not Found")
    if len(found) > 1:
        reason = _("several enterprises have a query of this name")
        raise ApiError(409, [{"index": None, "field": "name", "value": name, "reason": reason}])
    return found[0]


def _named_problems(exc: named_queries.NamedQueryProblems) -> ApiError:
    return ApiError(exc.status, exc.problems)


@router.post(
    "/queries",
    url_name="epcis_queries",
    summary="Save a named query (EPCIS 2.0 /queries)",
    description=(
        'Body: {"name": "myQuery", "query": {"EQ_bizStep": ["shipping"], ...}} with any '
        "parameter of /events but perPage and nextPageToken; extension prefixes come from the "
        "query's @context or the GS1-Extensions header. The query is checked as /events would "
        "check it (400 naming each problem). Answers 201 with Location /queries/{name}; 409 "
        "when the enterprise already has the name. Only an enterprise (user or token) saves "
        "queries, for itself."
    ),
    response={201: NamedQueryOut, **refusals(400, 403, 409, 413)},
    openapi_extra=NAMED_QUERY_BODY,
)
def create_query(request: HttpRequest):
    body = _json_body(request)
    try:
        named = named_queries.create(request.auth, body, _extension_prefixes(request))
    except named_queries.NamedQueryProblems as exc:
        raise _named_problems(exc) from exc
    location = reverse("api:epcis_query", kwargs={"name": named.name})
    return JsonResponse(
        named_queries.definition(named),
        status=201,
        headers={"Location": location, **VERSION_HEADERS},
    )


@router.get(
    "/queries",
    url_name="epcis_query_list",
    summary="The named queries the caller can see",
    description="A list of {name, query}, paged with perPage and nextPageToken (Link header).",
    response={200: list[NamedQueryOut], **refusals(400)},
)
def list_queries(request: HttpRequest):
    visible = tenancy.restrict(NamedQuery.objects.all(), request.auth, via="enterprise")

    def page(size: int, after: str | None) -> tuple[list[dict], str | None]:
        found, last = _id_page(visible, size, after)
        return [named_queries.definition(q) for q in found], last

    members, headers = _paged(request, "queries", page)
    return JsonResponse(members, safe=False, headers=headers)


@router.get(
    "/queries/{name}",
    url_name="epcis_query",
    summary="One named query's definition",
    response={200: NamedQueryOut, **refusals(404, 409)},
)
def get_query(request: HttpRequest, name: str):
    return JsonResponse(named_queries.definition(_named(request, name)), headers=VERSION_HEADERS)


@router.delete(
    "/queries/{name}",
    url_name="epcis_query",
    summary="Remove a named query (its enterprise only)",
    response={204: None, **refusals(403, 404, 409)},
)
def delete_query(request: HttpRequest, name: str):
    named = _named(request, name)
    if services.capturing_enterprise(request.auth) != named.enterprise:
        raise HttpError(403, _("Only the enterprise that saved the query removes it."))
    named.delete()
    return HttpResponse(status=204, headers=VERSION_HEADERS)


@router.get(
    "/queries/{name}/events",
    url_name="epcis_query_events",
    summary="Run a named query",
    description=(
        "The events of the query's enterprise that the query selects and the caller may see, "
        "as an EPCISQueryDocument; only perPage and nextPageToken may be given."
    ),
    response={200: None, **refusals(400, 404, 409, 413)},
    openapi_extra=JSON_LD_QUERY_ANSWER,
)
def query_events_named(request: HttpRequest, name: str):
    named = _named(request, name)
    events = _visible_events(request).filter(enterprise_id=named.enterprise_id)
    return _query_document(request, events, f"queries:{named.pk}", stored=named)


# -- location master data (ParkBrain extension) ---------------------------------------------


def _location_document(location: Location) -> dict[str, Any]:
    return {
        "id": location.uri,
        "name": location.name,
        "parent": location.parent.uri if location.parent_id else None,
    }


@router.get(
    "/locations",
    url_name="epcis_locations",
    summary="Location master data: read points and business locations with their parent",
    description=(
        "ParkBrain extension. The locations the caller's enterprise (or the enterprises the "
        "caller may see) stated, as a list of {id, name, parent}, paged with perPage and "
        "nextPageToken. They answer WD_readPoint and WD_bizLocation."
    ),
    response={200: list[LocationOut], **refusals(400)},
)
def list_locations(request: HttpRequest):
    visible = tenancy.restrict(Location.objects.all(), request.auth, via="enterprise")

    def page(size: int, after: str | None) -> tuple[list[dict], str | None]:
        found, last = _id_page(visible.select_related("parent"), size, after)
        return [_location_document(loc) for loc in found], last

    members, headers = _paged(request, "locations", page)
    return JsonResponse(members, safe=False, headers=headers)


@router.post(
    "/locations",
    url_name="epcis_locations",
    summary="State locations and their parents (ParkBrain extension)",
    description=(
        'Body: a list of {"id": location URI (SGLN as EPC URN or Digital Link), "name": text, '
        '"parent": location URI or null}. A parent is stated in the same list or before. All or '
        "nothing: any problem (bad identifier, unknown parent, a cycle, more than 1000 entries) "
        "saves nothing and is answered 400 naming the entry and field. Stating the same again "
        "changes nothing. Only an enterprise (user or token) states its own locations."
    ),
    response={200: LocationsSavedOut, **refusals(400, 403, 413)},
    openapi_extra=LOCATIONS_BODY,
)
def save_locations(request: HttpRequest):
    enterprise = services.capturing_enterprise(request.auth)
    if enterprise is None:
        raise HttpError(403, _("Only an enterprise or its API token states its locations."))
    body = _json_body(request)
    try:
        counts = locations.save_locations(enterprise, body)
    except locations.LocationProblems as exc:
        raise ApiError(400, exc.problems) from exc
    return JsonResponse(counts, headers=VERSION_HEADERS)


@router.delete(
    "/locations/{path:location}",
    url_name="epcis_location",
    summary="Remove a location (ParkBrain extension)",
    description=(
        "The location (SGLN as EPC URN or Digital Link, URL-encoded) leaves the caller's "
        "enterprise's master data; the locations under it move to the top level. Events that "
        "name it are not touched. 404 when the enterprise has no such location. Only an "
        "enterprise (user or token) removes its own."
    ),
    response={204: None, **refusals(400, 403, 404)},
)
def delete_location(request: HttpRequest, location: str):
    enterprise = services.capturing_enterprise(request.auth)
    if enterprise is None:
        raise HttpError(403, _("Only an enterprise or its API token removes its locations."))
    try:
        uri = identifiers.canonical(location)
    except identifiers.IdentifierError as exc:
        raise ApiError(
            400, [{"index": None, "field": "location", "value": location[:200], "reason": str(exc)}]
        ) from exc
    removed, _rows = Location.objects.filter(enterprise=enterprise, uri=uri).delete()
    if not removed:
        raise HttpError(404, "Not Found")
    return HttpResponse(status=204, headers=VERSION_HEADERS)


# Mounted after the routes above; both read helpers defined here.
from .api_genealogy import router as genealogy_router  # noqa: E402
from .api_recall import router as recall_router  # noqa: E402

router.add_router("/trace", genealogy_router)
router.add_router("/recall", recall_router)
