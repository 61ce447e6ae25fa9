"""The genealogy page: an identifier's graph backward to what went into it or forward to what
came out of it, drawn with ECharts; a click on a node traces from there."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from parkbrain.registry import tenancy

from . import genealogy
from .models import Event, GenealogyEdge

CBV_BIZ_STEP = "https://ref.gs1.org/cbv/BizStep-"


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
            edges = tenancy.restrict(GenealogyEdge.objects.all(), request.user, via="enterprise")
            events = tenancy.restrict(Event.objects.all(), request.user, via="enterprise")
            trace = genealogy.walk(start, direction, edges, events, depth=depth)
            context["trace"] = trace
            context["graph"] = _graph(trace)
    return render(request, "trace/genealogy.html", context)


def _graph(trace: genealogy.Trace) -> dict:
    """Nodes placed in columns by depth (the start on the left), edges with their quantities,
    and for each node the page that traces from it."""
    page = reverse("trace:genealogy")
    columns: dict[int, int] = {}
    nodes = []
    for node in sorted(trace.nodes, key=lambda n: (n.depth, n.uri)):
        row = columns.get(node.depth, 0)
        columns[node.depth] = row + 1
        steps = sorted({_step(e["biz_step"]) for e in node.events if e["biz_step"]})
        nodes.append(
            {
                "name": node.uri,
                "label": _short(node.uri),
                "x": node.depth * 220,
                "y": row * 70,
                "depth": node.depth,
                "steps": steps,
                "link": page + "?" + urlencode({"epc": node.uri, "direction": trace.direction}),
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
