"""Forward and backward trace over the genealogy edge table (a ParkBrain extension: EPCIS 2.0
has no genealogy query, see ../shared/reference/epcis.md).

A walk is breadth-first from one identifier (or several, for a recall) with two queries per
depth level: the edges whose near end is any identifier of the current level, and the removals
of the containment edges among them. A walk follows material in time: a child is inside its
case only from its ADD to its DELETE, and a transformation passes on what its input held at
that moment, so unpacking before a re-pack cuts the link. The depth limit (at most
``DEPTH_MAX`` hops) marks the answer truncated when edges go further. Backward follows outputs
to their inputs and parents to their children; forward the other way. Edges of DELETE events
are not walked; an aggregation edge shows when its child left the parent (``removed_at``).

Tenancy is not decided here: the caller passes the edges and events the principal may see.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from . import identifiers
from .choices import Action, EdgeKind
from .models import Event, GenealogyEdge

DEPTH_DEFAULT = 10
DEPTH_MAX = 50
#: Most edges one walk returns; beyond it the answer is cut and marked truncated.
EDGE_LIMIT = 5000
BACKWARD = "backward"
FORWARD = "forward"

_EDGE_FIELDS = (
    "id",
    "kind",
    "action",
    "from_uri",
    "to_uri",
    "from_quantity",
    "from_uom",
    "to_quantity",
    "to_uom",
    "event_time",
    "event__event_id",
    "event__hash_id",
)


class TraceError(ValueError):
    """A start identifier, depth or time the walk cannot use; names the parameter."""

    def __init__(self, field_name: str, value: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.value = value
        self.reason = reason


@dataclass
class Node:
    uri: str
    depth: int
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def first_event_time(self) -> datetime | None:
        return min((e["event_time"] for e in self.events), default=None)

    @property
    def last_event_time(self) -> datetime | None:
        return max((e["event_time"] for e in self.events), default=None)


@dataclass
class Edge:
    """``from_uri`` (input or child) went into ``to_uri`` (output or parent)."""

    kind: str
    action: str
    from_uri: str
    to_uri: str
    from_quantity: Decimal | None
    from_uom: str
    to_quantity: Decimal | None
    to_uom: str
    event_time: datetime
    event_id: str
    depth: int
    removed_at: datetime | None = None


@dataclass
class Trace:
    start: str
    direction: str
    depth: int
    nodes: list[Node]
    edges: list[Edge]
    truncated: bool
    #: Every identifier the walk started from (``start`` is the first).
    starts: list[str] = field(default_factory=list)


def start_identifier(raw: str) -> str:
    """The canonical form of a walk's start: an EPC URN, a class/lot URN, or a GS1 Digital
    Link (a GTIN with a lot is a class-level identifier). Patterns are refused."""
    value = (raw or "").strip()
    if not value:
        raise TraceError("epc", raw or "", _("give the identifier to trace from"))
    try:
        uri = identifiers.canonical(value)
    except identifiers.IdentifierError as exc:
        raise TraceError("epc", value, str(exc)) from exc
    if uri.startswith("urn:epc:idpat:"):
        raise TraceError(
            "epc", value, _("a pattern names many objects; give one EPC or one lot (class)")
        )
    if ":" not in uri or any(c.isspace() for c in uri):
        raise TraceError("epc", value, _("not an EPC URN, class URN or GS1 Digital Link"))
    return uri


def checked_depth(raw: str | int | None) -> int:
    if raw is None or raw == "":
        return DEPTH_DEFAULT
    text = str(raw).strip()
    if not text.isdigit() or not 1 <= int(text) <= DEPTH_MAX:
        reason = _("use a whole number from 1 to %(max)d") % {"max": DEPTH_MAX}
        raise TraceError("depth", text, reason)
    return int(text)


def _window(queryset: QuerySet, since: datetime | None, until: datetime | None) -> QuerySet:
    if since is not None:
        queryset = queryset.filter(event_time__gte=since)
    if until is not None:
        queryset = queryset.filter(event_time__lt=until)
    return queryset


def level_edges(
    edges: QuerySet[GenealogyEdge], direction: str, frontier: list[str]
) -> QuerySet[GenealogyEdge]:
    """The walkable edges touching one level of the walk, oldest first."""
    near = "to_uri" if direction == BACKWARD else "from_uri"
    return (
        edges.filter(**{f"{near}__in": frontier})
        .exclude(action=Action.DELETE)
        .order_by("event_time", "id")
    )


# -- time windows ---------------------------------------------------------------------------
# A window is a sorted list of disjoint closed intervals (None: unbounded) during which the
# material a walk follows can be in a node. A start is always (None, None). Closed ends keep
# a packing and the pallet's loading stated at the same instant linked.

Interval = tuple[datetime | None, datetime | None]
ALWAYS: list[Interval] = [(None, None)]


def _meet(a: Interval, b: Interval) -> Interval | None:
    lo = a[0] if b[0] is None else b[0] if a[0] is None else max(a[0], b[0])
    hi = a[1] if b[1] is None else b[1] if a[1] is None else min(a[1], b[1])
    return None if lo is not None and hi is not None and lo > hi else (lo, hi)


def overlap(window: list[Interval], interval: Interval) -> list[Interval]:
    """The parts of `window` inside `interval`."""
    return [m for w in window if (m := _meet(w, interval)) is not None]


def _union(window: list[Interval], more: list[Interval]) -> list[Interval]:
    """The window with `more` added, merged into disjoint sorted intervals."""
    earliest = datetime.min.replace(tzinfo=UTC)
    merged: list[Interval] = []
    for lo, hi in sorted(window + more, key=lambda w: w[0] or earliest):
        if merged and (merged[-1][1] is None or lo is None or lo <= merged[-1][1]):
            first, last = merged[-1]
            merged[-1] = (first, None if hi is None or last is None else max(hi, last))
        else:
            merged.append((lo, hi))
    return merged


def _far_window(edge: "Edge", direction: str, near: list[Interval]) -> list[Interval]:
    """When the followed material can be in the far end of `edge`, given when it can be in the
    near end; empty means the edge is not walked.

    Containment holds from the ADD to the removal: a child packed, unpacked and the case
    packed again later does not reach the later pallet, nor the pallet's later contents the
    child. A transformation passes material on at its time: forward only if the material was
    in the input then, and the output holds it from then on; backward only if the output was
    made before the time asked about, and the input held it until then.
    """
    moment = edge.event_time
    if edge.kind != EdgeKind.TRANSFORMATION:
        return overlap(near, (moment, edge.removed_at))
    if direction == FORWARD:
        return [(moment, None)] if overlap(near, (moment, moment)) else []
    return [(None, moment)] if overlap(near, (moment, None)) else []


# -- walks ----------------------------------------------------------------------------------


def walk(
    start: str,
    direction: str,
    edges: QuerySet[GenealogyEdge],
    events: QuerySet[Event] | None,
    depth: int = DEPTH_DEFAULT,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Trace:
    """Walk from the canonical identifier `start` over `edges` (already restricted to what the
    caller may see), at most `depth` hops, within [since, until) of event time when given;
    each node carries the events of `events` (also restricted; None: none) that name it."""
    return walk_from([start], direction, edges, events, depth=depth, since=since, until=until)


def walk_from(
    starts: list[str],
    direction: str,
    edges: QuerySet[GenealogyEdge],
    events: QuerySet[Event] | None,
    depth: int = DEPTH_DEFAULT,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Trace:
    """``walk`` from several identifiers at once (a recall's suspect lots), all at depth 0.

    Each level is two queries: the edges touching it, and the removals (DELETE aggregations)
    of the containment edges among them, so an edge is walked only while its child was inside
    (see ``_far_window``). A node reached again with a window it did not have yet is walked
    again from; windows only grow, so cycles end.
    """
    if direction not in (BACKWARD, FORWARD):
        raise ValueError(direction)
    if not starts:
        raise ValueError("no start")
    depth = max(1, min(depth, DEPTH_MAX))
    walked = _window(edges, since, until)
    far = "from_uri" if direction == BACKWARD else "to_uri"
    nodes = {uri: Node(uri, 0) for uri in starts}
    windows: dict[str, list[Interval]] = {uri: list(ALWAYS) for uri in starts}
    found: list[Edge] = []
    seen: set[int] = set()
    frontier = list(nodes)
    truncated = False
    for level in range(1, depth + 1):
        rows = list(level_edges(walked, direction, frontier).values(*_EDGE_FIELDS))
        if len(found) + len(rows) > EDGE_LIMIT:
            rows = rows[: EDGE_LIMIT - len(found)]
            truncated = True
        level_found = [_edge(row, level) for row in rows]
        _add_removal_times(edges, level_found)
        grown: dict[str, None] = {}
        for row, edge in zip(rows, level_found, strict=True):
            near_uri = edge.to_uri if direction == BACKWARD else edge.from_uri
            reach = _far_window(edge, direction, windows[near_uri])
            uri = row[far]
            if not reach or not uri:
                continue
            if row["id"] not in seen:
                seen.add(row["id"])
                found.append(edge)
            if uri not in nodes:
                nodes[uri] = Node(uri, level)
            widened = _union(windows.get(uri, []), reach)
            if widened != windows.get(uri):
                windows[uri] = widened
                grown[uri] = None
        frontier = list(grown)
        if not frontier or truncated:
            break
    else:
        truncated = level_edges(walked, direction, frontier).exists()
    if events is not None:
        _add_events(_window(events, since, until), nodes)
    return Trace(starts[0], direction, depth, list(nodes.values()), found, truncated, starts)


def backward(
    start: str, edges: QuerySet[GenealogyEdge], events: QuerySet[Event], **options: Any
) -> Trace:
    """What went into `start`: its inputs, children, their inputs... (see ``walk``)."""
    return walk(start, BACKWARD, edges, events, **options)


def forward(
    start: str, edges: QuerySet[GenealogyEdge], events: QuerySet[Event], **options: Any
) -> Trace:
    """What `start` went into: its outputs, parents, their outputs... (see ``walk``)."""
    return walk(start, FORWARD, edges, events, **options)


def _edge(row: dict[str, Any], level: int) -> Edge:
    return Edge(
        kind=row["kind"],
        action=row["action"],
        from_uri=row["from_uri"],
        to_uri=row["to_uri"],
        from_quantity=row["from_quantity"],
        from_uom=row["from_uom"],
        to_quantity=row["to_quantity"],
        to_uom=row["to_uom"],
        event_time=row["event_time"],
        event_id=row["event__event_id"] or row["event__hash_id"],
        depth=level,
    )


def _add_removal_times(edges: QuerySet[GenealogyEdge], found: list[Edge]) -> None:
    """Set ``removed_at`` on each containment edge: the first later DELETE of that child (or of
    every child) from that parent, among the edges the caller may see (one query). Removals
    are looked up outside any time window: a child taken out after it still left."""
    contained = [e for e in found if e.kind != EdgeKind.TRANSFORMATION]
    if not contained:
        return
    deletes = edges.filter(action=Action.DELETE, to_uri__in={e.to_uri for e in contained})
    removals: dict[str, list[tuple[str, datetime]]] = {}
    for child, parent, moment in deletes.order_by("event_time", "id").values_list(
        "from_uri", "to_uri", "event_time"
    ):
        removals.setdefault(parent, []).append((child, moment))
    for edge in contained:
        edge.removed_at = next(
            (
                moment
                for child, moment in removals.get(edge.to_uri, ())
                if child in ("", edge.from_uri) and moment >= edge.event_time
            ),
            None,
        )


def _add_events(events: QuerySet[Event], nodes: dict[str, Node]) -> None:
    """Attach to each node the visible events that name it in any role (one query).

    The identifiers are joined to ``events`` rather than matched against it as a subquery:
    SQLite would list every event the caller may see before looking at one identifier."""
    rows = (
        events.filter(identifiers__uri__in=list(nodes))
        .order_by("event_time", "id")
        .values(
            "identifiers__uri",
            "identifiers__role",
            "event_id",
            "hash_id",
            "event_type",
            "action",
            "event_time",
            "biz_step",
            "read_point",
            "biz_location",
        )
    )
    for row in rows:
        nodes[row["identifiers__uri"]].events.append(
            {
                "event_id": row["event_id"] or row["hash_id"],
                "event_type": row["event_type"],
                "action": row["action"],
                "role": row["identifiers__role"],
                "event_time": row["event_time"],
                "biz_step": row["biz_step"],
                "read_point": row["read_point"],
                "biz_location": row["biz_location"],
            }
        )
