"""The EPCIS Event Hash ID (CBV 2.0, section 8.9): one fingerprint per event, whatever its syntax.

The event is flattened into a canonical pre-hash string (fixed field order, sorted lists, UTC
timestamps in milliseconds, numbers without padding, identifiers as GS1 Digital Links, CBV terms
as web URIs, user extensions as ``{namespace}localName=value``) whose SHA-256 is written as an
RFC 6920 URI. The published test vectors come from GS1 Germany's reference implementation
(RalphTro/epcis-event-hash-generator); where the standard's prose and those vectors differ, this
module follows the vectors so our IDs match everyone else's, and says so at the spot.
"""

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from parkbrain.trace.identifiers import Gs1Key, IdentifierError, gs1_key

HASH_VERSION = "CBV2.0"

CBV = "https://ref.gs1.org/cbv/"
GS1_VOC = "https://gs1.org/voc/"
# Prefixes the EPCIS 2.0 JSON-LD context defines and the XML binding also uses in values.
_STANDARD_PREFIXES = {"gs1": GS1_VOC, "cbv": CBV}

# CBV 1.x URNs -> CBV 2.0 web URIs.
_CBV_URNS = (
    ("urn:epcglobal:cbv:bizstep:", CBV + "BizStep-"),
    ("urn:epcglobal:cbv:disp:", CBV + "Disp-"),
    ("urn:epcglobal:cbv:btt:", CBV + "BTT-"),
    ("urn:epcglobal:cbv:sdt:", CBV + "SDT-"),
    ("urn:epcglobal:cbv:er:", CBV + "ER-"),
)

_QUANTITY = [("epcClass", None), ("quantity", None), ("uom", None)]
_SENSOR_METADATA = [
    (name, None)
    for name in (
        "time",
        "startTime",
        "endTime",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "dataProcessingMethod",
        "bizRules",
    )
]
_SENSOR_REPORT = [
    (name, None)
    for name in (
        "type",
        "exception",
        "deviceID",
        "deviceMetadata",
        "rawData",
        "dataProcessingMethod",
        "time",
        "microorganism",
        "chemicalSubstance",
        "value",
        "component",
        "stringValue",
        "booleanValue",
        "hexBinaryValue",
        "uriValue",
        "minValue",
        "maxValue",
        "meanValue",
        "sDev",
        "percRank",
        "percValue",
        "uom",
        "coordinateReferenceSystem",
    )
]

Order = list[tuple[str, "Order | None"]]

# Canonical property order (CBV 2.0, 8.9.2). bizTransactionList, sourceList, destinationList and
# ilmd are not placed here: the reference implementation renders them among the trailing sorted
# fields (after sensorElementList), and every published vector was produced that way.
EVENT_ORDER: Order = [
    ("eventTime", None),
    ("eventTimeZoneOffset", None),
    ("certificationInfo", None),
    ("parentID", None),
    ("epcList", [("epc", None)]),
    ("inputEPCList", [("epc", None)]),
    ("childEPCs", [("epc", None)]),
    ("quantityList", [("quantityElement", _QUANTITY)]),
    ("childQuantityList", [("quantityElement", _QUANTITY)]),
    ("inputQuantityList", [("quantityElement", _QUANTITY)]),
    ("outputEPCList", [("epc", None)]),
    ("outputQuantityList", [("quantityElement", _QUANTITY)]),
    ("action", None),
    ("transformationID", None),
    ("bizStep", None),
    ("disposition", None),
    ("persistentDisposition", [("set", None), ("unset", None)]),
    ("readPoint", [("id", None)]),
    ("bizLocation", [("id", None)]),
    (
        "sensorElementList",
        [
            (
                "sensorElement",
                [("sensorMetadata", _SENSOR_METADATA), ("sensorReport", _SENSOR_REPORT)],
            )
        ],
    ),
]

