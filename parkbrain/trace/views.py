"""The genealogy page: an identifier's graph backward to what went into it or forward to what
came out of it, drawn with ECharts; a click on a node traces from there. The recall pages: a
suspect lot's (machine's, inspection's) scope, the recall orders and their execution."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import genealogy, recall, services
from .api_recall import REPORT_TYPES, report_response, visible_recalls
from .models import Recall, RecallState
from .recall_report import amounts
from .visible import walked_by
from .words import disposition_name, step_name

CBV_BIZ_STEP = "https://ref.gs1.org/cbv/BizStep-"
CONTAINERS_SHOWN = 3


def _short(uri: str) -> str:
    """The readable tail of an identifier: the part after the scheme's last colon."""
    return uri.rsplit(":", 1)[-1] if uri.startswith("urn:") else uri.rsplit("/", 2)[-1]


def _step(uri: str) -> str:
    """A business step by its word: CBV's (packing) or the last part of a plant's own URI."""
    if uri.startswith(CBV_BIZ_STEP):
        return uri.removeprefix(CBV_BIZ_STEP)
    return uri.rstrip("/").rsplit("/", 1)[-1] if uri.startswith("http") else uri


@login_required
def genealogy_page(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("epc", "").strip()
    direction = request.GET.get("direction", genealogy.BACKWARD)
    if direction not in (genealogy.BACKWARD, genealogy.FORWARD):
        direction = genealogy.BACKWARD
    context: dict = {"epc": raw, "direction": direction, "error": "", "trace": None}
    if raw:
        try:
            start = genealogy.start_identifier(raw)
            depth = genealogy.checked_depth(request.GET.get("depth"))
        except genealogy.TraceError as exc:
            context["error"] = exc.reason
        else:
            walked = walked_by(request.user)
            trace = genealogy.walk(start, direction, walked.edges, walked.events, depth=depth)
            context["trace"] = trace
            context["graph"] = _graph(trace)
    return render(request, "trace/genealogy.html", context)


def _graph(trace: genealogy.Trace) -> dict:
    """Nodes placed in columns by depth (the start on the left), edges with their quantities,
    and for each node the page that traces from it."""
    page = reverse("trace:genealogy")
    recall_page = reverse("trace:recall")
    columns: dict[int, int] = {}
    nodes = []
    for node in sorted(trace.nodes, key=lambda n: (n.depth, n.uri)):
        row = columns.get(node.depth, 0)
        columns[node.depth] = row + 1
        steps = sorted({step_name(_step(e["biz_step"])) for e in node.events if e["biz_step"]})
        nodes.append(
            {
                "name": node.uri,
                "label": _short(node.uri),
                "x": node.depth * 220,
                "y": row * 70,
                "depth": node.depth,
                "steps": steps,
                "link": page + "?" + urlencode({"epc": node.uri, "direction": trace.direction}),
                "recall": recall_page + "?" + urlencode({"start": "identifier", "epc": node.uri}),
            }
        )
    edges = [
        {
            "source": edge.from_uri if trace.direction == genealogy.FORWARD else edge.to_uri,
            "target": edge.to_uri if trace.direction == genealogy.FORWARD else edge.from_uri,
            "kind": edge.kind,
            "quantity": f"{edge.from_quantity.normalize():f} {edge.from_uom}".strip()
            if edge.from_quantity is not None
            else "",
        }
        for edge in trace.edges
        if edge.from_uri
    ]
    return {"nodes": nodes, "edges": edges}


# -- recall ---------------------------------------------------------------------------------

#: The form's criteria fields (the names of the API's query parameters).
CRITERIA_FIELDS = ("start", "epc", "readPoint", "event", "from", "to")


def _criteria_params(data) -> dict[str, str]:
    return {name: data.get(name, "").strip() for name in CRITERIA_FIELDS if data.get(name)}


def _label(uri: str) -> str:
    """An identifier by its scheme and body (sgtin 6901234.044444.1), short enough for a cell."""
    parts = uri.split(":")
    if uri.startswith("urn:epc:") and len(parts) >= 5:
        return f"{parts[3]} {':'.join(parts[4:])}"
    return _short(uri)


def _transaction(text: str) -> str:
    kind, _colon, uri = text.partition(": ")
    return f"{kind} {_short(uri)}"


def _scope_view(found: recall.Scope) -> dict:
    """The scope's tables with short labels for the page (full identifiers in titles)."""
    items = [
        {
            "item": item,
            "label": _label(item.uri),
            "step": step_name(_step(item.last_step)),
            "disposition": disposition_name(item.disposition),
            "flags": [disposition_name(flag) for flag in item.persistent],
            "location": found.name(item.location) or _label(item.location) if item.location else "",
            # A lot spread over many cases would make a row a page tall: the first few, a count.
            "containers": [(c, _label(c)) for c in item.containers[:CONTAINERS_SHOWN]],
            "more_containers": item.containers[CONTAINERS_SHOWN:],
            "carried": amounts(item.carried),
            "quantity": amounts({item.uom: item.quantity}) if item.quantity is not None else "",
            "remaining": amounts({item.remaining_uom: item.remaining}) if item.remaining else "",
            "genealogy": reverse("trace:genealogy")
            + "?"
            + urlencode({"epc": item.uri, "direction": genealogy.BACKWARD}),
        }
        for item in found.items
    ]
    customers = [
        {
            "customer": c,
            "label": found.name(c.party) or _label(c.party) if c.party else "",
            "unnamed": bool(c.party) and not found.name(c.party),
            "carried": amounts(c.carried),
            "transactions": [_transaction(t) for t in c.transactions],
        }
        for c in found.customers
    ]
    stock = [r for r in items if r["item"].status == recall.IN_STOCK]
    holders = {i.holder for i in found.items if i.holder}
    return {"items": items, "customers": customers, "stock": stock, "holders": len(holders) > 1}


def _visible_scope(request: HttpRequest, params: dict[str, str]) -> recall.Scope:
    return recall.requested_scope(params, *walked_by(request.user))


@login_required
@require_http_methods(["GET", "POST"])
def recall_page(request: HttpRequest) -> HttpResponse:
    """The criteria form and the scope it finds; an enterprise saves it as a recall order."""
    can_recall = services.capturing_enterprise(request.user) is not None
    data = request.POST if request.method == "POST" else request.GET
    params = _criteria_params(data)
    context: dict = {
        "params": params,
        "starts": recall.STARTS,
        "can_recall": can_recall,
        "error": None,
        "scope": None,
        "reason": data.get("reason", ""),
        "recalls": visible_recalls(request.user)[:20],
    }
    if request.method == "POST":
        try:
            created = recall.create_recall(
                request.user, data.get("reason", ""), params, data.get("include_shipped") == "on"
            )
        except recall.RecallRefused as exc:
            messages.error(request, str(exc))
        except genealogy.TraceError as exc:
            context["error"] = exc
        else:
            messages.success(request, _("Recall #%(id)d saved as a draft.") % {"id": created.pk})
            return redirect("trace:recall_detail", pk=created.pk)
    if params and context["error"] is None:
        try:
            context["scope"] = _visible_scope(request, params)
            context["view"] = _scope_view(context["scope"])
        except genealogy.TraceError as exc:
            context["error"] = exc
    context["query"] = urlencode(params)
    return render(request, "trace/recall.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def recall_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A recall order with its scope now; its enterprise executes it here."""
    order = get_object_or_404(visible_recalls(request.user), pk=pk)
    if request.method == "POST":
        try:
            done = recall.execute_recall(order, request.user)
        except recall.RecallRefused as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("Recall #%(id)d executed: %(count)d items marked recalled.")
                % {"id": done.pk, "count": done.marked_count},
            )
        return redirect("trace:recall_detail", pk=order.pk)
    executes = (
        services.capturing_enterprise(request.user) == order.enterprise
        and order.state == RecallState.DRAFT
    )
    found = recall.recall_scope(order)
    context = {
        "recall": order,
        "scope": found,
        "view": _scope_view(found),
        "can_execute": executes,
        "criteria_query": urlencode(order.criteria),
    }
    return render(request, "trace/recall_detail.html", context)


@login_required
def recall_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A recall order's report as a file."""
    if fmt not in REPORT_TYPES:
        raise Http404
    order: Recall = get_object_or_404(visible_recalls(request.user), pk=pk)
    return report_response(recall.recall_scope(order), order, fmt, f"recall-{order.pk}")


@login_required
def recall_scope_report(request: HttpRequest, fmt: str) -> HttpResponse:
    """The report of a scope not saved as a recall (what zone staff can download)."""
    if fmt not in REPORT_TYPES:
        raise Http404
    try:
        found = _visible_scope(request, _criteria_params(request.GET))
    except genealogy.TraceError as exc:
        return HttpResponse(f"{exc.field}: {exc.reason}", status=400, content_type="text/plain")
    return report_response(found, None, fmt, "recall-scope")
