"""Forward and backward trace over the genealogy edge table (a ParkBrain extension: EPCIS 2.0
has no genealogy query, see ../shared/reference/epcis.md).

A walk is breadth-first from one identifier (or several, for a recall). Its edges are fetched
ahead with their removals by a recursive query (``_prefetch``), or, when that would hold too
many, level by level: the edges whose near end is any identifier of the level, and the
removals of the containment edges among them. Each node then gets the events that name it,
and each edge its event's ID (``_add_events``, ``_name_edge_events``).

A walk follows material in time: a child is inside its case only from its ADD to its DELETE,
and a transformation passes on what its input held at that moment, so unpacking before a
re-pack cuts the link. The depth limit (at most ``DEPTH_MAX`` hops) marks the answer
truncated when edges go further. Backward follows outputs to their inputs and parents to
their children; forward the other way. Edges of DELETE events are not walked; an aggregation
edge shows when its child left the parent (``removed_at``).

Tenancy is not decided here: the caller passes the edges and events the principal may see.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from parkbrain.core.db import lookup_plans

from . import identifiers
from .choices import Action, EdgeKind
from .models import Event, EventIdentifier, GenealogyEdge, public_id

DEPTH_DEFAULT = 10
DEPTH_MAX = 50
#: Most edges one walk returns; beyond it the answer is cut and marked truncated.
EDGE_LIMIT = 5000
#: Most edges fetched ahead for one walk (see ``_prefetch``).
PREFETCH_LIMIT = 4 * EDGE_LIMIT
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
    "event",
)


class TraceError(ValueError):
    """A start identifier, depth or time the walk cannot use; names the parameter."""

    def __init__(self, field_name: str, value: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.value = value
        self.reason = reason

    def problem(self) -> dict[str, Any]:
        """As the APIs list a problem (index, field, value, reason)."""
        return {
            "index": None,
            "field": self.field,
            "value": self.value[:200],
            "reason": self.reason,
        }


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
    #: The stating event's declared eventID, else its Event Hash ID.
    event_id: str
    depth: int
    removed_at: datetime | None = None
    event_pk: int = field(default=0, repr=False, compare=False)


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


def once_each(
    edges: QuerySet[GenealogyEdge], events: QuerySet[Event]
) -> tuple[QuerySet[GenealogyEdge], QuerySet[Event]]:
    """`edges` and `events` with each event once where they hold several enterprises' copies
    of it (the same Event Hash ID; each enterprise that captured it keeps its own): the copy
    stored first stands for the others. Walked twice, a copied event would double the edges
    and the made quantities, and so halve what each lot holds of a start.

    A later copy's edge goes only where the first states the same one: a copy declared wrong
    states none, and the other enterprises' copies still link."""
    earlier_edge = edges.filter(
        kind=OuterRef("kind"),
        action=OuterRef("action"),
        from_uri=OuterRef("from_uri"),
        to_uri=OuterRef("to_uri"),
        event_time=OuterRef("event_time"),
        event__hash_id=OuterRef("event__hash_id"),
        event_id__lt=OuterRef("event_id"),
    )
    earlier_event = events.filter(hash_id=OuterRef("hash_id"), id__lt=OuterRef("id"))
    return edges.exclude(Exists(earlier_edge)), events.exclude(Exists(earlier_event))


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
        edges.filter(**{f"{near}__any_of": frontier})
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
    with lookup_plans():
        return _walk(starts, direction, edges, events, depth, since, until)


def _walk(
    starts: list[str],
    direction: str,
    edges: QuerySet[GenealogyEdge],
    events: QuerySet[Event] | None,
    depth: int,
    since: datetime | None,
    until: datetime | None,
) -> Trace:
    walked = _window(edges, since, until)
    far = "from_uri" if direction == BACKWARD else "to_uri"
    nodes = {uri: Node(uri, 0) for uri in starts}
    windows: dict[str, list[Interval]] = {uri: list(ALWAYS) for uri in starts}
    found: list[Edge] = []
    seen: set[int] = set()
    frontier = list(nodes)
    truncated = False
    prefetched = _prefetch(walked, edges, direction, starts, depth)
    for level in range(1, depth + 1):
        if prefetched is None:
            rows = list(level_edges(walked, direction, frontier).values(*_EDGE_FIELDS))
        else:
            rows = sorted(
                (row for uri in frontier for row in prefetched.get(uri, ())), key=_in_time
            )
        if len(found) + len(rows) > EDGE_LIMIT:
            rows = rows[: EDGE_LIMIT - len(found)]
            truncated = True
        level_found = [_edge(row, level) for row in rows]
        if prefetched is None:
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
            known = windows.get(uri)
            widened = reach if known is None else _union(known, reach)  # reach is merged
            if widened != known:
                windows[uri] = widened
                grown[uri] = None
        frontier = list(grown)
        if not frontier or truncated:
            break
    else:
        truncated = level_edges(walked, direction, frontier).exists()
    named = {} if events is None else _add_events(_window(events, since, until), nodes)
    _name_edge_events(found, named)
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