# Fields that never enter the hash: they differ between copies of the same event, and an error
# declaration must hash like the event it corrects.
_EXCLUDED = frozenset({"type", "eventID", "recordTime", "errorDeclaration"})
_NOT_DATA = frozenset({"#text", "@context", "rdfs:comment", "comment"})
_PAIR_LISTS = {"bizTransactionList": "BTT-", "sourceList": "SDT-", "destinationList": "SDT-"}
_ITEM_NAMES = {
    "inputEPC": "epc",
    "outputEPC": "epc",
    "quantity": "quantityElement",
    "childQuantity": "quantityElement",
    "inputQuantity": "quantityElement",
    "outputQuantity": "quantityElement",
}
# JSON-LD bare words (e.g. "shipping") and the vocabulary they belong to, by (parent, field).
_BARE_WORDS = {
    (None, "bizStep"): CBV + "BizStep-",
    (None, "disposition"): CBV + "Disp-",
    ("persistentDisposition", "set"): CBV + "Disp-",
    ("persistentDisposition", "unset"): CBV + "Disp-",
    ("errorDeclaration", "reason"): CBV + "ER-",
    ("sensorReport", "type"): GS1_VOC,
    ("sensorReport", "exception"): GS1_VOC,
    ("sensorReport", "component"): CBV + "Comp-",
}
_BARE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.-]*")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?", re.IGNORECASE
)


@dataclass(slots=True)
class _Node:
    name: str
    text: str = ""
    children: list["_Node"] = field(default_factory=list)
    pair: bool = False  # a bizTransaction/source/destination: (type, value) kept in that order


def namespaces(context: Any) -> dict[str, str]:
    """Prefix -> namespace IRI from a JSON-LD @context (string entries name remote contexts)."""
    found: dict[str, str] = {}
    entries = context if isinstance(context, list) else [context]
    for entry in entries:
        if isinstance(entry, Mapping):
            found.update({k: v for k, v in entry.items() if isinstance(v, str)})
    return found


def _expand_name(name: str, prefixes: Mapping[str, str]) -> str:
    prefix, colon, local = name.partition(":")
    if colon and prefix in prefixes:
        return "{" + prefixes[prefix] + "}" + local
    return name


def _expand_value(text: str, prefixes: Mapping[str, str]) -> str:
    prefix, colon, rest = text.partition(":")
    if colon and not rest.startswith("//"):
        namespace = prefixes.get(prefix) or _STANDARD_PREFIXES.get(prefix)
        if namespace:
            return namespace + rest
    return text


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _leaf(name: str, value: Any, parent: str | None, prefixes: Mapping[str, str]) -> _Node:
    text = _expand_value(_scalar(value).strip(), prefixes)
    vocabulary = _BARE_WORDS.get((parent, name))
    if vocabulary and _BARE_WORD.fullmatch(text):
        text = vocabulary + text
    return _Node(name, text)


def _pair(list_name: str, entry: Mapping[str, Any], prefixes: Mapping[str, str]) -> _Node:
    value_name = list_name.removesuffix("List")
    children = []
    if entry.get("type") is not None:
        kind = _expand_value(_scalar(entry["type"]).strip(), prefixes)
        if _BARE_WORD.fullmatch(kind):
            kind = CBV + _PAIR_LISTS[list_name] + kind
        children.append(_Node("type", kind))
    children.append(_leaf(value_name, entry.get(value_name, ""), None, prefixes))
    return _Node("", "", children, pair=True)


def _nodes(name: str, value: Any, parent: str | None, prefixes: Mapping[str, str]) -> list[_Node]:
    """JSON-LD value -> tree nodes shaped like the XML binding (lists become repeated children)."""
    name = _expand_name(name, prefixes)
    if isinstance(value, list):
        if name in _PAIR_LISTS:
            return [_Node(name, "", [_pair(name, e, prefixes) for e in value])]
        if name == "childEPCs" or name.endswith("List"):
            item = "epc" if name == "childEPCs" else name.removesuffix("List")
            item = _ITEM_NAMES.get(item, item)
            children = [n for v in value for n in _nodes(item, v, name, prefixes)]
            return [_Node(name, "", children)]
        return [n for v in value for n in _nodes(name, v, parent, prefixes)]
    # type() first: isinstance against the Mapping ABC is slow and JSON gives plain dicts.
    if type(value) is dict or isinstance(value, Mapping):
        node = _Node(name, _scalar(value.get("#text", "")).strip())
        for key, child in value.items():
            if key not in _NOT_DATA and not key.startswith("@"):
                node.children.extend(_nodes(key, child, name, prefixes))
        return [node]
    if value is None:
        return []
    return [_leaf(name, value, parent, prefixes)]


