"""The only code that writes EPCIS events: capture a document for the caller's enterprise, and
keep the genealogy edge table in step with the stored events."""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from parkbrain.core.bulk import insert_rows, json_text
from parkbrain.registry import tenancy
from parkbrain.registry.choices import Role
from parkbrain.registry.models import Enterprise
from parkbrain.registry.services import actor_fields

from . import attributes, locations, masterdata
from .choices import Action, CaptureState, EdgeKind, ErrorBehaviour, EventType, IdentifierRole
from .hashing import EventHasher, document_ignore_fields
from .models import (
    URI_LENGTH,
    CaptureJob,
    Event,
    EventAttribute,
    EventBody,
    EventIdentifier,
    GenealogyEdge,
    declared_as,
    event_id_batches,
)
from .products import save_products
from .validation import CheckedDocument, CleanEvent, Problem, check_document


class CaptureRefused(Exception):
    """The principal may not capture events (zone staff, project managers, anonymous)."""


def capturing_enterprise(principal: object) -> Enterprise | None:
    """The enterprise a principal captures for: an enterprise user's or a token's own.

    Events are an enterprise's own record of what happened to its goods, so only the
    enterprise (a person or its machine) states them; zone staff and project managers read.
    """
    scope = tenancy.scope_of(principal)  # type: ignore[arg-type]
    if scope.role != Role.ENTERPRISE or len(scope.enterprise_ids) != 1:
        return None
    return tenancy.writable_enterprises(principal).first()


@dataclass
class _Rows:
    """One event's rows as capture writes them, less what the database gives (the event's id,
    the job, the record time): built with the hash, before any database work. Tuples follow
    EVENT_FIELDS, IDENTIFIER_FIELDS, EDGE_FIELDS and ATTRIBUTE_FIELDS without their leading
    database-given fields; JSON is already text. ``body`` is the event's JSON (``EventBody``)."""

    event: tuple
    body: str
    identifiers: list[tuple]
    edges: list[tuple]
    attributes: list[tuple]


@dataclass
class _Incoming:
    clean: CleanEvent
    hash_id: str
    rows: _Rows


@dataclass
class CheckedCapture:
    """A document checked, its events hashed and their rows built: the part of a capture that
    needs no database, so a bulk loader may do it in another process (``capture_checked``
    stores it)."""

    checked: CheckedDocument
    incoming: list[_Incoming]
    context_json: str | None
    #: Locations the header's master data states (see ``masterdata.location_entries``).
    locations: list[dict[str, str]] = field(default_factory=list)
    #: Products the header's master data names (see ``masterdata.product_entries``).
    products: list[dict[str, str]] = field(default_factory=list)

    def for_transfer(self) -> "CheckedCapture":
        """The same capture without each event's parsed JSON, which its rows hold as text:
        several times less to pickle to another process."""
        lighter = [
            _Incoming(replace(i.clean, data={}, identifiers=[]), i.hash_id, i.rows)
            for i in self.incoming
        ]
        checked = replace(self.checked, events=[i.clean for i in lighter])
        return CheckedCapture(checked, lighter, self.context_json, self.locations, self.products)


def check_capture(document: Any) -> CheckedCapture:
    """Validate a parsed EPCIS document, compute its Event Hash IDs and build its rows."""
    checked = check_document(document)
    incoming: list[_Incoming] = []
    if not checked.document_refused:
        hasher = EventHasher(checked.context, document_ignore_fields(document))
        for clean in checked.events:
            hash_id = hasher.hash_id(clean.data)
            incoming.append(_Incoming(clean, hash_id, _rows(clean, hash_id, checked.context)))
    return CheckedCapture(
        checked,
        incoming,
        json_text(checked.context),
        masterdata.location_entries(document),
        masterdata.product_entries(document),
    )


