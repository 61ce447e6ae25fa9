"""The EPCIS 2.0 event repository: capture jobs, the events they stored, and the identifiers
each event names, kept in one canonical form so queries and genealogy walks use plain indexes.

An event belongs to the enterprise that captured it (tenancy goes through that foreign key).
Its JSON is kept exactly as captured (``EventBody``), so a query returns the same content; the
columns of ``Event`` are extracted copies for filtering. ``GenealogyEdge`` (input -> output,
child -> parent, with quantities) is filled from ``EventIdentifier`` at capture so trace walks
read one indexed table.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parkbrain.core.people import person_name
from parkbrain.registry.models import ApiToken, Enterprise

from .choices import Action, CaptureState, EdgeKind, ErrorBehaviour, EventType, IdentifierRole

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

URI_LENGTH = 500


class CaptureJob(models.Model):
    """One POST to /capture: who sent what, how it ended, and the errors found.

    Capture runs synchronously, so a job is finished when the answer leaves; the job is kept
    whether the document was saved or refused, as the binding's capture job resource.
    """

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="capture_jobs",
        verbose_name=_("enterprise"),
        help_text=_("The enterprise the captured events belong to."),
    )
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("captured by"),
    )
    token = models.ForeignKey(
        ApiToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API token"),
    )
    received_at = models.DateTimeField(_("received at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=CaptureState.choices, default=CaptureState.RUNNING
    )
    error_behaviour = models.CharField(
        _("error behaviour"),
        max_length=10,
        choices=ErrorBehaviour.choices,
        default=ErrorBehaviour.ROLLBACK,
    )
    size_bytes = models.PositiveIntegerField(_("document size (bytes)"), default=0)
    event_count = models.PositiveIntegerField(_("events in the document"), default=0)
    events_saved = models.PositiveIntegerField(_("events saved"), default=0)
    events_duplicate = models.PositiveIntegerField(
        _("events already stored"),
        default=0,
        help_text=_("Events whose Event Hash ID was already stored for this enterprise."),
    )
    events_refused = models.PositiveIntegerField(_("events refused"), default=0)
    errors = models.JSONField(
        _("errors"),
        default=list,
        blank=True,
        help_text=_("One entry per problem: event index, field, value and reason."),
    )

    class Meta:
        verbose_name = _("capture job")
        verbose_name_plural = _("capture jobs")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"capture {self.pk} ({self.state})"

    @property
    def running(self) -> bool:
        return self.state == CaptureState.RUNNING

    @property
    def success(self) -> bool:
        return self.state == CaptureState.SUCCEEDED


class Event(models.Model):
    """One EPCIS event as captured by one enterprise: the columns queries filter on and walks
    read, all derived at capture from the event's JSON (kept apart in ``EventBody``).

    Times are stored in UTC; ``event_time_zone_offset`` keeps the local offset the event declared.
    """

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="epcis_events",
        verbose_name=_("enterprise"),
        help_text=_("The enterprise that captured the event."),
    )
    capture_job = models.ForeignKey(
        CaptureJob,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("capture job"),
    )
    event_type = models.CharField(_("event type"), max_length=20, choices=EventType.choices)
    event_time = models.DateTimeField(_("event time"))
    event_time_zone_offset = models.CharField(
        _("event time zone offset"), max_length=6, help_text=_("As declared, e.g. +08:00.")
    )
    record_time = models.DateTimeField(
        _("record time"), help_text=_("When this repository stored the event.")
    )
    action = models.CharField(_("action"), max_length=8, choices=Action.choices, blank=True)
    biz_step = models.CharField(
        _("business step"),
        max_length=URI_LENGTH,
        blank=True,
        help_text=_("CBV words are stored as their ref.gs1.org URI."),
    )
    disposition = models.CharField(_("disposition"), max_length=URI_LENGTH, blank=True)
    read_point = models.CharField(_("read point"), max_length=URI_LENGTH, blank=True)
    biz_location = models.CharField(_("business location"), max_length=URI_LENGTH, blank=True)
    transformation_id = models.CharField(_("transformation ID"), max_length=URI_LENGTH, blank=True)
    hash_id = models.CharField(
        _("Event Hash ID"),
        max_length=100,
        help_text=_("CBV 2.0 Event Hash ID (ni:///sha-256;…); the same event is stored once."),
    )
    event_id = models.CharField(
        _("declared event ID"),
        max_length=URI_LENGTH,
        blank=True,
        help_text=_("The eventID the capturing application gave, if any."),
    )
    error_declaration = models.JSONField(_("error declaration"), null=True, blank=True)

    class Meta:
        verbose_name = _("EPCIS event")
        verbose_name_plural = _("EPCIS events")
        ordering = ["event_time", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "hash_id"], name="trace_event_hash_once_per_enterprise"
            ),
            models.UniqueConstraint(
                fields=["enterprise", "event_id"],
                condition=~Q(event_id=""),
                name="trace_event_declared_id_once_per_enterprise",
            ),
        ]
        indexes = [
            models.Index(fields=["enterprise", "event_time"], name="trace_event_ent_time"),
            models.Index(fields=["event_time"], name="trace_event_time"),
            models.Index(fields=["record_time"], name="trace_event_record_time"),
            # An enterprise polling what was recorded since, and listing its steps and places.
            models.Index(fields=["enterprise", "record_time"], name="trace_event_ent_record"),
            models.Index(fields=["hash_id"], name="trace_event_hash"),
            # Only events that declare an eventID: most do not, and with every '' counted in,
            # SQLite's statistics made a lookup by ID look like a scan (see declared_as).
            models.Index(
                fields=["event_id"], name="trace_event_declared", condition=~Q(event_id="")
            ),
            models.Index(fields=["enterprise", "biz_step"], name="trace_event_ent_step"),
            models.Index(fields=["enterprise", "biz_location"], name="trace_event_ent_location"),
            # EQ_/WD_readPoint and the /readPoints and /dispositions collections.
            models.Index(fields=["enterprise", "read_point"], name="trace_event_ent_read_point"),
            models.Index(fields=["enterprise", "disposition"], name="trace_event_ent_disposition"),
            models.Index(fields=["transformation_id"], name="trace_event_transformation"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_time:%Y-%m-%d %H:%M} {self.hash_id[-12:]}"


def declared_as(ids: Iterable[str]) -> Q:
    """Events that declared one of `ids` as their eventID. The condition repeats the partial
    index's own, which SQLite needs before it uses the index."""
    return Q(event_id__in=list(ids)) & ~Q(event_id="")


