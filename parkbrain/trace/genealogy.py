"""Forward and backward trace over the genealogy edge table (a ParkBrain extension: EPCIS 2.0
has no genealogy query, see ../shared/reference/epcis.md).

A walk is breadth-first from one identifier with one query per depth level: the edges whose
near end is any identifier of the current level. A visited set keeps cycles (rework fed back as
input) from looping, and the depth limit (at most ``DEPTH_MAX`` hops) marks the answer truncated
when edges go further. Backward follows outputs to their inputs and parents to their children;
forward the other way. Edges of DELETE events are not walked; an aggregation edge shows when its
child left the parent (``removed_at``), found with one more query.

Tenancy is not decided here: the caller passes the edges and events the principal may see.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from . import identifiers
from .choices import Action, EdgeKind
from .models import Event, EventIdentifier, GenealogyEdge

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


def walk(
    start: str,
    direction: str,
    edges: QuerySet[GenealogyEdge],
    events: QuerySet[Event],
    depth: int = DEPTH_DEFAULT,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Trace:
    """Walk from the canonical identifier `start` over `edges` (already restricted to what the
    caller may see), at most `depth` hops, within [since, until) of event time when given;
    each node carries the events of `events` (also restricted) that name it."""
    if direction not in (BACKWARD, FORWARD):
        raise ValueError(direction)
    depth = max(1, min(depth, DEPTH_MAX))
    edges = _window(edges, since, until)
    far = "from_uri" if direction == BACKWARD else "to_uri"
    nodes = {start: Node(start, 0)}
    found: list[Edge] = []
    frontier = [start]
    truncated = False
    for level in range(1, depth + 1):
        rows = list(level_edges(edges, direction, frontier).values(*_EDGE_FIELDS))
        if len(found) + len(rows) > EDGE_LIMIT:
            rows = rows[: EDGE_LIMIT - len(found)]
            truncated = True
        frontier = []
        for row in rows:
            found.append(_edge(row, level))
            uri = row[far]
            if uri and uri not in nodes:
                nodes[uri] = Node(uri, level)
                frontier.append(uri)
        if not frontier or truncated:
            break
    else:
        truncated = level_edges(edges, direction, frontier).exists()
    _add_removal_times(edges, found)
    _add_events(_window(events, since, until), nodes)
    return Trace(start, direction, depth, list(nodes.values()), found, truncated)


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
    every child) from that parent, among the edges the caller may see."""
    contained = [e for e in found if e.kind != EdgeKind.TRANSFORMATION]
    if not contained:
        return
    deletes = edges.filter(action=Action.DELETE, to_uri__in={e.to_uri for e in contained})
    removals = list(deletes.order_by("event_time").values_list("from_uri", "to_uri", "event_time"))
    for edge in contained:
        edge.removed_at = next(
            (
                moment
                for child, parent, moment in removals
                if parent == edge.to_uri
                and child in ("", edge.from_uri)
                and moment >= edge.event_time
            ),
            None,
        )


def _add_events(events: QuerySet[Event], nodes: dict[str, Node]) -> None:
    """Attach to each node the visible events that name it in any role (one query)."""
    rows = (
        EventIdentifier.objects.filter(uri__in=list(nodes), event__in=events)
        .order_by("event__event_time", "event_id")
        .values(
            "uri",
            "role",
            "event_id",
            "event__event_id",
            "event__hash_id",
            "event__event_type",
            "event__action",
            "event__event_time",
            "event__biz_step",
            "event__read_point",
            "event__biz_location",
        )
    )
    for row in rows:
        nodes[row["uri"]].events.append(
            {
                "event_id": row["event__event_id"] or row["event__hash_id"],
                "event_type": row["event__event_type"],
                "action": row["event__action"],
                "role": row["role"],
                "event_time": row["event__event_time"],
                "biz_step": row["event__biz_step"],
                "read_point": row["event__read_point"],
                "biz_location": row["event__biz_location"],
            }
        )
