"""Recall scope (ParkBrain extension, item 12 of ../shared/reference/epcis.md): from a suspect
lot, what one machine made or saw in a time window, or non-conformant inspections, forward
through genealogy to the affected lots and serials; where each is now, which customer it was
shipped to, and what is still in stock to quarantine. Then the recall order's actions: create
it, and mark the enterprise's own stock recalled by capturing real EPCIS events.

Affected items are the end of the material flow the caller can see: every lot or serial the
walk reached by a transformation (or started from) that nothing further was made from, plus a
lot something was made from whose made (for a raw start lot: received) and used quantities,
both known in one unit, leave a remainder. Cases and pallets are not items; they carry items,
so an item's events include those of every container while it was inside (its containment
window).

The compute takes querysets already restricted by tenancy. Queries stay per level or per
batch, never per item: the walk (two per depth level), made quantities of the lots (and what
arrived of a raw start lot), and the events naming items and containers (two per batch of
``BATCH`` identifiers).
"""

import graphlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from parkbrain.core.db import lookup_plans
from parkbrain.registry.models import Enterprise
from parkbrain.registry.services import acting

from . import finder, genealogy, identifiers, services
from .choices import Action, EdgeKind, EventType, IdentifierRole
from .genealogy import TraceError
from .hashing import CBV
from .models import (
    CaptureJob,
    Event,
    EventBody,
    EventIdentifier,
    GenealogyEdge,
    Location,
    Product,
    Recall,
    RecallState,
    known_as,
)
from .schema import VOCABULARIES
from .validation import vocabulary_uri

START_IDENTIFIER = "identifier"
START_MACHINE = "machine"
START_INSPECTION = "inspection"
START_INSPECTIONS = "inspections"
STARTS = (START_IDENTIFIER, START_MACHINE, START_INSPECTION, START_INSPECTIONS)
#: Most suspect identifiers one scope starts from; a wider machine window must be narrowed.
MAX_STARTS = 2000
#: Identifiers per "where is it now" query.
BATCH = 500
REASON_MAX = 2000

IN_STOCK = "in_stock"
SHIPPED = "shipped"
RECALLED = "recalled"
GONE = "gone"
UNKNOWN = "unknown"
FINISHED = "finished"
REMAINDER = "remainder"

#: Dispositions after which an item is no longer anyone's stock.
GONE_DISPOSITIONS = frozenset({"destroyed", "disposed", "retail_sold", "dispensed", "stolen"})
NON_CONFORMANT = CBV + "Disp-non_conformant"
SHIPPING = CBV + "BizStep-shipping"
RECEIVING = CBV + "BizStep-receiving"
#: Whose party a destination names, most telling first.
_CUSTOMER_TYPES = ("owning_party", "possessing_party", "location")
_R = IdentifierRole
#: Roles in which an event at a machine made or saw an identifier (inputs were used up there).
_MADE_OR_SEEN = (_R.EPC, _R.QUANTITY, _R.OUTPUT, _R.OUTPUT_QUANTITY, _R.CHILD, _R.CHILD_QUANTITY)
_OBSERVED = (_R.EPC, _R.QUANTITY)
#: Marking events state China Standard Time, where the zone's plants are.
_RECALL_TIME_ZONE = "+08:00"
_RECALL_ZONE = dt_timezone(timedelta(hours=8))


# -- criteria -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criteria:
    """Where a recall starts; only the fields of its kind are set."""

    start: str
    epc: str = ""
    read_point: str = ""
    event: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def as_params(self) -> dict[str, str]:
        """The criteria as query parameters (stored on a recall, used in links)."""
        params = {"start": self.start}
        for name, value in (("epc", self.epc), ("readPoint", self.read_point)):
            if value:
                params[name] = value
        if self.event:
            params["event"] = self.event
        for name, moment in (("from", self.since), ("to", self.until)):
            if moment is not None:
                params[name] = moment.isoformat()
        return params