def _rows(clean: CleanEvent, hash_id: str, context: Any) -> _Rows:
    return _Rows(
        event=(
            clean.event_type,
            clean.event_time,
            clean.event_time_zone_offset,
            clean.action,
            clean.biz_step,
            clean.disposition,
            clean.read_point,
            clean.biz_location,
            clean.transformation_id,
            hash_id,
            clean.event_id,
            json_text(clean.error_declaration),
        ),
        body=json_text(clean.data),
        identifiers=[(i.role, i.uri, i.quantity, i.uom) for i in clean.identifiers],
        edges=edge_rows(
            clean.event_type,
            clean.action,
            clean.event_time,
            clean.error_declaration,
            clean.identifiers,
        ),
        attributes=[
            (
                row.kind,
                row.name[:URI_LENGTH],
                row.text[:URI_LENGTH],
                row.number,
                row.moment,
                row.uom,
            )
            for row in attributes.event_attributes(clean.data, context)
        ],
    )


def capture_document(
    document: Any,
    principal: object,
    error_behaviour: str = ErrorBehaviour.ROLLBACK,
    size_bytes: int = 0,
) -> CaptureJob:
    """Validate a parsed EPCIS document and store its events for the caller's enterprise.

    With ``rollback`` any problem saves nothing; with ``proceed`` the valid events are saved and
    the others listed. An event whose Event Hash ID is already stored for the enterprise is not
    stored again; if the new copy carries an errorDeclaration the stored one lacks, the
    declaration is added to the stored event. The job is kept whatever happens.
    """
    received_at = timezone.now()
    enterprise = _enterprise_capturing(principal)
    prepared = check_capture(document)
    return _capture(prepared, enterprise, principal, error_behaviour, size_bytes, received_at)


def capture_checked(
    prepared: CheckedCapture,
    principal: object,
    error_behaviour: str = ErrorBehaviour.ROLLBACK,
    size_bytes: int = 0,
) -> CaptureJob:
    """``capture_document`` for a document already through ``check_capture``."""
    enterprise = _enterprise_capturing(principal)
    return _capture(prepared, enterprise, principal, error_behaviour, size_bytes, timezone.now())


def _enterprise_capturing(principal: object) -> Enterprise:
    enterprise = capturing_enterprise(principal)
    if enterprise is None:
        raise CaptureRefused(_("Only an enterprise or its API token captures events."))
    return enterprise


def _capture(
    prepared: CheckedCapture,
    enterprise: Enterprise,
    principal: object,
    error_behaviour: str,
    size_bytes: int,
    received_at: datetime,
) -> CaptureJob:
    checked = prepared.checked
    job = CaptureJob(
        enterprise=enterprise,
        received_at=received_at,
        error_behaviour=error_behaviour,
        size_bytes=size_bytes,
        **actor_fields(principal, "captured_by"),
    )
    job.event_count = checked.event_count
    problems = list(checked.problems)
    incoming = prepared.incoming
    if not checked.document_refused:
        problems.extend(_declared_id_conflicts(enterprise, incoming))
    refused_indexes = {p.index for p in problems}
    if problems and (checked.document_refused or error_behaviour == ErrorBehaviour.ROLLBACK):
        incoming = []
    incoming = [i for i in incoming if i.clean.index not in refused_indexes]
    with transaction.atomic():
        job.save()
        if prepared.locations and not checked.document_refused:
            refused = _save_master_data(enterprise, prepared.locations)
            problems.extend(refused)
            if refused and error_behaviour == ErrorBehaviour.ROLLBACK:
                incoming = []
        if prepared.products and not checked.document_refused:
            save_products(enterprise, prepared.products)
        saved, duplicates = _store(job, enterprise, incoming, prepared.context_json)
        job.events_saved, job.events_duplicate = saved, duplicates
        job.events_refused = job.event_count - saved - duplicates
        job.errors = [p.as_dict() for p in sorted(problems, key=_problem_order)]
        if not problems:
            job.state = CaptureState.SUCCEEDED
        elif saved or duplicates:
            job.state = CaptureState.PARTIAL
        else:
            job.state = CaptureState.FAILED
        job.finished_at = timezone.now()
        job.save()
    return job