def _timestamp(text: str) -> str:
    """UTC, millisecond precision (half-up rounding), 'Z'; unparseable text is left as it is."""
    match = _TIMESTAMP.fullmatch(text)
    if not match:
        return text
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    # Half-up to the millisecond: the fourth fractional digit decides.
    fraction = ((match.group(7) or ".")[1:] + "0000")[:4]
    millis = int(fraction[:3]) + (fraction[3] >= "5")
    zone = match.group(8) or "Z"
    offset = timedelta(0)
    if zone.upper() != "Z":
        sign = -1 if zone[0] == "-" else 1
        offset = sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=timezone(offset))
    except ValueError:
        return text
    m = (moment + timedelta(milliseconds=millis)).astimezone(UTC)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}."
        f"{m.microsecond // 1000:03d}Z"
    )


def _number(text: str) -> str:
    # Mirrors the reference: a double, printed without a trailing ".0".
    if not _NUMBER.fullmatch(text):
        return text
    number = float(text)
    return str(int(number)) if number.is_integer() else str(number)


def _hash_identifier(text: str) -> str | None:
    """Digital Link at the finest level the hash uses: no CPV, no lot when a serial is present."""
    try:
        key = gs1_key(text)
    except IdentifierError:
        return None
    if key is None:
        return None
    qualifiers = dict(key.qualifiers)
    qualifiers.pop("22", None)
    if "21" in qualifiers:
        qualifiers.pop("10", None)
    return Gs1Key(key.primary, key.value, tuple(qualifiers.items())).digital_link()


# Identifiers, read points and words recur across a document (a lot is produced, inspected,
# packed): converting each once makes hashing a capture several times faster.
@lru_cache(maxsize=65536)
def canonical_value(text: str) -> str:
    """A field value as the pre-hash string writes it (CBV URNs, numbers, GS1 identifiers)."""
    for urn, web in _CBV_URNS:
        if text.startswith(urn):
            text = web + text[len(urn) :]
    text = _number(text)
    return _hash_identifier(text) or text


@lru_cache(maxsize=4096)
def _is_time_field(name: str) -> bool:
    lowered = name.lower()
    return "time" in lowered and "offset" not in lowered


def _take_nested_extensions(children: list[_Node]) -> list[_Node]:
    """Pull user extensions out of a sub-structure (readPoint, sensorReport, ...) to render last.

    The conditions reproduce the reference implementation: only containers with more than one
    child, never the event itself, and only namespaces ending in '/'.
    """
    if len(children) <= 1:
        return []
    if any("eventTime" in c.name or "action" in c.name for c in children):
        return []
    extensions = [c for c in children if "{" in c.name and "/}" in c.name]
    for extension in extensions:
        children.remove(extension)
    return extensions


def _render_field(node: _Node, order: Order | None) -> str:
    nested = _render_ordered(node.children, order) if order else ""
    text = ""
    if node.text:
        text = _timestamp(node.text) if _is_time_field(node.name) else canonical_value(node.text)
    if not text and not nested:
        return ""
    return node.name + (f"={text}" if text else "") + nested


_POSITIONS: dict[int, dict[str, int]] = {}


def _positions(order: Order) -> dict[str, int]:
    """Field name -> place in a canonical order (the orders are module constants)."""
    found = _POSITIONS.get(id(order))
    if found is None:
        found = _POSITIONS[id(order)] = {name: i for i, (name, _sub) in enumerate(order)}
    return found