def _in_time(row: dict[str, Any]) -> tuple[datetime, int]:
    return row["event_time"], row["id"]


def _prefetch(
    walked: QuerySet[GenealogyEdge],
    edges: QuerySet[GenealogyEdge],
    direction: str,
    starts: list[str],
    depth: int,
) -> dict[str, list[dict[str, Any]]] | None:
    """Every walkable edge within `depth` hops of `starts`, by its near end, with its removal
    time: two queries for the whole walk instead of two per level.

    The hops are followed in the database by a recursive query that ignores time windows, so
    this is a superset of what the walk takes; the walk then applies the windows level by
    level as it would to each level's query. None when the superset is too large to be worth
    holding (a reusable container's whole history): the walk then queries level by level.
    """
    near = "to_uri" if direction == BACKWARD else "from_uri"
    reach = _reach(walked, direction, starts, depth)
    if reach is None:
        return None
    rows = list(
        walked.exclude(action=Action.DELETE)
        .filter(**{f"{near}__in": reach})
        .order_by()
        .values(*_EDGE_FIELDS)[: PREFETCH_LIMIT + 1]
    )
    if len(rows) > PREFETCH_LIMIT:
        return None
    contained = [row for row in rows if row["kind"] != EdgeKind.TRANSFORMATION]
    removals = _removals(edges, {row["to_uri"] for row in contained})
    by_near: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["kind"] != EdgeKind.TRANSFORMATION:
            added = row["event_time"]
            row["removed_at"] = _removed_at(row["from_uri"], row["to_uri"], added, removals)
        by_near.setdefault(row[near], []).append(row)
    return by_near


def _reach(
    walked: QuerySet[GenealogyEdge], direction: str, starts: list[str], depth: int
) -> RawSQL | None:
    """A recursive query for the identifiers within `depth` - 1 hops of `starts` over the
    walkable edges of `walked` (the caller's visible edges), or None when none are visible.

    Each hop keeps to `walked` by an EXISTS on its own SQL, correlated by id, so the
    database probes one edge at a time rather than listing every visible edge first.

    SQLite guesses a million rows in the queue of a recursive query; once ANALYZE has counted
    fewer edges than that, it builds a Bloom filter over the whole edge table for every walk
    (a scan: 30 ms at 300,000 events). ``likelihood`` tells it the queue is short.
    """
    near, far = ("to_uri", "from_uri") if direction == BACKWARD else ("from_uri", "to_uri")
    visible = walked.exclude(action=Action.DELETE).order_by().values("id")
    try:
        visible_sql, visible_params = visible.query.sql_with_params()
    except EmptyResultSet:
        return None
    connection = connections[walked.db]
    quote = connection.ops.quote_name
    table = quote(GenealogyEdge._meta.db_table)
    seeds = ", ".join(["(CAST(%s AS TEXT), 0)"] * len(starts))
    shallow = "reach.depth < %s"
    if connection.vendor == "sqlite":
        shallow = f"likelihood({shallow}, 0.000001)"
    sql = (
        f"WITH RECURSIVE reach(uri, depth) AS (VALUES {seeds} UNION "
        f"SELECT CAST(hop.{quote(far)} AS TEXT), reach.depth + 1 "
        f"FROM reach JOIN {table} hop ON hop.{quote(near)} = reach.uri "
        f"WHERE {shallow} AND hop.{quote(far)} <> '' "
        f"AND EXISTS ({visible_sql} AND {table}.{quote('id')} = hop.{quote('id')})) "
        "SELECT uri FROM reach"
    )
    return RawSQL(sql, (*starts, depth - 1, *visible_params))


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
        event_id="",
        depth=level,
        removed_at=row.get("removed_at"),
        event_pk=row["event"],
    )