def _moment(params: Mapping[str, str], name: str) -> datetime:
    raw = (params.get(name) or "").strip()
    if not raw:
        raise TraceError(name, raw, _("give the start and end of the time window"))
    try:
        # A form's datetime-local has no offset: it is the zone's local time.
        moment = datetime.fromisoformat(raw.replace(" ", "+") if "T" in raw else raw)
    except ValueError as exc:
        raise TraceError(name, raw, _("not an ISO 8601 date and time")) from exc
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def parse_criteria(params: Mapping[str, str]) -> Criteria:
    """Criteria from query parameters: start (identifier, machine, inspection or inspections)
    with epc; readPoint, from, to; event; or from, to. Raises TraceError naming the field."""
    start = (params.get("start") or "").strip() or START_IDENTIFIER
    if start not in STARTS:
        raise TraceError("start", start, _("use one of %(starts)s") % {"starts": ", ".join(STARTS)})
    if start == START_IDENTIFIER:
        text = (params.get("epc") or "").strip()
        if finder.looks_like_identifier(text) or not text:
            return Criteria(start, epc=genealogy.start_identifier(text))
        # A lot number, product or machine name: ``known_lot`` finds the one it names.
        return Criteria(start, epc=text)
    if start == START_INSPECTION:
        event = (params.get("event") or "").strip()
        if not event or len(event) > 500:
            raise TraceError("event", event[:200], _("give the eventID or Event Hash ID"))
        return Criteria(start, event=event)
    since, until = _moment(params, "from"), _moment(params, "to")
    if since >= until:
        raise TraceError("to", params.get("to", ""), _("the end must be after the start"))
    if start == START_INSPECTIONS:
        return Criteria(start, since=since, until=until)
    raw = (params.get("readPoint") or "").strip()
    if not raw:
        raise TraceError("readPoint", raw, _("give the machine's read point URI"))
    try:
        read_point = identifiers.canonical(raw)
    except identifiers.IdentifierError as exc:
        raise TraceError("readPoint", raw, str(exc)) from exc
    return Criteria(start, read_point=read_point, since=since, until=until)


#: Most identifiers an ambiguous machine name lists in its error.
NAMESAKES_SHOWN = 5


def known_machine(
    criteria: Criteria, events: QuerySet[Event], places: QuerySet[Location]
) -> Criteria:
    """The criteria with a machine given by the name master data gives it (渗碳炉 F003) in
    the form events state it, its read point identifier. Raises TraceError when no visible
    location has that name and no visible event or location that identifier: a machine
    nothing knows would otherwise find nothing and look clean."""
    if criteria.start != START_MACHINE:
        return criteria
    given = criteria.read_point
    named = sorted(set(places.filter(name=given).values_list("uri", flat=True)))
    if len(named) > 1:
        reason = _("%(count)d machines have this name (%(uris)s); give the identifier") % {
            "count": len(named),
            "uris": ", ".join(named[:NAMESAKES_SHOWN]),
        }
        raise TraceError("readPoint", given, reason)
    if named:
        return replace(criteria, read_point=named[0])
    if events.filter(read_point=given).exists() or places.filter(uri=given).exists():
        return criteria
    reason = _("no such machine is known: none of your events or master data names it")
    raise TraceError("readPoint", given, reason)


def known_lot(criteria: Criteria, sources: finder.Sources) -> Criteria:
    """The criteria with a lot given without GS1 syntax (its number, product, work order,
    machine or place) as its identifier; TraceError when the text names none or several."""
    if criteria.start != START_IDENTIFIER or finder.looks_like_identifier(criteria.epc):
        return criteria
    return replace(criteria, epc=finder.find_one(criteria.epc, sources))


def known_start(
    criteria: Criteria,
    events: QuerySet[Event],
    places: QuerySet[Location],
    products: QuerySet[Product] | None = None,
) -> Criteria:
    """The criteria with a machine or a lot given as people name them (see ``known_machine``
    and ``known_lot``) in the form events state them."""
    products = Product.objects.none() if products is None else products
    criteria = known_machine(criteria, events, places)
    return known_lot(criteria, finder.Sources(events, places, products))


