"""Recall (ParkBrain extension, not part of EPCIS 2.0), mounted under /api/epcis/recall: the
scope of a suspect lot, machine window or non-conformant inspection; recall orders, their
execution (marking the enterprise's stock recalled with real EPCIS events) and reports.

Anyone computes a scope over what they may see. Only an enterprise (a user or its token)
creates and executes a recall, for itself; zone staff read recalls and their reports. A recall
another enterprise owns is 404.
"""

from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from parkbrain.core.api import ApiError, refusals, utc_iso
from parkbrain.registry import tenancy
from parkbrain.reporting.spreadsheets import XLSX_CONTENT_TYPE

from . import recall, recall_report
from .api_schemas import (
    RecallDetailOut,
    RecallListOut,
    RecallOut,
    RecallScopeOut,
    answered_as,
)
from .genealogy import TraceError
from .models import Recall
from .visible import sources_of, walked_by

router = Router(tags=["epcis-recall"])

EXTENSION = "ParkBrain extension, not part of EPCIS 2.0. "
_CRITERIA = (
    "Criteria: start=identifier with epc (EPC URN, lot class URN or GS1 Digital Link); "
    "start=machine with readPoint (the read point's URI, or the name the caller's master "
    "data gives it; 400 when neither is known), from and to (what that read point made or "
    "saw in the window); start=inspection with event (eventID or Event Hash ID of an "
    "ObjectEvent with disposition non_conformant); start=inspections with from and to (every "
    "non-conformant inspection in the window). Times are ISO 8601; from is inclusive, to "
    "exclusive."
)
REPORT_TYPES = {"xlsx": XLSX_CONTENT_TYPE, "pdf": "application/pdf"}


def _amounts(values: dict[str, Decimal]) -> dict[str, float]:
    return {unit: float(amount) for unit, amount in values.items()}


def scope_document(found: recall.Scope) -> dict[str, Any]:
    return {
        "criteria": found.criteria.as_params(),
        "starts": found.starts,
        "summary": found.counts(),
        "truncated": found.truncated,
        "items": [
            {
                "uri": i.uri,
                "kind": i.kind,
                "depth": i.depth,
                "status": i.status,
                "carried": _amounts(i.carried),
                "remaining": None if i.remaining is None else float(i.remaining),
                "remainingUom": i.remaining_uom or None,
                "containers": i.containers,
                "lastEventTime": utc_iso(i.last_time),
                "lastBizStep": i.last_step or None,
                "bizLocation": i.location or None,
                "bizLocationName": found.name(i.location) or None,
                "disposition": i.disposition or None,
                "persistentDisposition": i.persistent,
                "holder": i.holder or None,
                "shipped": i.shipped,
                "shippedAt": utc_iso(i.shipped_at),
                "customer": i.customer or None,
                "bizTransactions": i.transactions,
                "quantity": None if i.quantity is None else float(i.quantity),
                "uom": i.uom or None,
            }
            for i in found.items
        ],
        "customers": [
            {
                "party": c.party or None,
                "name": found.name(c.party) or None,
                "items": c.items,
                "quantities": _amounts(c.quantities),
                "carried": _amounts(c.carried),
                "bizTransactions": c.transactions,
            }
            for c in found.customers
        ],
        "inStock": [i.uri for i in found.in_stock],
    }


def recall_document(item: Recall) -> dict[str, Any]:
    return {
        "id": item.pk,
        "enterprise": item.enterprise.name,
        "reason": item.reason,
        "criteria": item.criteria,
        "includeShipped": item.include_shipped,
        "state": item.state,
        "createdAt": utc_iso(item.created_at),
        "executedAt": utc_iso(item.executed_at),
        "captureID": str(item.capture_job_id) if item.capture_job_id else None,
        "counts": {
            "affected": item.affected_count,
            "shipped": item.shipped_count,
            "customers": item.customer_count,
            "inStock": item.in_stock_count,
            "marked": item.marked_count,
        },
    }


def visible_recalls(principal: object):
    return tenancy.restrict(
        Recall.objects.select_related("enterprise"), principal, via="enterprise"
    )


@router.get(
    "/scope",
    url_name="epcis_recall_scope",
    summary="Recall scope: affected lots, customers, stock to quarantine (ParkBrain extension)",
    description=EXTENSION
    + _CRITERIA
    + " Walks forward over the genealogy the caller may see (containment only while a child was "
    "inside) and answers the affected items (finished: nothing made from them; remainder: a lot "
    "whose made minus used quantity is left), each with its last step, bizLocation, disposition, "
    "persistentDisposition, holder, containers and the suspect material it holds per unit; the "
    "customers (destination owning_party, else location, with the name the caller's master data "
    "gives it) with what was shipped to each and the "
    "bizTransactions; and the identifiers in stock to quarantine. A bad parameter is 400.",
    response={200: RecallScopeOut, **refusals(400)},
)
def recall_scope(request: HttpRequest):
    try:
        products = sources_of(request.auth).products
        found = recall.requested_scope(request.GET, *walked_by(request.auth), products)
    except TraceError as exc:
        raise ApiError(400, [exc.problem()]) from exc
    return JsonResponse(scope_document(found), json_dumps_params={"ensure_ascii": False})