def _add_removal_times(edges: QuerySet[GenealogyEdge], found: list[Edge]) -> None:
    """Set ``removed_at`` on each containment edge (see ``_removed_at``; one query)."""
    contained = [e for e in found if e.kind != EdgeKind.TRANSFORMATION]
    if not contained:
        return
    removals = _removals(edges, {e.to_uri for e in contained})
    for edge in contained:
        edge.removed_at = _removed_at(edge.from_uri, edge.to_uri, edge.event_time, removals)


Removals = dict[str, list[tuple[str, datetime]]]


def _removals(edges: QuerySet[GenealogyEdge], parents: set[str]) -> Removals:
    """Each parent's DELETEs among the edges the caller may see, oldest first: (child, when),
    the child empty when every child was taken out. Looked up outside any time window: a
    child taken out after it still left."""
    if not parents:
        return {}
    deletes = edges.filter(action=Action.DELETE, to_uri__any_of=parents)
    removals: Removals = {}
    for child, parent, moment in deletes.order_by("event_time", "id").values_list(
        "from_uri", "to_uri", "event_time"
    ):
        removals.setdefault(parent, []).append((child, moment))
    return removals


def _removed_at(child: str, parent: str, added: datetime, removals: Removals) -> datetime | None:
    """When `child`, put into `parent` at `added`, was first taken out again (None: never)."""
    return next(
        (
            moment
            for removed, moment in removals.get(parent, ())
            if removed in ("", child) and moment >= added
        ),
        None,
    )


_NODE_EVENT_FIELDS = (
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


def node_events(events: QuerySet[Event], uris: list[str]) -> QuerySet[EventIdentifier]:
    """Each naming of any of `uris` by an event of `events`, oldest event first, as rows of
    ``_NODE_EVENT_FIELDS``.

    The identifiers drive the query and each event is checked against `events` by an EXISTS
    probed by primary key. Joined or matched as a subquery, SQLite without statistics (a
    database filled by capture alone) would walk every event the caller may see in time order
    and look up its identifiers."""
    visible = events.filter(pk=OuterRef("event_id")).order_by()
    return (
        EventIdentifier.objects.filter(uri__any_of=uris)
        .filter(Exists(visible))
        .order_by("event__event_time", "event_id")
        .values_list(*_NODE_EVENT_FIELDS)
    )


def named_nodes(uris: list[str], events: QuerySet[Event]) -> list[Node]:
    """Nodes of `uris` (not walked) with the events of `events` that name them."""
    nodes = {uri: Node(uri, 0) for uri in uris}
    _add_events(events, nodes)
    return list(nodes.values())


def _add_events(events: QuerySet[Event], nodes: dict[str, Node]) -> dict[int, str]:
    """Attach to each node the events that name it (one query); answer each attached event's
    public ID (declared eventID, else Event Hash ID) by primary key."""
    named: dict[int, str] = {}
    for (
        uri,
        role,
        pk,
        event_id,
        hash_id,
        kind,
        action,
        moment,
        step,
        point,
        location,
    ) in node_events(events, list(nodes)):
        public = named.setdefault(pk, public_id(event_id, hash_id))
        nodes[uri].events.append(
            {
                "event_id": public,
                "event_type": kind,
                "action": action,
                "role": role,
                "event_time": moment,
                "biz_step": step,
                "read_point": point,
                "biz_location": location,
            }
        )
    return named


def _name_edge_events(found: list[Edge], named: dict[int, str]) -> None:
    """Give each edge its event's public ID: from the node events when they were attached
    (an edge's event names its output or parent), else looked up (one query).

    Edges are walked without joining their events: at 10 M events that join read a page of
    the event table per edge, and the node events read the same rows again."""
    missing = {edge.event_pk for edge in found} - named.keys()
    if missing:
        rows = Event.objects.filter(pk__in=missing).values_list("pk", "event_id", "hash_id")
        named.update((pk, public_id(event_id, hash_id)) for pk, event_id, hash_id in rows)
    for edge in found:
        edge.event_id = named[edge.event_pk]