def start_identifiers(criteria: Criteria, events: QuerySet[Event]) -> list[str]:
    """The suspect identifiers the criteria name among the visible `events`, sorted."""
    if criteria.start == START_IDENTIFIER:
        return [criteria.epc]
    if criteria.start == START_INSPECTION:
        inspection = events.filter(known_as([criteria.event])).order_by("id").first()
        if inspection is None:
            raise TraceError("event", criteria.event, _("no such event that you may see"))
        if inspection.event_type != EventType.OBJECT or inspection.disposition != NON_CONFORMANT:
            reason = _("not an inspection: an ObjectEvent with disposition non_conformant")
            raise TraceError("event", criteria.event, reason)
        chosen = events.filter(pk=inspection.pk)
        roles = _OBSERVED
    else:
        chosen = events.filter(event_time__gte=criteria.since, event_time__lt=criteria.until)
        if criteria.start == START_MACHINE:
            chosen = chosen.filter(read_point=criteria.read_point)
            roles = _MADE_OR_SEEN
        else:
            chosen = chosen.filter(event_type=EventType.OBJECT, disposition=NON_CONFORMANT)
            roles = _OBSERVED
    uris = sorted(
        set(
            EventIdentifier.objects.filter(event__in=chosen, role__in=roles).values_list(
                "uri", flat=True
            )
        )
    )
    if len(uris) > MAX_STARTS:
        reason = _("%(count)d identifiers match; narrow the time window") % {"count": len(uris)}
        raise TraceError("from", criteria.as_params().get("from", ""), reason)
    return uris


# -- the scope ------------------------------------------------------------------------------


@dataclass
class Item:
    """An affected lot or serial, where it is now and where it went."""

    uri: str
    kind: str
    depth: int
    #: How much of the suspect material it holds, per unit (empty: not known).
    carried: dict[str, Decimal] = field(default_factory=dict)
    remaining: Decimal | None = None
    remaining_uom: str = ""
    containers: list[str] = field(default_factory=list)
    status: str = UNKNOWN
    last_time: datetime | None = None
    last_step: str = ""
    location: str = ""
    disposition: str = ""
    persistent: list[str] = field(default_factory=list)
    holder_id: int | None = None
    holder: str = ""
    shipped: bool = False
    shipped_at: datetime | None = None
    customer: str = ""
    transactions: list[str] = field(default_factory=list)
    quantity: Decimal | None = None
    uom: str = ""

    @property
    def is_class(self) -> bool:
        return _is_class(self.uri)


@dataclass
class Customer:
    """A party affected items were shipped to, with what it got."""

    party: str
    items: list[str] = field(default_factory=list)
    quantities: dict[str, Decimal] = field(default_factory=dict)
    carried: dict[str, Decimal] = field(default_factory=dict)
    transactions: list[str] = field(default_factory=list)


@dataclass
class Scope:
    criteria: Criteria
    starts: list[str]
    items: list[Item]
    customers: list[Customer]
    truncated: bool
    node_count: int
    edge_count: int
    #: Names the master data gives the parties and locations named above (identifier -> name).
    names: dict[str, str] = field(default_factory=dict)

    def name(self, uri: str) -> str:
        return self.names.get(uri, "")

    @property
    def shipped(self) -> list[Item]:
        return [i for i in self.items if i.shipped]

    @property
    def in_stock(self) -> list[Item]:
        return [i for i in self.items if i.status == IN_STOCK]

    def counts(self) -> dict[str, int]:
        by_status = defaultdict(int)
        for item in self.items:
            by_status[item.status] += 1
        return {
            "affected": len(self.items),
            "finished": sum(1 for i in self.items if i.kind == FINISHED),
            "remainder": sum(1 for i in self.items if i.kind == REMAINDER),
            "shipped": len(self.shipped),
            "customers": len(self.customers),
            "inStock": by_status[IN_STOCK],
            "recalled": by_status[RECALLED],
            "gone": by_status[GONE],
            "unknown": by_status[UNKNOWN],
        }


def scope(
    criteria: Criteria,
    edges: QuerySet[GenealogyEdge],
    events: QuerySet[Event],
    places: QuerySet[Location] | None = None,
) -> Scope:
    """The recall scope of `criteria` over the visible `edges` and `events`, with the names
    the visible master data (`places`) gives customers and locations."""
    with lookup_plans():
        found = _scope(criteria, edges, events)
        if places is not None:
            found.names = _names(found, places)
    return found