def _save_master_data(enterprise: Enterprise, entries: list[dict[str, str]]) -> list[Problem]:
    """Save the header's locations (a savepoint: all or none); their problems, if refused."""
    try:
        with transaction.atomic():
            locations.save_locations(enterprise, entries, keep_unstated=True)
    except locations.LocationProblems as exc:
        return [
            Problem(None, f"epcisHeader.epcisMasterData.{p['field']}", p["value"], p["reason"])
            for p in exc.problems
        ]
    return []


def _problem_order(problem: Problem) -> tuple[int, str]:
    return (-1 if problem.index is None else problem.index, problem.field)


def _declared_id_conflicts(enterprise: Enterprise, incoming: list[_Incoming]) -> list[Problem]:
    """A declared eventID names one event: refuse a different event under a known ID."""
    declared = {i.clean.event_id for i in incoming if i.clean.event_id}
    # By declared ID alone, then the enterprise (see _store).
    known = {
        event_id: hash_id
        for event_id, hash_id, owner in Event.objects.filter(declared_as(declared)).values_list(
            "event_id", "hash_id", "enterprise_id"
        )
        if owner == enterprise.pk
    }
    problems = []
    for item in incoming:
        event_id = item.clean.event_id
        if not event_id:
            continue
        if known.setdefault(event_id, item.hash_id) != item.hash_id:
            problems.append(
                Problem(
                    item.clean.index,
                    "eventID",
                    event_id,
                    _("this eventID already names a different event"),
                )
            )
    return problems


def _store(
    job: CaptureJob, enterprise: Enterprise, incoming: list[_Incoming], context_json: str | None
) -> tuple[int, int]:
    """Write the new events and their identifiers; returns (saved, already stored)."""
    if not incoming:
        return 0, 0
    unique: dict[str, _Incoming] = {}
    for item in incoming:
        unique.setdefault(item.hash_id, item)
    # By hash ID alone, then the enterprise in hand: with the enterprise in the WHERE clause
    # SQLite walks all of the enterprise's events instead of probing the hash index.
    known = {
        hash_id
        for hash_id, owner in Event.objects.filter(hash_id__in=list(unique))
        .order_by()
        .values_list("hash_id", "enterprise_id")
        if owner == enterprise.pk
    }
    declaring = [h for h in known if unique[h].clean.error_declaration]
    stored = {
        e.hash_id: e
        for e in Event.objects.filter(hash_id__in=declaring)
        .select_related("body")
        .only("id", "enterprise_id", "hash_id", "error_declaration", "body__event_json")
        if e.enterprise_id == enterprise.pk
    }
    declarations = [
        (stored[h], unique[h].clean.error_declaration)
        for h in declaring
        if not stored[h].error_declaration
    ]
    for event, declaration in declarations:
        event.error_declaration = declaration
        event.body.event_json = {**event.body.event_json, "errorDeclaration": declaration}
    Event.objects.bulk_update([e for e, _d in declarations], ["error_declaration"])
    EventBody.objects.bulk_update([e.body for e, _d in declarations], ["event_json"])
    # A declared error says the event did not happen as stated: it no longer links anything.
    GenealogyEdge.objects.filter(event__in=[e for e, _d in declarations]).delete()
    now = timezone.now()
    fresh = [item for h, item in unique.items() if h not in known]
    # ignore_conflicts: a concurrent capture of the same event wins; ours is then a duplicate.
    insert_rows(
        Event,
        EVENT_FIELDS,
        ((enterprise.pk, job.pk, now, *i.rows.event) for i in fresh),
        prepare=("record_time", "event_time"),
        ignore_conflicts=True,
    )
    ids = dict(Event.objects.filter(capture_job=job).order_by().values_list("hash_id", "id"))
    written_items = [(ids[item.hash_id], item) for item in fresh if item.hash_id in ids]
    written = [(pk, item.rows) for pk, item in written_items]
    insert_rows(EventBody, BODY_FIELDS, ((pk, rows.body, context_json) for pk, rows in written))
    insert_rows(
        EventIdentifier,
        IDENTIFIER_FIELDS,
        ((pk, *row) for pk, rows in written for row in rows.identifiers),
    )
    # A transformation sharing its ID gets all its edges from link_shared_transformations below.
    grouped = {
        pk
        for pk, item in written_items
        if item.clean.event_type == EventType.TRANSFORMATION and item.clean.transformation_id
    }
    insert_rows(
        GenealogyEdge,
        EDGE_FIELDS,
        (
            (pk, enterprise.pk, *row)
            for pk, rows in written
            if pk not in grouped
            for row in rows.edges
        ),
        prepare=("event_time",),
    )
    insert_rows(
        EventAttribute,
        ATTRIBUTE_FIELDS,
        ((pk, *row) for pk, rows in written for row in rows.attributes),
        prepare=("moment",),
    )
    # Events given a declaration are indexed again from their stored JSON.
    attributes.index_events([e.pk for e, _d in declarations])
    link_shared_transformations(
        enterprise.pk,
        [i.clean.transformation_id for _pk, i in written_items]
        + [unique[e.hash_id].clean.transformation_id for e, _d in declarations],
    )
    saved = len(ids) + len(declarations)
    return saved, len(incoming) - saved


