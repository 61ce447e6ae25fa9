"""A trace as people read it: each node by its lot number and product name, the step, day,
machine and place of the event that made it, its quantity in words; laid out in columns by
process step (a node stands one column right of everything it came from), for the page's
graph and its table."""

import graphlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parkbrain.core.units import amount_text

from . import genealogy
from .choices import Action, EdgeKind, IdentifierRole
from .finder import Sources, lot_number
from .models import EventIdentifier
from .products import gtin_of, names_by_gtin
from .words import step_name

CBV_BIZ_STEP = "https://ref.gs1.org/cbv/BizStep-"
#: A node with more successors than this shows ``FANOUT_SHOWN`` of them and a "+N" group.
FANOUT_MAX = 6
FANOUT_SHOWN = 5
KIND_WORDS = {
    "urn:epc:class:lgtin:": _("Lot"),
    "urn:epc:id:sgtin:": _("Serial"),
    "urn:epc:id:sscc:": _("Case or pallet"),
}
_MAKING_ROLES = (IdentifierRole.OUTPUT, IdentifierRole.OUTPUT_QUANTITY, IdentifierRole.PARENT)


def step_word(uri: str) -> str:
    """A business step by its word: CBV's (packing) or the last part of a plant's own URI."""
    if uri.startswith(CBV_BIZ_STEP):
        return uri.removeprefix(CBV_BIZ_STEP)
    return uri.rstrip("/").rsplit("/", 1)[-1] if uri.startswith("http") else uri


def kind_word(uri: str) -> str:
    return next((str(word) for start, word in KIND_WORDS.items() if uri.startswith(start)), "")


@dataclass
class NodeView:
    uri: str
    lot: str
    kind: str
    product: str
    step: str
    made_at: datetime | None
    machine: str
    place: str
    quantity: str
    depth: int
    column: int = 0

    def as_dict(self) -> dict[str, Any]:
        made = timezone.localtime(self.made_at).strftime("%Y-%m-%d") if self.made_at else ""
        return {
            "name": self.uri,
            "lot": self.lot,
            "kind": self.kind,
            "product": self.product,
            "step": self.step,
            "date": made,
            "machine": self.machine,
            "place": self.place,
            "quantity": self.quantity,
            "depth": self.depth,
            "column": self.column,
        }


def _making_event(node: genealogy.Node) -> dict[str, Any] | None:
    """The event that made the node (an output, a packed parent, an ADD), else its first."""
    made = [e for e in node.events if e["role"] in _MAKING_ROLES or e["action"] == Action.ADD]
    return (made or node.events or [None])[0]


def _arrived(found: list[genealogy.Node], sources: Sources) -> dict[str, str]:
    """What ADD events (receipts of raw material) stated of the lots that have one, in words;
    one query, for the few lots that arrived rather than were made."""
    lots = [n.uri for n in found if any(e["action"] == Action.ADD for e in n.events)]
    if not lots:
        return {}
    visible = sources.events.filter(pk=OuterRef("event_id"), action=Action.ADD).order_by()
    rows = (
        EventIdentifier.objects.filter(uri__in=lots, role=IdentifierRole.QUANTITY)
        .filter(Exists(visible))
        .exclude(quantity=None)
        .order_by("event__event_time", "id")
        .values_list("uri", "quantity", "uom")
    )
    stated: dict[str, str] = {}
    for uri, quantity, uom in rows:
        stated.setdefault(uri, amount_text(quantity, uom))
    return stated


def _quantities(trace: genealogy.Trace) -> dict[str, str]:
    """What each lot's making transformations stated of it, in words (one unit only)."""
    per_event: dict[str, dict[int, tuple[Decimal | None, str]]] = defaultdict(dict)
    for edge in trace.edges:
        if edge.kind == EdgeKind.TRANSFORMATION:
            per_event[edge.to_uri][edge.event_pk] = (edge.to_quantity, edge.to_uom)
    shown: dict[str, str] = {}
    for uri, stated in per_event.items():
        units = {unit for _q, unit in stated.values()}
        if len(units) == 1 and all(q is not None for q, _u in stated.values()):
            shown[uri] = amount_text(sum(q for q, _u in stated.values()), units.pop())
    return shown