def requested_scope(
    params: Mapping[str, str],
    edges: QuerySet[GenealogyEdge],
    events: QuerySet[Event],
    places: QuerySet[Location],
    products: QuerySet[Product] | None = None,
) -> Scope:
    """``scope`` of the criteria query parameters give (``parse_criteria``), a machine or a
    lot also as people name them (``known_start``)."""
    criteria = known_start(parse_criteria(params), events, places, products)
    return scope(criteria, edges, events, places)


def _names(found: Scope, places: QuerySet[Location]) -> dict[str, str]:
    """Names of the scope's customers, locations and machine (one query). Where two enterprises name
    the same identifier, the first stated (lowest id) is taken."""
    uris = {c.party for c in found.customers} | {i.location for i in found.items}
    uris.add(found.criteria.read_point)
    uris.discard("")
    names: dict[str, str] = {}
    rows = places.filter(uri__in=uris).exclude(name="").order_by("id").values_list("uri", "name")
    for uri, name in rows:
        names.setdefault(uri, name)
    return names


def _scope(criteria: Criteria, edges: QuerySet[GenealogyEdge], events: QuerySet[Event]) -> Scope:
    starts = start_identifiers(criteria, events)
    if not starts:
        return Scope(criteria, [], [], [], False, 0, 0)
    trace = genealogy.walk_from(starts, genealogy.FORWARD, edges, None, depth=genealogy.DEPTH_MAX)
    made = _made_quantities(edges, [n.uri for n in trace.nodes])
    used = _used(trace)
    made |= _received_quantities(events, [u for u in starts if u in used and u not in made])
    items = _affected(trace, made, used)
    carried = _carried(trace, made)
    for item in items:
        item.carried = carried.get(item.uri) or {}
        if item.kind == REMAINDER and item.uri in starts:
            # What is left of a suspect lot is suspect material through and through.
            item.carried = {item.remaining_uom: item.remaining}
    containers = _containers(trace, items)
    _locate(items, containers, events)
    return Scope(
        criteria,
        starts,
        items,
        _customers(items),
        trace.truncated,
        len(trace.nodes),
        len(trace.edges),
    )


def _made_quantities(
    edges: QuerySet[GenealogyEdge], uris: list[str]
) -> dict[str, tuple[Decimal, str] | None]:
    """How much of each lot transformations made, in one unit (None: not known); one query per
    batch. Instances (serials) are one each and not looked up."""
    lots = [u for u in uris if _is_class(u)]
    per_event: dict[str, dict[int, tuple[Decimal | None, str]]] = defaultdict(dict)
    for start in range(0, len(lots), BATCH):
        rows = edges.filter(
            kind=EdgeKind.TRANSFORMATION, to_uri__in=lots[start : start + BATCH]
        ).values_list("to_uri", "event_id", "to_quantity", "to_uom")
        for uri, event_id, quantity, uom in rows:
            per_event[uri][event_id] = (quantity, uom)
    return {uri: _one_total(outputs) for uri, outputs in per_event.items()}


def _received_quantities(
    events: QuerySet[Event], lots: list[str]
) -> dict[str, tuple[Decimal, str] | None]:
    """How much of each lot (none made by a transformation: raw material) ObjectEvents added
    or received, in one unit (None: not known); each event once. One query per batch, none
    when no lot is given."""
    lots = [u for u in lots if _is_class(u)]
    per_event: dict[str, dict[int, tuple[Decimal | None, str]]] = defaultdict(dict)
    # Probed per identifier by primary key, as genealogy.node_events does.
    arrival = events.filter(
        Q(action=Action.ADD) | Q(biz_step=RECEIVING),
        pk=OuterRef("event_id"),
        event_type=EventType.OBJECT,
    ).order_by()
    for start in range(0, len(lots), BATCH):
        rows = (
            EventIdentifier.objects.filter(uri__in=lots[start : start + BATCH], role=_R.QUANTITY)
            .filter(Exists(arrival))
            .values_list("uri", "event_id", "quantity", "uom")
        )
        for uri, event_id, quantity, uom in rows:
            per_event[uri][event_id] = (quantity, uom)
    return {uri: _one_total(amounts) for uri, amounts in per_event.items()}


