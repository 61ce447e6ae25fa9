"""The genealogy page: an identifier's graph backward to what went into it or forward to what
came out of it, drawn with ECharts; a click on a node traces from there. The recall pages: a
suspect lot's (machine's, inspection's) scope, the recall orders and their execution."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import finder, genealogy, graph, notices, recall, services
from .api_recall import REPORT_TYPES, report_response, visible_recalls
from .models import Recall, RecallState
from .products import gtin_of, names_by_gtin
from .recall_report import amounts, criteria_words
from .visible import sources_of, walked_by
from .words import disposition_name, step_name

CONTAINERS_SHOWN = 3
STARTS_SHOWN = 20
#: Rows of a recall's affected items (and of its stock) per page.
ROWS_PER_PAGE = 50
#: Table rows of a trace per page.
NODES_PER_PAGE = 100


def _short(uri: str) -> str:
    """The readable tail of an identifier: the part after the scheme's last colon."""
    return uri.rsplit(":", 1)[-1] if uri.startswith("urn:") else uri.rsplit("/", 2)[-1]


def _step(uri: str) -> str:
    return step_name(graph.step_word(uri))


@login_required
def genealogy_page(request: HttpRequest) -> HttpResponse:
    """Find a lot (by number, product, work order, machine, place, day or identifier) and
    draw its trace; when the text names several lots, list them to choose from."""
    raw = request.GET.get("epc", "").strip()
    direction = request.GET.get("direction", genealogy.BACKWARD)
    if direction not in (genealogy.BACKWARD, genealogy.FORWARD):
        direction = genealogy.BACKWARD
    sources = sources_of(request.user)
    context: dict = {
        "epc": raw,
        "direction": direction,
        "error": "",
        "trace": None,
        "choices": None,
        "placeholder": finder.example(sources),
    }
    if raw:
        try:
            found = finder.find(raw, sources)
            depth = genealogy.checked_depth(request.GET.get("depth"))
        except genealogy.TraceError as exc:
            context["error"] = exc.reason
        else:
            if len(found.uris) == 1:
                walked = walked_by(request.user)
                trace = genealogy.walk(
                    found.uris[0], direction, walked.edges, walked.events, depth=depth
                )
                views = graph.nodes(trace.nodes, sources, trace)
                context["trace"] = trace
                context["graph"] = graph.graph(trace, views)
                context["rows"] = Paginator(views, NODES_PER_PAGE).get_page(request.GET.get("page"))
                context["titles"] = graph.column_titles(views)
            elif found.uris:
                context["found"] = found
                context["choices"] = _choices(found, sources)
            else:
                context["error"] = _(
                    "No lot, work order, product, machine or place of yours is called “%(text)s”."
                ) % {"text": raw}
    context["trace_url"] = reverse("trace:genealogy")
    context["recall_url"] = reverse("trace:recall")
    return render(request, "trace/genealogy.html", context)


@login_required
def suggest(request: HttpRequest) -> JsonResponse:
    """What the typed start of a lot number, work order, machine, place or product may be,
    from the caller's own data only."""
    text = request.GET.get("q", "")[:100]
    return JsonResponse(
        {"suggestions": finder.suggest(text, sources_of(request.user))},
        json_dumps_params={"ensure_ascii": False},
    )


def _choices(found: finder.Found, sources: finder.Sources) -> list[graph.NodeView]:
    """The lots a text names, each with its product, step, day and machine to tell them apart."""
    views = graph.nodes(genealogy.named_nodes(found.uris, sources.events), sources)
    by_uri = {view.uri: view for view in views}
    return [by_uri[uri] for uri in found.uris]


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


def _item_row(item: recall.Item, found: recall.Scope, products: dict[str, str]) -> dict:
    return {
        "item": item,
        "label": _label(item.uri),
        "product": products.get(gtin_of(item.uri), ""),
        "step": _step(item.last_step),
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


def _scope_view(found: recall.Scope, request: HttpRequest) -> dict:
    """The scope's tables with short labels for the page (full identifiers in titles), the
    affected items and the stock a page of ``ROWS_PER_PAGE`` at a time."""
    items = Paginator(found.items, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    stock = Paginator(found.in_stock, ROWS_PER_PAGE).get_page(request.GET.get("stock_page"))
    customers = [
        {
            "customer": c,
            "label": found.name(c.party) or _label(c.party) if c.party else "",
            "unnamed": bool(c.party) and not found.name(c.party),
            "carried": amounts(c.carried),
            "transactions": [_transaction(t) for t in c.transactions[:CONTAINERS_SHOWN]],
            "more_transactions": c.transactions[CONTAINERS_SHOWN:],
        }
        for c in found.customers
    ]
    holders = {i.holder for i in found.items if i.holder}
    gtins = {gtin_of(i.uri) for i in [*items, *stock]}
    products = names_by_gtin(sources_of(request.user).products, gtins)
    kept = request.GET.copy()
    for name in ("page", "stock_page"):
        kept.pop(name, None)
    return {
        "items": [_item_row(item, found, products) for item in items],
        "items_page": items,
        "customers": customers,
        "stock": [_item_row(item, found, products) for item in stock],
        "stock_page": stock,
        "holders": len(holders) > 1,
        "query": kept.urlencode(),
        # A machine's month may start from a thousand lots: the first few, a count (the report
        # lists them all).
        "starts": found.starts[:STARTS_SHOWN],
        "more_starts": len(found.starts[STARTS_SHOWN:]),
    }


def _visible_scope(request: HttpRequest, params: dict[str, str]) -> recall.Scope:
    sources = sources_of(request.user)
    walked = walked_by(request.user)
    return recall.requested_scope(
        params, walked.edges, walked.events, walked.places, sources.products
    )


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
        "placeholder": finder.example(sources_of(request.user)),
        "machine_placeholder": finder.machine_example(sources_of(request.user)),
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
            context["view"] = _scope_view(context["scope"], request)
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
    marked = recall.marking_targets(found, order.include_shipped)
    context = {
        "recall": order,
        "scope": found,
        "view": _scope_view(found, request),
        "can_execute": executes,
        "criteria": criteria_words(found),
        "criteria_query": urlencode(order.criteria),
        "will_mark": len(marked),
        "will_mark_stock": sum(1 for i in marked if i.status == recall.IN_STOCK),
        "will_mark_shipped": sum(1 for i in marked if i.status == recall.SHIPPED),
    }
    return render(request, "trace/recall_detail.html", context)


@login_required
def recall_notices(request: HttpRequest) -> HttpResponse:
    """Recalls by the caller's suppliers of goods it received: only the items shipped to it."""
    enterprise = services.capturing_enterprise(request.user)
    rows = [
        {
            "notice": notice,
            "items": [(uri, finder.lot_number(uri)) for uri in notice.items[:STARTS_SHOWN]],
            "more": len(notice.items[STARTS_SHOWN:]),
            "quantity": amounts(notice.quantities),
        }
        for notice in notices.notices_for(enterprise)
    ]
    return render(request, "trace/recall_notices.html", {"rows": rows})


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