def known_as(ids: Iterable[str]) -> Q:
    """Events named by one of `ids`: a declared eventID, or the Event Hash ID that stands in
    for it when the capturer gave none (see ``public_id``)."""
    ids = list(ids)
    return declared_as(ids) | Q(hash_id__in=ids)


def public_id(event_id: str, hash_id: str) -> str:
    """How an event is named in answers: its declared eventID, else its Event Hash ID."""
    return event_id or hash_id


class EventBody(models.Model):
    """An event's JSON exactly as received, with the document's @context so its prefixes
    resolve; written with the event, read to answer queries.

    Apart from ``Event`` so that event rows stay small: the JSON is two-thirds of an event's
    bytes, and a genealogy walk or a filtered query reads hundreds of scattered event rows.
    At 10 M events that is the difference between an event table of 11 GB and one of 3.5 GB
    beside the walk's other tables in memory (bench/trace.py).
    """

    event = models.OneToOneField(
        Event,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="body",
        verbose_name=_("event"),
    )
    event_json = models.JSONField(_("event as captured"))
    context = models.JSONField(_("document @context"), null=True, blank=True)

    class Meta:
        verbose_name = _("EPCIS event body")
        verbose_name_plural = _("EPCIS event bodies")

    def __str__(self) -> str:
        return str(self.event)