def _one_total(per_event: dict[int, tuple[Decimal | None, str]]) -> tuple[Decimal, str] | None:
    """The sum of quantities stated by several events when all are known in one unit."""
    units = {uom for _q, uom in per_event.values()}
    if len(units) != 1 or any(q is None for q, _u in per_event.values()):
        return None
    return sum((q for q, _u in per_event.values()), Decimal(0)), units.pop()


def _used(trace: genealogy.Trace) -> dict[str, list[tuple[str, Decimal | None, str]]]:
    """Per node, what transformations used of it: (event, quantity, unit), once per event."""
    used: dict[str, dict[str, tuple[str, Decimal | None, str]]] = defaultdict(dict)
    for edge in trace.edges:
        if edge.kind == EdgeKind.TRANSFORMATION:
            used[edge.from_uri][edge.event_id] = (edge.event_id, edge.from_quantity, edge.from_uom)
    return {uri: list(events.values()) for uri, events in used.items()}


def _affected(trace: genealogy.Trace, made: dict, used: dict) -> list[Item]:
    starts = set(trace.starts)
    produced = {e.to_uri for e in trace.edges if e.kind == EdgeKind.TRANSFORMATION}
    items = []
    for node in trace.nodes:
        if node.uri not in starts and node.uri not in produced:
            continue  # a case or pallet: it carries items, it is not one
        if node.uri not in used:
            items.append(Item(node.uri, FINISHED, node.depth))
            continue
        total = made.get(node.uri)
        uses = used[node.uri]
        if total is None or any(q is None or uom != total[1] for _e, q, uom in uses):
            continue
        remaining = total[0] - sum((q for _e, q, _u in uses), Decimal(0))
        if remaining > 0:
            items.append(
                Item(node.uri, REMAINDER, node.depth, remaining=remaining, remaining_uom=total[1])
            )
    return sorted(items, key=lambda i: (i.kind != FINISHED, i.uri))


def _carried(trace: genealogy.Trace, made: dict) -> dict[str, dict[str, Decimal] | None]:
    """How much suspect material each node holds, per unit, following transformations in order
    of making: what a start gave an edge is what the edge says it used; a later lot passes on
    its share (used / made) of what it holds, split over the event's outputs by their
    quantities (equally when those are not all known in one unit). None: not known."""
    transformations = [e for e in trace.edges if e.kind == EdgeKind.TRANSFORMATION]
    order = graphlib.TopologicalSorter()
    for edge in transformations:
        order.add(edge.to_uri, edge.from_uri)
    try:
        ordered = list(order.static_order())
    except graphlib.CycleError:
        return {}
    outputs: dict[tuple[str, str], list[genealogy.Edge]] = defaultdict(list)
    into: dict[str, list[genealogy.Edge]] = defaultdict(list)
    for edge in transformations:
        outputs[(edge.event_id, edge.from_uri)].append(edge)
        into[edge.to_uri].append(edge)
    starts = set(trace.starts)
    carried: dict[str, dict[str, Decimal] | None] = {}
    for uri in ordered:
        if uri in starts or not into[uri]:
            continue
        total: dict[str, Decimal] | None = {}
        for edge in into[uri]:
            given = _given(edge, starts, carried, made)
            if given is None or total is None:
                total = None
                continue
            share = _output_share(edge, outputs[(edge.event_id, edge.from_uri)])
            for unit, amount in given.items():
                total[unit] = total.get(unit, Decimal(0)) + amount * share
        carried[uri] = total
    return carried


def _given(edge: genealogy.Edge, starts: set, carried: dict, made: dict) -> dict | None:
    """What the input of `edge` passed on to the event's outputs (None: not known)."""
    quantity, unit, total = edge.from_quantity, edge.from_uom, made.get(edge.from_uri)
    if not _is_class(edge.from_uri):
        # A serial is one of itself, used whole.
        quantity, unit, total = Decimal(1), "", (Decimal(1), "")
    if quantity is None:
        return None
    if edge.from_uri in starts:
        return {unit: quantity}
    held = carried.get(edge.from_uri)
    if not held or total is None or total[0] <= 0 or unit != total[1]:
        return None
    return {u: amount * quantity / total[0] for u, amount in held.items()}


