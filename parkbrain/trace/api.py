"""EPCIS 2.0 REST binding, capture side and single-event read (mounted under /api/epcis).

Capture is synchronous: the capture job is finished when the 202 leaves, which the binding
allows. A body that is not a JSON EPCIS document is answered 400 at once; problems inside a
document are listed in the capture job (index, field, value, reason), as the binding wants.
Only an enterprise (its users or its machine token) captures, always for itself; zone staff
and project managers get 403. Reading follows tenancy: what the caller may not see is 404.
"""

import json
from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from ninja import Router
from ninja.errors import HttpError

from parkbrain.core.api import ApiError
from parkbrain.registry import tenancy

from . import identifiers, services
from .choices import ErrorBehaviour
from .models import CaptureJob, Event
from .validation import count_events

router = Router(tags=["epcis"])

#: Most events one capture call may carry (advertised in GS1-EPCIS-Capture-Limit).
CAPTURE_EVENT_LIMIT = 500
#: Largest body in bytes (GS1-EPCIS-Capture-File-Size-Limit); below Django's 2.5 MB read limit.
CAPTURE_FILE_SIZE_LIMIT = 1_000_000
MEDIA_TYPES = ("application/json", "application/ld+json")
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


def _as_format(uri: str, epc_format: str) -> str:
    return identifiers.as_format(uri, epc_format)


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
        body = _translated(body, lambda uri: _as_format(uri, epc_format))
    return body


@router.get(
    "/events/{path:event_id}",
    url_name="epcis_event",
    summary="One event by its eventID or Event Hash ID (URL-encoded)",
    response=dict,
)
def get_event(request: HttpRequest, event_id: str):
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
    visible = tenancy.restrict(Event.objects.all(), request.auth, via="enterprise")
    event = visible.filter(Q(event_id=event_id) | Q(hash_id=event_id)).order_by("id").first()
    if event is None:
        raise HttpError(404, "Not Found")
    return HttpResponse(
        json.dumps(event_document(event, epc_format), ensure_ascii=False),
        content_type="application/ld+json",
        headers={"GS1-EPC-Format": epc_format, **VERSION_HEADERS},
    )