EVENT_FIELDS = (
    "enterprise",
    "capture_job",
    "record_time",
    "event_type",
    "event_time",
    "event_time_zone_offset",
    "action",
    "biz_step",
    "disposition",
    "read_point",
    "biz_location",
    "transformation_id",
    "hash_id",
    "event_id",
    "error_declaration",
)
BODY_FIELDS = ("event", "event_json", "context")
IDENTIFIER_FIELDS = ("event", "role", "uri", "quantity", "uom")
ATTRIBUTE_FIELDS = ("event", "kind", "name", "text", "number", "moment", "uom")


# -- genealogy edges ------------------------------------------------------------------------

_R = IdentifierRole
_INPUT_ROLES = (_R.INPUT, _R.INPUT_QUANTITY)
_OUTPUT_ROLES = (_R.OUTPUT, _R.OUTPUT_QUANTITY)
_CHILD_ROLES = (_R.CHILD, _R.CHILD_QUANTITY)
_PARENT_KINDS = {
    EventType.AGGREGATION: EdgeKind.AGGREGATION,
    EventType.ASSOCIATION: EdgeKind.ASSOCIATION,
}


EDGE_FIELDS = (
    "event",
    "enterprise",
    "kind",
    "action",
    "from_uri",
    "from_quantity",
    "from_uom",
    "to_uri",
    "to_quantity",
    "to_uom",
    "event_time",
)


class _Named(Protocol):
    role: str
    uri: str
    quantity: Decimal | None
    uom: str


def edge_rows(
    event_type: str,
    action: str,
    event_time: datetime,
    error_declaration: Any,
    named: list[_Named],
) -> list[tuple]:
    """The edges one event states, as values in EDGE_FIELDS order after the event and its
    enterprise: every input to every output of a transformation, every child to the parent of
    an aggregation or association. An event carrying an errorDeclaration states none. `named`
    are its identifiers in document order (CleanIdentifier at capture, EventIdentifier rows
    when rebuilding)."""
    if error_declaration:
        return []

    def edge(kind: str, source: _Named | None, target: _Named) -> tuple:
        return (
            kind,
            action,
            source.uri if source else "",
            source.quantity if source else None,
            source.uom if source else "",
            target.uri,
            target.quantity,
            target.uom,
            event_time,
        )

    if event_type == EventType.TRANSFORMATION:
        inputs = [i for i in named if i.role in _INPUT_ROLES]
        outputs = [i for i in named if i.role in _OUTPUT_ROLES]
        return [edge(EdgeKind.TRANSFORMATION, i, o) for i in inputs for o in outputs]
    kind = _PARENT_KINDS.get(event_type)
    parent = next((i for i in named if i.role == _R.PARENT), None)
    if kind is None or parent is None:
        return []
    children = [i for i in named if i.role in _CHILD_ROLES]
    if action == Action.DELETE and not children:
        return [edge(kind, None, parent)]
    return [edge(kind, child, parent) for child in children]