def event_id_batches(batch_size: int = 1000):
    """Every stored event's id, in ascending batches (for rebuilding what capture derives)."""
    last_id = 0
    while batch := list(
        Event.objects.filter(id__gt=last_id)
        .order_by("id")
        .values_list("id", flat=True)[:batch_size]
    ):
        yield batch
        last_id = batch[-1]


class EventIdentifier(models.Model):
    """An EPC, class or parent an event names, in canonical form (EPC URN; see
    ``identifiers.canonical``), with its role and, for a class, its quantity.

    Indexed by (uri, role, event) for the MATCH_* query parameters and for attaching to each
    node of a genealogy walk the events that name it: the event is in the index so those reads
    need no row of this table (at 10 M events, one disk read saved per event attached).
    """

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="identifiers", verbose_name=_("event")
    )
    role = models.CharField(_("role"), max_length=16, choices=IdentifierRole.choices)
    uri = models.CharField(_("identifier"), max_length=URI_LENGTH)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=24,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("For a class: the quantity in the unit below; empty means unspecified."),
    )
    uom = models.CharField(
        _("unit of measure"),
        max_length=3,
        blank=True,
        help_text=_("UN/CEFACT Rec. 20 code, e.g. KGM; empty means a count of instances."),
    )

    class Meta:
        verbose_name = _("event identifier")
        verbose_name_plural = _("event identifiers")
        ordering = ["event", "role", "id"]
        indexes = [
            models.Index(fields=["uri", "role", "event"], name="trace_ident_uri_role_event"),
            models.Index(fields=["event", "role"], name="trace_ident_event_role"),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.uri}"