def _is_class(uri: str) -> bool:
    return uri.startswith("urn:epc:class:")


def _output_share(edge: genealogy.Edge, siblings: list[genealogy.Edge]) -> Decimal:
    quantities = [s.to_quantity for s in siblings]
    units = {s.to_uom for s in siblings}
    if all(q is not None for q in quantities) and len(units) == 1 and sum(quantities) > 0:
        return edge.to_quantity / sum(quantities)
    return Decimal(1) / len(siblings)


def _containers(
    trace: genealogy.Trace, items: list[Item]
) -> dict[str, list[tuple[str, list[genealogy.Interval]]]]:
    """Per item, the cases and pallets it was in (transitively) and when."""
    parents: dict[str, list[genealogy.Edge]] = defaultdict(list)
    for edge in trace.edges:
        if edge.kind != EdgeKind.TRANSFORMATION:
            parents[edge.from_uri].append(edge)
    found: dict[str, list[tuple[str, list[genealogy.Interval]]]] = {}
    for item in items:
        chain: list[tuple[str, list[genealogy.Interval]]] = []
        stack = [(item.uri, list(genealogy.ALWAYS), 0)]
        while stack:
            uri, window, hops = stack.pop()
            for edge in parents[uri]:
                inside = genealogy.overlap(window, (edge.event_time, edge.removed_at))
                if inside and hops < genealogy.DEPTH_MAX:
                    chain.append((edge.to_uri, inside))
                    stack.append((edge.to_uri, inside, hops + 1))
        found[item.uri] = chain
        item.containers = sorted({c for c, w in chain if any(hi is None for _lo, hi in w)})
    return found


# -- where each is now ----------------------------------------------------------------------


def _word(value: str, vocabulary: str) -> str:
    """A CBV value by its word (shipping, recalled); another vocabulary's URI as it is."""
    stored = vocabulary_uri(value, vocabulary, {}) or value
    return stored.removeprefix(CBV + VOCABULARIES[vocabulary][0])


@dataclass
class _Sighting:
    """One event naming an item or a container it was in."""

    pk: int
    time: datetime
    step: str
    disposition: str
    location: str
    enterprise_id: int
    quantity: Decimal | None
    uom: str
    body: dict[str, Any] = field(default_factory=dict)


def _sightings(uris: list[str], events: QuerySet[Event]) -> dict[str, list[_Sighting]]:
    """The visible events naming each identifier, oldest first; two queries per batch (the
    columns, then the JSON of only the events that ship, transact or set a flag)."""
    seen: dict[str, list[_Sighting]] = defaultdict(list)
    for start in range(0, len(uris), BATCH):
        # Joined, not a subquery: see genealogy._add_events.
        rows = (
            events.filter(identifiers__uri__in=uris[start : start + BATCH])
            .order_by("event_time", "id")
            .values_list(
                "identifiers__uri",
                "id",
                "event_time",
                "biz_step",
                "disposition",
                "biz_location",
                "enterprise_id",
                "identifiers__quantity",
                "identifiers__uom",
            )
        )
        batch: dict[int, list[_Sighting]] = defaultdict(list)
        for uri, pk, moment, step, disposition, location, enterprise, quantity, uom in rows:
            sighting = _Sighting(pk, moment, step, disposition, location, enterprise, quantity, uom)
            seen[uri].append(sighting)
            batch[pk].append(sighting)
        bodies = (
            EventBody.objects.filter(event_id__in=list(batch))
            .filter(
                Q(event_json__has_key="destinationList")
                | Q(event_json__has_key="bizTransactionList")
                | Q(event_json__has_key="persistentDisposition")
            )
            .values_list("event_id", "event_json")
        )
        for pk, body in bodies:
            for sighting in batch[pk]:
                sighting.body = body
    return seen


def _locate(
    items: list[Item],
    containers: dict[str, list[tuple[str, list[genealogy.Interval]]]],
    events: QuerySet[Event],
) -> None:
    wanted = sorted({i.uri for i in items} | {c for ch in containers.values() for c, _w in ch})
    seen = _sightings(wanted, events)
    for item in items:
        own = list(seen.get(item.uri, []))
        for container, window in containers[item.uri]:
            own += [
                s for s in seen.get(container, []) if genealogy.overlap(window, (s.time, s.time))
            ]
        unique = {s.pk: s for s in own}
        _describe(item, sorted(unique.values(), key=lambda s: (s.time, s.pk)), seen[item.uri])
    holders = dict(
        Enterprise.objects.filter(id__in={i.holder_id for i in items if i.holder_id}).values_list(
            "id", "name"
        )
    )
    for item in items:
        item.holder = holders.get(item.holder_id, "")


