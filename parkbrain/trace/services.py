"""The only code that writes EPCIS events: capture a document for the caller's enterprise, and
keep the genealogy edge table in step with the stored events."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parkbrain.registry import tenancy
from parkbrain.registry.choices import Role
from parkbrain.registry.models import ApiToken, Enterprise

from .choices import Action, CaptureState, EdgeKind, ErrorBehaviour, EventType, IdentifierRole
from .hashing import document_ignore_fields, event_hash_id
from .models import CaptureJob, Event, EventIdentifier, GenealogyEdge
from .validation import CleanEvent, Problem, check_document


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
class _Incoming:
    clean: CleanEvent
    hash_id: str


def _actor(principal: object) -> dict:
    if isinstance(principal, ApiToken):
        return {"captured_by": None, "token": principal}
    return {"captured_by": principal, "token": None}


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
    enterprise = capturing_enterprise(principal)
    if enterprise is None:
        raise CaptureRefused(_("Only an enterprise or its API token captures events."))
    job = CaptureJob(
        enterprise=enterprise,
        received_at=timezone.now(),
        error_behaviour=error_behaviour,
        size_bytes=size_bytes,
        **_actor(principal),
    )
    checked = check_document(document)
    job.event_count = checked.event_count
    problems = list(checked.problems)
    incoming: list[_Incoming] = []
    if not checked.document_refused:
        ignored = document_ignore_fields(document)
        incoming = [
            _Incoming(e, event_hash_id(e.data, checked.context, ignored)) for e in checked.events
        ]
        problems.extend(_declared_id_conflicts(enterprise, incoming))
    refused_indexes = {p.index for p in problems}
    if problems and (checked.document_refused or error_behaviour == ErrorBehaviour.ROLLBACK):
        incoming = []
    incoming = [i for i in incoming if i.clean.index not in refused_indexes]
    with transaction.atomic():
        job.save()
        saved, duplicates = _store(job, enterprise, incoming, checked.context)
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


def _problem_order(problem: Problem) -> tuple[int, str]:
    return (-1 if problem.index is None else problem.index, problem.field)


def _declared_id_conflicts(enterprise: Enterprise, incoming: list[_Incoming]) -> list[Problem]:
    """A declared eventID names one event: refuse a different event under a known ID."""
    declared = {i.clean.event_id for i in incoming if i.clean.event_id}
    known = dict(
        Event.objects.filter(enterprise=enterprise, event_id__in=declared).values_list(
            "event_id", "hash_id"
        )
    )
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
    job: CaptureJob, enterprise: Enterprise, incoming: list[_Incoming], context: Any
) -> tuple[int, int]:
    """Write the new events and their identifiers; returns (saved, already stored)."""
    if not incoming:
        return 0, 0
    unique: dict[str, _Incoming] = {}
    for item in incoming:
        unique.setdefault(item.hash_id, item)
    stored = {
        e.hash_id: e for e in Event.objects.filter(enterprise=enterprise, hash_id__in=list(unique))
    }
    declarations = [
        (stored[h], item.clean.error_declaration)
        for h, item in unique.items()
        if h in stored and item.clean.error_declaration and not stored[h].error_declaration
    ]
    for event, declaration in declarations:
        event.error_declaration = declaration
        event.event_json = {**event.event_json, "errorDeclaration": declaration}
    Event.objects.bulk_update([e for e, _d in declarations], ["error_declaration", "event_json"])
    # A declared error says the event did not happen as stated: it no longer links anything.
    GenealogyEdge.objects.filter(event__in=[e for e, _d in declarations]).delete()
    now = timezone.now()
    fresh = [item for h, item in unique.items() if h not in stored]
    # ignore_conflicts: a concurrent capture of the same event wins; ours is then a duplicate.
    Event.objects.bulk_create(
        [_event_row(job, enterprise, item, context, now) for item in fresh],
        batch_size=500,
        ignore_conflicts=True,
    )
    ids = dict(
        Event.objects.filter(
            enterprise=enterprise, capture_job=job, hash_id__in=[i.hash_id for i in fresh]
        ).values_list("hash_id", "id")
    )
    EventIdentifier.objects.bulk_create(
        [
            EventIdentifier(
                event_id=ids[item.hash_id],
                role=ident.role,
                uri=ident.uri,
                quantity=ident.quantity,
                uom=ident.uom,
            )
            for item in fresh
            if item.hash_id in ids
            for ident in item.clean.identifiers
        ],
        batch_size=2000,
    )
    write_genealogy_edges(ids.values())
    saved = len(ids) + len(declarations)
    return saved, len(incoming) - saved


def _event_row(
    job: CaptureJob, enterprise: Enterprise, item: _Incoming, context: Any, now
) -> Event:
    clean = item.clean
    return Event(
        enterprise=enterprise,
        capture_job=job,
        event_type=clean.event_type,
        event_time=clean.event_time,
        event_time_zone_offset=clean.event_time_zone_offset,
        record_time=now,
        action=clean.action,
        biz_step=clean.biz_step,
        disposition=clean.disposition,
        read_point=clean.read_point,
        biz_location=clean.biz_location,
        transformation_id=clean.transformation_id,
        hash_id=item.hash_id,
        event_id=clean.event_id,
        event_json=dict(clean.data),
        context=context,
        error_declaration=clean.error_declaration,
    )


# -- genealogy edges ------------------------------------------------------------------------

_R = IdentifierRole
_INPUT_ROLES = (_R.INPUT, _R.INPUT_QUANTITY)
_OUTPUT_ROLES = (_R.OUTPUT, _R.OUTPUT_QUANTITY)
_CHILD_ROLES = (_R.CHILD, _R.CHILD_QUANTITY)
_PARENT_KINDS = {
    EventType.AGGREGATION: EdgeKind.AGGREGATION,
    EventType.ASSOCIATION: EdgeKind.ASSOCIATION,
}


def genealogy_edges(event: Event, named: list[EventIdentifier]) -> list[GenealogyEdge]:
    """The edges one event states (unsaved): every input to every output of a transformation,
    every child to the parent of an aggregation or association. An event carrying an
    errorDeclaration states none."""
    if event.error_declaration:
        return []

    def edge(kind: str, source: EventIdentifier | None, target: EventIdentifier) -> GenealogyEdge:
        return GenealogyEdge(
            event_id=event.pk,
            enterprise_id=event.enterprise_id,
            kind=kind,
            action=event.action,
            from_uri=source.uri if source else "",
            from_quantity=source.quantity if source else None,
            from_uom=source.uom if source else "",
            to_uri=target.uri,
            to_quantity=target.quantity,
            to_uom=target.uom,
            event_time=event.event_time,
        )

    if event.event_type == EventType.TRANSFORMATION:
        inputs = [i for i in named if i.role in _INPUT_ROLES]
        outputs = [i for i in named if i.role in _OUTPUT_ROLES]
        return [edge(EdgeKind.TRANSFORMATION, i, o) for i in inputs for o in outputs]
    kind = _PARENT_KINDS.get(event.event_type)
    parent = next((i for i in named if i.role == _R.PARENT), None)
    if kind is None or parent is None:
        return []
    children = [i for i in named if i.role in _CHILD_ROLES]
    if event.action == Action.DELETE and not children:
        return [edge(kind, None, parent)]
    return [edge(kind, child, parent) for child in children]


def write_genealogy_edges(event_ids: Iterable[int]) -> int:
    """Write the edges of the given stored events (which must have none yet); returns how many."""
    event_ids = list(event_ids)
    if not event_ids:
        return 0
    named: dict[int, list[EventIdentifier]] = {pk: [] for pk in event_ids}
    for ident in EventIdentifier.objects.filter(event_id__in=event_ids).order_by("id"):
        named[ident.event_id].append(ident)
    edges = [
        edge
        for event in Event.objects.filter(id__in=event_ids).only(
            "id", "enterprise_id", "event_type", "action", "event_time", "error_declaration"
        )
        for edge in genealogy_edges(event, named[event.pk])
    ]
    GenealogyEdge.objects.bulk_create(edges, batch_size=2000)
    return len(edges)


def rebuild_genealogy_edges(batch_size: int = 1000) -> int:
    """Write the edge table again from the stored events (for events captured before it
    existed); safe to repeat. Each batch of events is replaced in its own transaction."""
    written = 0
    last_id = 0
    while True:
        batch = list(
            Event.objects.filter(id__gt=last_id)
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not batch:
            return written
        with transaction.atomic():
            GenealogyEdge.objects.filter(event_id__in=batch).delete()
            written += write_genealogy_edges(batch)
        last_id = batch[-1]