def write_genealogy_edges(event_ids: Iterable[int]) -> int:
    """Write the edges of the given stored events (which must have none yet); returns how many.

    Besides what each event states itself (``edge_rows``), a TransformationEvent with a
    transformationID gets an edge from every input of the other events sharing that ID (the
    enterprise's own, none with an error declared) to each of its outputs: EPCIS 2.0 lets all
    inputs of such events contribute to all their outputs. The edge belongs to the event that
    stated the output, at its time."""
    event_ids = list(event_ids)
    if not event_ids:
        return 0
    named: dict[int, list[EventIdentifier]] = {pk: [] for pk in event_ids}
    for ident in EventIdentifier.objects.filter(event_id__in=event_ids).order_by("id"):
        named[ident.event_id].append(ident)
    events = list(
        Event.objects.filter(id__in=event_ids).only(
            "id",
            "enterprise_id",
            "event_type",
            "action",
            "event_time",
            "error_declaration",
            "transformation_id",
        )
    )
    shared_inputs = _shared_inputs(events)

    def rows_of(e: Event) -> list[tuple]:
        rows = edge_rows(e.event_type, e.action, e.event_time, e.error_declaration, named[e.pk])
        others = shared_inputs.get((e.enterprise_id, e.transformation_id), ())
        if others and not e.error_declaration:
            stated = {(row[2], row[5]) for row in rows}
            outputs = [i for i in named[e.pk] if i.role in _OUTPUT_ROLES]
            rows += [
                row
                for event_pk, source in others
                if event_pk != e.pk
                for target in outputs
                if (source.uri, target.uri) not in stated
                for row in edge_rows(e.event_type, e.action, e.event_time, None, [source, target])
            ]
        return rows

    return insert_rows(
        GenealogyEdge,
        EDGE_FIELDS,
        ((e.pk, e.enterprise_id, *row) for e in events for row in rows_of(e)),
        prepare=("event_time",),
    )


def _shared_inputs(events: list[Event]) -> dict[tuple[int, str], list[tuple[int, EventIdentifier]]]:
    """(enterprise, transformationID) -> (event, input) of every transformation event sharing
    an ID with one of `events` (one query; none when no event has an ID)."""
    ids = {
        e.transformation_id
        for e in events
        if e.event_type == EventType.TRANSFORMATION and e.transformation_id
    }
    if not ids:
        return {}
    found: dict[tuple[int, str], list[tuple[int, EventIdentifier]]] = {}
    inputs = (
        EventIdentifier.objects.filter(
            event__transformation_id__in=ids,
            event__event_type=EventType.TRANSFORMATION,
            event__error_declaration__isnull=True,
            role__in=_INPUT_ROLES,
        )
        .annotate(owner=F("event__enterprise_id"), shared=F("event__transformation_id"))
        .order_by("id")
    )
    for ident in inputs:
        found.setdefault((ident.owner, ident.shared), []).append((ident.event_id, ident))
    return found


def link_shared_transformations(enterprise_id: int, transformation_ids: Iterable[str]) -> None:
    """Write again the edges of the enterprise's transformation events sharing these IDs, after
    one of them was captured or given an error declaration."""
    ids = {t for t in transformation_ids if t}
    if not ids:
        return
    members = list(
        Event.objects.filter(
            enterprise_id=enterprise_id,
            transformation_id__in=ids,
            event_type=EventType.TRANSFORMATION,
        ).values_list("id", flat=True)
    )
    GenealogyEdge.objects.filter(event_id__in=members).delete()
    write_genealogy_edges(members)


def rebuild_genealogy_edges(batch_size: int = 1000) -> int:
    """Write the edge table again from the stored events (for events captured before it
    existed); safe to repeat. Each batch of events is replaced in its own transaction."""
    written = 0
    for batch in event_id_batches(batch_size):
        with transaction.atomic():
            GenealogyEdge.objects.filter(event_id__in=batch).delete()
            written += write_genealogy_edges(batch)
    return written