class GenealogyEdge(models.Model):
    """One step of genealogy an event states: ``from_uri`` went into ``to_uri``.

    A TransformationEvent gives an edge from every input (EPC or class) to every output; an
    Aggregation or AssociationEvent gives an edge from every child to the parent. Edges of
    DELETE events are kept with their action so a walk can tell when a child left its parent;
    a DELETE without children (the parent emptied) has an empty ``from_uri``. Quantities are
    those the event lists for the input (or child) and the output, in their own units; an edge
    belongs to the enterprise of its event, which decides who may see it.
    """

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="genealogy_edges", verbose_name=_("event")
    )
    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="+",
        # No index of its own: a walk must look edges up by identifier, and SQLite would
        # otherwise prefer this far less selective one.
        db_index=False,
        verbose_name=_("enterprise"),
        help_text=_("The enterprise that captured the event (a copy, for tenancy filters)."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EdgeKind.choices)
    action = models.CharField(
        _("action"),
        max_length=8,
        choices=Action.choices,
        blank=True,
        help_text=_("The event's action; empty for a TransformationEvent."),
    )
    from_uri = models.CharField(
        _("from"),
        max_length=URI_LENGTH,
        blank=True,
        help_text=_("The input or child, canonical; empty for a DELETE of every child."),
    )
    to_uri = models.CharField(
        _("to"), max_length=URI_LENGTH, help_text=_("The output or parent, canonical.")
    )
    from_quantity = models.DecimalField(
        _("input quantity"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    from_uom = models.CharField(_("input unit of measure"), max_length=3, blank=True)
    to_quantity = models.DecimalField(
        _("output quantity"), max_digits=24, decimal_places=6, null=True, blank=True
    )
    to_uom = models.CharField(_("output unit of measure"), max_length=3, blank=True)
    event_time = models.DateTimeField(_("event time"))

    class Meta:
        verbose_name = _("genealogy edge")
        verbose_name_plural = _("genealogy edges")
        ordering = ["event_time", "id"]
        indexes = [
            models.Index(fields=["from_uri", "event_time"], name="trace_edge_from"),
            models.Index(fields=["to_uri", "event_time"], name="trace_edge_to"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.from_uri} -> {self.to_uri}"


class RecallState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    EXECUTED = "executed", _("Executed")


class Recall(models.Model):
    """A recall order (召回单): why, from which start, what it found, and when the enterprise
    marked its stock recalled.

    ``criteria`` keeps the start exactly as given (an identifier, a machine read point with a
    time window, or non-conformant inspections), so the scope can be computed again; the counts
    are those of the scope when the recall was created, then when it was executed. Executing
    captures real EPCIS events (disposition recalled) through the capture job linked here.
    """

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="recalls",
        verbose_name=_("enterprise"),
        help_text=_("The enterprise that recalls; only its own items are marked."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_by_token = models.ForeignKey(
        ApiToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by API token"),
    )
    created_at = models.DateTimeField(_("created at"))
    reason = models.TextField(_("reason"))
    criteria = models.JSONField(
        _("criteria"), help_text=_("The start of the scope as given: identifier, machine or check.")
    )
    include_shipped = models.BooleanField(
        _("also mark shipped items"),
        default=False,
        help_text=_("Mark every affected item the enterprise recorded, not only those in stock."),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=RecallState.choices, default=RecallState.DRAFT
    )
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("executed by"),
    )
    executed_by_token = models.ForeignKey(
        ApiToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("executed by API token"),
    )
    capture_job = models.ForeignKey(
        CaptureJob,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("capture job"),
        help_text=_("The capture of the events that marked the items recalled."),
    )
    affected_count = models.PositiveIntegerField(_("affected lots and serials"), default=0)
    shipped_count = models.PositiveIntegerField(_("shipped"), default=0)
    customer_count = models.PositiveIntegerField(_("customers"), default=0)
    in_stock_count = models.PositiveIntegerField(_("in stock to quarantine"), default=0)
    marked_count = models.PositiveIntegerField(
        _("marked recalled"), default=0, help_text=_("Items the execution marked recalled.")
    )

    class Meta:
        verbose_name = _("recall")
        verbose_name_plural = _("recalls")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["enterprise", "created_at"], name="trace_recall_ent_time")]

    def __str__(self) -> str:
        return f"recall {self.pk} ({self.state})"

    @property
    def creator(self) -> str:
        """Who created the recall: the person's name, or the machine token's."""
        return _actor(self.created_by, self.created_by_token)

    @property
    def executor(self) -> str:
        return _actor(self.executed_by, self.executed_by_token)


def _actor(person: "AbstractUser | None", token: ApiToken | None) -> str:
    if person is not None:
        return person_name(person)
    if token is not None:
        return _("API token %(name)s") % {"name": token.name}
    return ""


class AttributeKind(models.TextChoices):
    """Where in an event an indexed value sits (see ``EventAttribute``)."""

    BIZ_TRANSACTION = "biz_transaction", _("Business transaction")
    SOURCE = "source", _("Source")
    DESTINATION = "destination", _("Destination")
    PERSISTENT_SET = "persistent_set", _("Persistent disposition set")
    PERSISTENT_UNSET = "persistent_unset", _("Persistent disposition unset")
    ERROR = "error", _("Error declaration")
    SENSOR = "sensor", _("Sensor data")
    EXTENSION = "ext", _("Extension field")
    EXTENSION_INNER = "ext_inner", _("Nested extension field")
    ILMD = "ilmd", _("ILMD field")
    ILMD_INNER = "ilmd_inner", _("Nested ILMD field")
    ERROR_EXTENSION = "error_ext", _("Error declaration extension field")
    ERROR_EXTENSION_INNER = "error_ext_inner", _("Nested error declaration extension field")
    SENSOR_ELEMENT_EXTENSION = "element_ext", _("Sensor element extension field")
    SENSOR_METADATA_EXTENSION = "metadata_ext", _("Sensor metadata extension field")
    SENSOR_REPORT_EXTENSION = "report_ext", _("Sensor report extension field")


class EventAttribute(models.Model):
    """One searchable value from inside an event's JSON that has no column on ``Event``: a
    business transaction, source or destination (``name`` is its type), a persistent
    disposition, the error declaration's reason, time and corrective event IDs, a sensor
    reading, or an extension or ILMD field (``name`` is ``{namespace}localName``).

    Written at capture from the stored JSON (``attributes.index_events``) so the
    SimpleEventQuery parameters on these values are index lookups. ``text`` is the value as
    text (identifiers canonical, CBV words as URIs); ``number`` and ``moment`` hold it again
    when it reads as a number or a timestamp; ``uom`` is a sensor value's unit.
    """

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="attributes", verbose_name=_("event")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=AttributeKind.choices)
    name = models.CharField(_("name"), max_length=URI_LENGTH, blank=True)
    text = models.CharField(_("value"), max_length=URI_LENGTH, blank=True)
    number = models.DecimalField(
        _("numeric value"), max_digits=30, decimal_places=12, null=True, blank=True
    )
    moment = models.DateTimeField(_("time value"), null=True, blank=True)
    uom = models.CharField(
        _("unit of measure"),
        max_length=4,
        blank=True,
        help_text=_("UN/CEFACT Rec. 20 code of a sensor value, e.g. CEL."),
    )

    class Meta:
        verbose_name = _("event attribute")
        verbose_name_plural = _("event attributes")
        ordering = ["event", "id"]
        indexes = [
            models.Index(fields=["kind", "name", "text"], name="trace_attr_text"),
            models.Index(fields=["kind", "name", "number"], name="trace_attr_number"),
            models.Index(fields=["kind", "name", "moment"], name="trace_attr_moment"),
            models.Index(fields=["event", "kind"], name="trace_attr_event"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}={self.text}"


#: The tables capture writes for each event; a bulk load refreshes their statistics together.
EVENT_TABLES = (Event, EventBody, EventIdentifier, GenealogyEdge, EventAttribute)


class Location(models.Model):
    """A read point or business location of one enterprise's master data, with its parent.

    The hierarchy answers the WD_readPoint and WD_bizLocation ("with descendants") query
    parameters. Each enterprise keeps its own: an event's location is read in the hierarchy
    of the enterprise that captured it. An SGLN with an extension (urn:epc:id:sgln:C.L.E) is a
    descendant of the same SGLN with extension 0 without being listed here.
    """

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="epcis_locations",
        verbose_name=_("enterprise"),
    )
    uri = models.CharField(
        _("location identifier"),
        max_length=URI_LENGTH,
        help_text=_("Canonical form: an SGLN as EPC URN, other URIs as given."),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent location"),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["enterprise", "uri"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "uri"], name="trace_location_once_per_enterprise"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.uri


class Product(models.Model):
    """A trade item of one enterprise's master data (EPCIS's EPCClass vocabulary): its GTIN
    and the name people call it by. Lots and serials of the GTIN show that name."""

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="epcis_products",
        verbose_name=_("enterprise"),
    )
    gtin = models.CharField(_("GTIN"), max_length=14, help_text=_("GTIN-14, with check digit."))
    name = models.CharField(_("product name"), max_length=200)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["enterprise", "gtin"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "gtin"], name="trace_product_once_per_enterprise"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class NamedQuery(models.Model):
    """A SimpleEventQuery saved under a name by an enterprise (EPCIS 2.0 ``/queries``).

    ``query`` holds the parameters as the client gave them (name -> list of values);
    ``namespaces`` the extension prefixes they use (from the body's @context or the
    GS1-Extensions header), so the query reads the same whenever it runs.
    """

    enterprise = models.ForeignKey(
        Enterprise,
        on_delete=models.CASCADE,
        related_name="epcis_queries",
        verbose_name=_("enterprise"),
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.JSONField(_("query parameters"), default=dict)
    namespaces = models.JSONField(_("extension namespaces"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    token = models.ForeignKey(
        ApiToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("API token"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("named query")
        verbose_name_plural = _("named queries")
        ordering = ["enterprise", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "name"], name="trace_named_query_once_per_enterprise"
            ),
        ]

    def __str__(self) -> str:
        return self.name