def _render_ordered(children: list[_Node], order: Order) -> str:
    """Render the fields named in ``order``; consumed nodes are removed from ``children``."""
    extensions = _take_nested_extensions(children)
    positions = _positions(order)
    named: dict[str, list[_Node]] = {}
    for child in children:
        if child.name in positions:
            named.setdefault(child.name, []).append(child)
    out = ""
    consumed = set()
    # Only the fields present, in canonical order (most of an order's names are absent).
    for name in sorted(named, key=positions.__getitem__):
        sub_order = order[positions[name]][1]
        values = []
        for child in named[name]:
            rendered = _render_field(child, sub_order)
            if rendered:
                values.append(rendered)
            if not child.children:
                consumed.add(id(child))
        out += "".join(sorted(values))
    if consumed:
        children[:] = [c for c in children if id(c) not in consumed]
    if extensions:
        out += _render_generic(extensions)
    return out


def _render_generic(nodes: list[_Node]) -> str:
    """Fields outside the canonical order: ``name=value`` plus nested fields, sorted."""
    rendered = []
    for node in nodes:
        if node.pair:
            rendered.append("".join(_render_generic([c]) for c in node.children))
            continue
        text = f"={canonical_value(node.text)}" if node.text else ""
        rendered.append(node.name + text + _render_generic(node.children))
    return "".join(sorted(rendered))


def prehash_string(
    event: Mapping[str, Any], context: Any = None, ignore_fields: Iterable[str] = ()
) -> str:
    """The canonical pre-hash string of one event in JSON-LD form.

    ``context`` is the document's @context, needed to resolve prefixed extension fields such as
    ``example:myField``; events read from XML carry Clark names and need none. ``ignore_fields``
    lists repository-specific top-level fields to leave out (the 2024 ``ignoreFields`` hint).
    """
    prefixes = namespaces(context)
    event_type = event.get("type") or event.get("eventType")
    if not isinstance(event_type, str):
        raise ValueError("event has no 'type' (ObjectEvent, AggregationEvent, ...)")
    skipped = _EXCLUDED | {_expand_name(f, prefixes) for f in ignore_fields}
    children = [
        node
        for key, value in event.items()
        if key not in _NOT_DATA and not key.startswith("@")
        for node in _nodes(key, value, None, prefixes)
        if node.name not in skipped
    ]
    ordered = _render_ordered(children, EVENT_ORDER)
    return f"eventType={event_type}{ordered}{_render_generic(children)}"


def event_hash_id(
    event: Mapping[str, Any], context: Any = None, ignore_fields: Iterable[str] = ()
) -> str:
    """The Event Hash ID, ``ni:///sha-256;{hex}?ver=CBV2.0``, of one JSON-LD event."""
    digest = hashlib.sha256(prehash_string(event, context, ignore_fields).encode()).hexdigest()
    return f"ni:///sha-256;{digest}?ver={HASH_VERSION}"


def document_events(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The events of an EPCISDocument or EPCISQueryDocument (JSON-LD), in document order."""
    body = document.get("epcisBody", {})
    if "queryResults" in body:
        body = body["queryResults"].get("resultsBody", {})
    if "eventList" in body:
        return list(body["eventList"])
    return [body["event"]] if "event" in body else []


def document_ignore_fields(document: Mapping[str, Any]) -> list[str]:
    """Field names listed in a document-level ``…:ignoreFields`` entry (any namespace)."""
    found: list[str] = []
    stack: list[Any] = [document]
    while stack:
        current = stack.pop()
        if not isinstance(current, Mapping):
            continue
        for key, value in current.items():
            if key.rpartition(":")[2].rpartition("}")[2] == "ignoreFields":
                found.extend(value if isinstance(value, list) else [value])
            elif key not in ("eventList", "event", "@context"):
                stack.append(value)
    return found


def document_hash_ids(document: Mapping[str, Any]) -> list[str]:
    """Event Hash IDs of every event in a JSON-LD document, resolving its @context."""
    context = document.get("@context")
    ignored = document_ignore_fields(document)
    return [event_hash_id(e, context, ignored) for e in document_events(document)]
