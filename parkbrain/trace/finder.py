"""Finding lots without GS1 syntax: a quality engineer knows a lot by its number, its product,
its work order, the machine or place that made it, or the day; genealogy and recall both
start from what this finds (one place). A full EPC URN or GS1 Digital Link still works.

Everything is read from the querysets the caller passes (already restricted to what the
principal may see): its events and identifiers, its locations, its products.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from urllib.parse import quote, unquote

from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .choices import EventType, IdentifierRole
from .genealogy import TraceError, start_identifier
from .models import AttributeKind, Event, EventAttribute, EventIdentifier, Location, Product
from .products import class_prefix, gtin_of, names_by_gtin, serial_prefix

#: Most lots one search lists to choose from.
FOUND_MAX = 50
SUGGEST_MAX = 10
#: Suggestions look at no more candidates than this per kind (a lot number typed as "2").
SUGGEST_SCAN = 200

LOT = "lot"
ORDER = "order"
PLACE = "place"
PRODUCT = "product"
DATE = "date"
IDENTIFIER = "identifier"
KIND_NAMES = {
    LOT: gettext_lazy("Lot number"),
    ORDER: gettext_lazy("Work order"),
    PLACE: gettext_lazy("Machine or place"),
    PRODUCT: gettext_lazy("Product"),
    DATE: gettext_lazy("Date"),
    IDENTIFIER: gettext_lazy("Identifier"),
}

_R = IdentifierRole
#: Roles in which an event made or saw a lot or serial (an input was used up, not made).
_MADE_OR_SEEN = (_R.EPC, _R.QUANTITY, _R.OUTPUT, _R.OUTPUT_QUANTITY, _R.CHILD, _R.CHILD_QUANTITY)
_GOODS = Q(uri__startswith="urn:epc:class:lgtin:") | Q(uri__startswith="urn:epc:id:sgtin:")


class Sources(NamedTuple):
    """What a principal may search: its events, locations and products."""

    events: QuerySet[Event]
    places: QuerySet[Location]
    products: QuerySet[Product]


@dataclass
class Found:
    """What a search text named (``kind``) and the lots and serials it stands for, newest
    first; ``more`` when there were more than ``FOUND_MAX``."""

    text: str
    kind: str
    uris: list[str] = field(default_factory=list)
    more: bool = False

    @property
    def kind_name(self) -> str:
        return str(KIND_NAMES.get(self.kind, ""))


def looks_like_identifier(text: str) -> bool:
    return text.startswith(("urn:", "http://", "https://"))


def lot_number(uri: str) -> str:
    """The lot number or serial of a GS1 identifier, the part after its last dot."""
    return uri.rsplit(".", 1)[-1] if uri.startswith("urn:epc:") else uri.rsplit("/", 1)[-1]


def find(text: str, sources: Sources) -> Found:
    """The lots and serials `text` names: an identifier as it is; else the first of a lot
    number, a work order, a machine or place by name, a product by name, a date (2026-05-26),
    a part of a lot number that matches anything. Raises TraceError for an empty text."""
    text = (text or "").strip()
    if not text:
        raise TraceError("epc", text, _("type a lot number, product, machine, place or date"))
    if looks_like_identifier(text):
        return Found(text, IDENTIFIER, [start_identifier(text)])
    for kind, identifiers in _searches(text, sources):
        uris = _newest(identifiers)
        if uris:
            return Found(text, kind, uris[:FOUND_MAX], len(uris) > FOUND_MAX)
    return Found(text, "")


def find_one(text: str, sources: Sources, field_name: str = "epc") -> str:
    """The one identifier `text` names; raises TraceError saying what it found instead."""
    found = find(text, sources)
    if len(found.uris) == 1:
        return found.uris[0]
    if not found.uris:
        reason = _("no lot, work order, product, machine or place of yours is called this")
        raise TraceError(field_name, text, reason)
    shown = ", ".join(lot_number(uri) for uri in found.uris[:5])
    reason = _("%(count)s lots match (%(lots)s); choose one") % {
        "count": f"{len(found.uris)}+" if found.more else len(found.uris),
        "lots": shown,
    }
    raise TraceError(field_name, text, reason)


def _identifiers(sources: Sources) -> QuerySet[EventIdentifier]:
    # Probed per identifier by primary key, as genealogy.node_events does.
    visible = sources.events.filter(pk=OuterRef("event_id")).order_by()
    return EventIdentifier.objects.filter(Exists(visible))


def _searches(text: str, sources: Sources) -> Iterator[tuple[str, QuerySet[EventIdentifier]]]:
    """The searches in the order they are tried, each a query of identifier rows."""
    every = _identifiers(sources)
    yield LOT, every.filter(uri__iendswith="." + text)
    orders = EventAttribute.objects.filter(kind=AttributeKind.BIZ_TRANSACTION).filter(
        Q(text__iendswith="/" + quote(text, safe="")) | Q(text__iendswith=":" + text)
    )
    yield ORDER, _made(every.filter(event__in=orders.values("event_id")))
    for places in (sources.places.filter(name=text), sources.places.filter(name__icontains=text)):
        uris = list(places.values_list("uri", flat=True)[:FOUND_MAX])
        if uris:
            at = sources.events.filter(Q(read_point__in=uris) | Q(biz_location__in=uris))
            yield PLACE, _made(every.filter(event__in=at.values("id")))
    gtins = set(sources.products.filter(name__icontains=text).values_list("gtin", flat=True))
    if gtins:
        starts = Q()
        for gtin in gtins:
            starts |= Q(uri__startswith=class_prefix(gtin)) | Q(uri__startswith=serial_prefix(gtin))
        yield PRODUCT, every.filter(starts)
    day = _date(text)
    if day is not None:
        start = timezone.make_aware(datetime.combine(day, time()))
        that_day = sources.events.filter(
            event_time__gte=start, event_time__lt=start + timedelta(days=1)
        )
        yield DATE, _made(every.filter(event__in=that_day.values("id")))
    yield LOT, every.filter(_GOODS, uri__icontains=text)


def _made(identifiers: QuerySet[EventIdentifier]) -> QuerySet[EventIdentifier]:
    return identifiers.filter(_GOODS, role__in=_MADE_OR_SEEN)


def _newest(identifiers: QuerySet[EventIdentifier]) -> list[str]:
    rows = (
        identifiers.values("uri")
        .annotate(last=Max("event__event_time"))
        .order_by("-last", "uri")
        .values_list("uri", flat=True)
    )
    return list(rows[: FOUND_MAX + 1])


def _date(text: str) -> date | None:
    """A day as people write it: 2026-05-26, 2026/5/26, 2026.5.26, 2026年5月26日."""
    cleaned = text.replace("年", "-").replace("月", "-").replace("日", "")
    parts = cleaned.replace("/", "-").replace(".", "-").split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


# -- suggestions and placeholders ------------------------------------------------------------


def suggest(text: str, sources: Sources) -> list[dict[str, str]]:
    """What the caller may mean by the start of `text`: {value, label, kind} each, lot numbers
    first, then work orders, machines and places, products; at most ``SUGGEST_MAX``."""
    text = (text or "").strip()
    if not text or looks_like_identifier(text):
        return []
    found: list[dict[str, str]] = []
    lots = (
        _identifiers(sources)
        .filter(_GOODS, uri__icontains=text)
        .values_list("uri", flat=True)
        .distinct()[:SUGGEST_SCAN]
    )
    lot_uris = sorted({uri for uri in lots if text.lower() in lot_number(uri).lower()})
    names = names_by_gtin(sources.products, {gtin_of(uri) for uri in lot_uris})
    for uri in lot_uris[:SUGGEST_MAX]:
        product = names.get(gtin_of(uri), "")
        label = f"{lot_number(uri)} · {product}" if product else lot_number(uri)
        found.append(_suggestion(lot_number(uri), label, LOT))
    orders = (
        EventAttribute.objects.filter(
            kind=AttributeKind.BIZ_TRANSACTION,
            event__in=sources.events.values("id"),
            text__icontains=quote(text, safe=""),
        )
        .values_list("text", flat=True)
        .distinct()[:SUGGEST_SCAN]
    )
    numbers = sorted({_order_number(uri) for uri in orders} - {""})
    found += [_suggestion(n, n, ORDER) for n in numbers if text.lower() in n.lower()]
    places = sources.places.filter(name__icontains=text).order_by("name")
    found += [_suggestion(n, n, PLACE) for n in places.values_list("name", flat=True)[:5]]
    products = sources.products.filter(name__icontains=text).order_by("name")
    found += [_suggestion(n, n, PRODUCT) for n in products.values_list("name", flat=True)[:5]]
    unique = {(s["value"], s["kind"]): s for s in found}
    return list(unique.values())[:SUGGEST_MAX]


def _suggestion(value: str, label: str, kind: str) -> dict[str, str]:
    return {"value": value, "label": label, "kind": str(KIND_NAMES[kind])}


def _order_number(uri: str) -> str:
    """A work order's number: the last part of its business transaction URI."""
    return unquote(uri.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1])