def _describe(item: Item, timeline: list[_Sighting], named: list[_Sighting]) -> None:
    """Fill in where the item is now from its timeline (its events and its containers')."""
    if not timeline:
        return
    last = timeline[-1]
    item.last_time, item.last_step = last.time, _word(last.step, "bizStep")
    item.holder_id = last.enterprise_id
    item.location = next((s.location for s in reversed(timeline) if s.location), "")
    item.disposition = next(
        (_word(s.disposition, "disposition") for s in reversed(timeline) if s.disposition), ""
    )
    flags: set[str] = set()
    for sighting in timeline:
        persistent = sighting.body.get("persistentDisposition") or {}
        flags |= {_word(v, "disposition") for v in persistent.get("set", [])}
        flags -= {_word(v, "disposition") for v in persistent.get("unset", [])}
    item.persistent = sorted(flags)
    shipments = [s for s in timeline if s.step == SHIPPING or s.body.get("destinationList")]
    if shipments:
        shipment = shipments[-1]
        item.shipped, item.shipped_at = True, shipment.time
        item.customer = _customer(shipment.body)
        item.transactions = [
            f"{_word(t.get('type', ''), 'btt') or '—'}: {t['bizTransaction']}"
            for t in shipment.body.get("bizTransactionList", [])
        ]
    if item.is_class:
        item.quantity, item.uom = next(
            ((s.quantity, s.uom) for s in reversed(named) if s.quantity is not None), (None, "")
        )
    else:
        item.quantity = Decimal(1)
    received = shipments and any(
        s.step == RECEIVING and s.time >= shipments[-1].time for s in timeline
    )
    if RECALLED in flags or item.disposition == RECALLED:
        item.status = RECALLED
    elif item.disposition in GONE_DISPOSITIONS:
        item.status = GONE
    elif shipments and not received:
        item.status = SHIPPED
    else:
        item.status = IN_STOCK


def _customer(body: dict) -> str:
    by_type = {
        _word(d.get("type", ""), "sdt"): d.get("destination", "")
        for d in body.get("destinationList", [])
    }
    return next((by_type[t] for t in _CUSTOMER_TYPES if by_type.get(t)), "")


def _customers(items: list[Item]) -> list[Customer]:
    customers: dict[str, Customer] = {}
    for item in items:
        if not item.shipped:
            continue
        customer = customers.setdefault(item.customer, Customer(item.customer))
        customer.items.append(item.uri)
        if item.quantity is not None:
            unit = item.uom
            customer.quantities[unit] = customer.quantities.get(unit, Decimal(0)) + item.quantity
        for unit, amount in item.carried.items():
            customer.carried[unit] = customer.carried.get(unit, Decimal(0)) + amount
        customer.transactions = sorted(set(customer.transactions) | set(item.transactions))
    return sorted(customers.values(), key=lambda c: (-len(c.items), c.party))


# -- the recall order -----------------------------------------------------------------------


class RecallRefused(Exception):
    """The principal may not create or execute this recall (zone staff read, never mark)."""


def _recording_enterprise(principal: object) -> Enterprise:
    enterprise = services.capturing_enterprise(principal)
    if enterprise is None:
        raise RecallRefused(_("Only an enterprise or its API token recalls its own goods."))
    return enterprise


def recall_scope(recall: Recall) -> Scope:
    """A recall's scope as its enterprise sees it (its own events and genealogy)."""
    return scope(
        parse_criteria(recall.criteria),
        GenealogyEdge.objects.filter(enterprise_id=recall.enterprise_id),
        Event.objects.filter(enterprise_id=recall.enterprise_id),
        Location.objects.filter(enterprise_id=recall.enterprise_id),
    )