def nodes(
    found: list[genealogy.Node], sources: Sources, trace: genealogy.Trace | None = None
) -> list[NodeView]:
    """The nodes (of `trace`, if given: with its quantities and columns), readable, in
    column order, then by lot number."""
    making = {node.uri: _making_event(node) for node in found}
    last = {node.uri: (node.events[-1] if node.events else None) for node in found}
    places: set[str] = set()
    for event in [*making.values(), *last.values()]:
        if event:
            places |= {event["read_point"], event["biz_location"]}
    names: dict[str, str] = {}
    rows = sources.places.filter(uri__in=places - {""}).exclude(name="").order_by("id")
    for uri, name in rows.values_list("uri", "name"):
        names.setdefault(uri, name)
    products = names_by_gtin(sources.products, {gtin_of(n.uri) for n in found})
    quantities = _quantities(trace) if trace else {}
    arrived = _arrived(found, sources)
    columns = _columns(trace) if trace else {}
    views = []
    for node in found:
        made, now = making[node.uri], last[node.uri]
        place = (now or {}).get("biz_location", "")
        views.append(
            NodeView(
                uri=node.uri,
                lot=lot_number(node.uri),
                kind=kind_word(node.uri),
                product=products.get(gtin_of(node.uri), ""),
                step=step_name(step_word(made["biz_step"])) if made and made["biz_step"] else "",
                made_at=made["event_time"] if made else None,
                machine=names.get(made["read_point"], "") if made else "",
                place=names.get(place, ""),
                quantity=quantities.get(node.uri) or arrived.get(node.uri, ""),
                depth=node.depth,
                column=columns.get(node.uri, 0),
            )
        )
    return sorted(views, key=lambda v: (v.column, v.lot, v.uri))


def drawn_edges(trace: genealogy.Trace) -> list[tuple[str, str, genealogy.Edge]]:
    """(source, target, edge) as drawn: from the start outwards."""
    return [
        (e.from_uri, e.to_uri, e)
        if trace.direction == genealogy.FORWARD
        else (e.to_uri, e.from_uri, e)
        for e in trace.edges
        if e.from_uri
    ]


def _columns(trace: genealogy.Trace) -> dict[str, int]:
    """Each node one column right of the furthest node it is drawn from (its process step);
    by depth where the links go round in a cycle."""
    before: dict[str, set[str]] = {node.uri: set() for node in trace.nodes}
    for source, target, _edge in drawn_edges(trace):
        if source in before and target in before and source != target:
            before[target].add(source)
    try:
        order = list(graphlib.TopologicalSorter(before).static_order())
    except graphlib.CycleError:
        return {node.uri: node.depth for node in trace.nodes}
    column: dict[str, int] = {}
    for uri in order:
        column[uri] = max((column[s] + 1 for s in before[uri]), default=0)
    return column


def column_titles(views: list[NodeView]) -> dict[int, str]:
    """Each column by the step most of its nodes were made in."""
    steps: dict[int, Counter] = defaultdict(Counter)
    for view in views:
        steps[view.column][view.step or "—"] += 1
    return {column: counted.most_common(1)[0][0] for column, counted in steps.items()}


def graph(trace: genealogy.Trace, views: list[NodeView]) -> dict[str, Any]:
    """What the page's script draws: nodes, edges with quantities in words, column titles;
    the script places the nodes and groups fan-outs (``FANOUT_MAX``)."""
    titles = column_titles(views)
    return {
        "starts": trace.starts,
        "fanoutMax": FANOUT_MAX,
        "fanoutShown": FANOUT_SHOWN,
        "columns": [{"column": c, "title": titles[c]} for c in sorted(titles)],
        "nodes": [view.as_dict() for view in views],
        "edges": [
            {
                "source": source,
                "target": target,
                "kind": edge.kind,
                "quantity": amount_text(edge.from_quantity, edge.from_uom),
            }
            for source, target, edge in drawn_edges(trace)
        ],
    }