class RecallIn(Schema):
    reason: str
    criteria: dict[str, str]
    includeShipped: bool = False


@router.get(
    "",
    url_name="epcis_recalls",
    summary="The recalls the caller may see, newest first (ParkBrain extension)",
    description=EXTENSION + "Recall orders of the caller's enterprise, or of the zone for staff.",
    response={200: RecallListOut, **refusals()},
)
def list_recalls(request: HttpRequest):
    recalls = visible_recalls(request.auth)[:200]
    return {"recalls": [recall_document(r) for r in recalls]}


@router.post(
    "",
    url_name="epcis_recall_create",
    summary="Create a recall order (draft) for the caller's enterprise (ParkBrain extension)",
    description=EXTENSION
    + "Body: {reason, criteria, includeShipped}. criteria takes the parameters of /scope. "
    "Answers 201 with the recall and the counts of its scope; 400 names a bad field; 403 for "
    "zone staff, who compute scopes but do not recall an enterprise's goods.",
    response={201: RecallOut, **refusals(400, 403, 413, 422)},
)
def create_recall(request: HttpRequest, payload: RecallIn):
    try:
        created = recall.create_recall(
            request.auth, payload.reason, payload.criteria, payload.includeShipped
        )
    except recall.RecallRefused as exc:
        raise HttpError(403, str(exc)) from exc
    except TraceError as exc:
        raise ApiError(400, [exc.problem()]) from exc
    return Status(201, recall_document(created))


@router.get(
    "/{recall_id}",
    url_name="epcis_recall",
    summary="One recall with its scope now (ParkBrain extension)",
    description=EXTENSION + "The scope is computed again over the recall enterprise's events.",
    response={200: RecallDetailOut, **refusals(404, 422)},
)
def get_recall(request: HttpRequest, recall_id: int):
    item = get_object_or_404(visible_recalls(request.auth), pk=recall_id)
    return JsonResponse(
        {**recall_document(item), "scope": scope_document(recall.recall_scope(item))},
        json_dumps_params={"ensure_ascii": False},
    )


@router.post(
    "/{recall_id}/execute",
    url_name="epcis_recall_execute",
    summary="Execute a recall: mark the stock recalled with EPCIS events (ParkBrain extension)",
    description=EXTENSION
    + "Captures one ObjectEvent per business location (OBSERVE, bizStep holding, disposition "
    "recalled, persistentDisposition set recalled) naming the items in stock, or every "
    "affected item when includeShipped. Only the recall's enterprise executes (403 for zone "
    "staff); a second call changes nothing and answers the same recall.",
    response={200: RecallOut, **refusals(403, 404, 422)},
)
def execute_recall(request: HttpRequest, recall_id: int):
    item = get_object_or_404(visible_recalls(request.auth), pk=recall_id)
    try:
        done = recall.execute_recall(item, request.auth)
    except recall.RecallRefused as exc:
        raise HttpError(403, str(exc)) from exc
    return recall_document(done)


@router.get(
    "/{recall_id}/report/{fmt}",
    url_name="epcis_recall_report",
    summary="A recall's report as xlsx or pdf (ParkBrain extension)",
    description=EXTENSION + "Criteria, summary counts, affected items, customers and stock to "
    "quarantine, as an Excel workbook (fmt=xlsx) or a PDF (fmt=pdf).",
    response={200: None, **refusals(400, 404, 422)},
    openapi_extra=answered_as(
        200, {media: {"type": "string", "format": "binary"} for media in REPORT_TYPES.values()}
    ),
)
def recall_report_file(request: HttpRequest, recall_id: int, fmt: str):
    if fmt not in REPORT_TYPES:
        raise ApiError(
            400, [{"index": None, "field": "fmt", "value": fmt[:20], "reason": _("xlsx or pdf")}]
        )
    item = get_object_or_404(visible_recalls(request.auth), pk=recall_id)
    return report_response(recall.recall_scope(item), item, fmt, f"recall-{item.pk}")


def report_response(found: recall.Scope, item: Recall | None, fmt: str, stem: str) -> HttpResponse:
    build = recall_report.xlsx if fmt == "xlsx" else recall_report.pdf
    response = HttpResponse(build(found, item), content_type=REPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