def _count(recall: Recall, found: Scope) -> None:
    counts = found.counts()
    recall.affected_count = counts["affected"]
    recall.shipped_count = counts["shipped"]
    recall.customer_count = counts["customers"]
    recall.in_stock_count = counts["inStock"]


def create_recall(
    principal: object, reason: str, params: Mapping[str, str], include_shipped: bool = False
) -> Recall:
    """A draft recall of the principal's enterprise; raises TraceError naming a bad field."""
    enterprise = _recording_enterprise(principal)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise TraceError(
            "reason",
            reason[:200],
            _("say why, in at most %(max)d characters") % {"max": REASON_MAX},
        )
    criteria = known_start(
        parse_criteria(params),
        Event.objects.filter(enterprise=enterprise),
        Location.objects.filter(enterprise=enterprise),
        Product.objects.filter(enterprise=enterprise),
    )
    person, token = acting(principal)
    recall = Recall(
        enterprise=enterprise,
        created_by=person,
        created_by_token=token,
        created_at=timezone.now(),
        reason=reason,
        criteria=criteria.as_params(),
        include_shipped=include_shipped,
    )
    _count(recall, recall_scope(recall))
    recall.save()
    return recall


def marking_document(items: list[Item], moment: datetime) -> dict[str, Any]:
    """The EPCIS document that marks `items` recalled at `moment`: one ObjectEvent (OBSERVE,
    holding, recalled, persistentDisposition set recalled) per business location. Built only
    from its inputs, so the same items at the same moment give the same Event Hash IDs."""
    stamp = moment.astimezone(_RECALL_ZONE).isoformat(timespec="milliseconds")
    by_location: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        by_location[item.location].append(item)
    events = []
    for location in sorted(by_location):
        group = sorted(by_location[location], key=lambda i: i.uri)
        event: dict[str, Any] = {
            "type": "ObjectEvent",
            "eventTime": stamp,
            "eventTimeZoneOffset": _RECALL_TIME_ZONE,
            "action": "OBSERVE",
            "bizStep": "holding",
            "disposition": "recalled",
            "persistentDisposition": {"set": ["recalled"]},
        }
        serials = [i.uri for i in group if not i.is_class]
        lots = [{"epcClass": i.uri} for i in group if i.is_class]
        if serials:
            event["epcList"] = serials
        if lots:
            event["quantityList"] = lots
        if location:
            event["bizLocation"] = {"id": location}
        events.append(event)
    return {
        "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": stamp,
        "epcisBody": {"eventList": events},
    }


def marking_targets(found: Scope, include_shipped: bool) -> list[Item]:
    """What executing a recall marks: the items in stock, and the shipped ones too when
    `include_shipped`. The confirmation counts from this, so it says what will be marked."""
    return [
        i for i in found.items if i.status == IN_STOCK or (include_shipped and i.status == SHIPPED)
    ]


def execute_recall(recall: Recall, principal: object) -> Recall:
    """Mark the recall's items recalled: those in stock, or every affected item the enterprise
    recorded when ``include_shipped``. Only the recall's own enterprise executes; a second call
    changes nothing. The events and the recall's new state are written in one transaction."""
    if _recording_enterprise(principal).pk != recall.enterprise_id:
        raise RecallRefused(_("Only the enterprise that owns the recall executes it."))
    with transaction.atomic():
        locked = Recall.objects.select_for_update().get(pk=recall.pk)
        if locked.state == RecallState.EXECUTED:
            return locked
        found = recall_scope(locked)
        targets = marking_targets(found, locked.include_shipped)
        now = timezone.now()
        # Whole milliseconds, as the Event Hash ID reads times, so a rebuild hashes the same.
        moment = now.replace(microsecond=now.microsecond // 1000 * 1000)
        job: CaptureJob | None = None
        if targets:
            job = services.capture_document(marking_document(targets, moment), principal)
            if not job.success:
                raise RecallRefused(
                    _("The marking events were refused: %(errors)s") % {"errors": job.errors}
                )
        _count(locked, found)
        locked.state = RecallState.EXECUTED
        locked.executed_at = moment
        locked.executed_by, locked.executed_by_token = acting(principal)
        locked.capture_job = job
        locked.marked_count = len(targets)
        locked.save()
    return locked