def _latest_made(sources: Sources) -> tuple[str, str]:
    """The number of the caller's latest made lot and the name of the machine that made it."""
    made = (
        sources.events.filter(event_type=EventType.TRANSFORMATION)
        .order_by("-event_time", "-id")
        .values_list("id", "read_point")
        .first()
    )
    if made is None:
        return "", ""
    event_id, read_point = made
    uri = (
        EventIdentifier.objects.filter(event_id=event_id, role__in=_MADE_OR_SEEN)
        .order_by("id")
        .values_list("uri", flat=True)
        .first()
    )
    named = sources.places.filter(uri=read_point).exclude(name="")
    return lot_number(uri) if uri else "", named.values_list("name", flat=True).first() or ""


def example(sources: Sources) -> str:
    """A placeholder from the caller's own data: its latest made lot's number and the name
    of the machine that made it (例如 H2611250001 或 渗碳炉 F002); empty without data."""
    lot, machine = _latest_made(sources)
    if lot and machine:
        return _("e.g. %(lot)s or %(machine)s") % {"lot": lot, "machine": machine}
    return _("e.g. %(lot)s") % {"lot": lot} if lot else ""


def machine_example(sources: Sources) -> str:
    """A placeholder for a machine: the one that made the caller's latest lot."""
    _lot, machine = _latest_made(sources)
    return _("e.g. %(lot)s") % {"lot": machine} if machine else ""
