"""Checks an EPCIS 2.0 JSON/JSON-LD document before anything is stored.

Two layers, both ours (the GS1 JSON Schema may not be redistributed, and the app must not read
files outside itself): a structural schema written here from the EPCIS 2.0 standard and run by
``jsonschema`` (field types, required fields, closed objects, value patterns), then rules a JSON
Schema cannot say well (CBV vocabularies, field dependencies between action and lists,
timestamps with an offset, identifiers that must translate). Every problem names the event's
index in the document (None for the document itself), the field as a path, the value and the
reason. Events are checked one by one, so with ``proceed`` the valid ones can still be saved.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from fastjsonschema import JsonSchemaException
from jsonschema.exceptions import ValidationError

from .choices import ROLE_LISTS, EventType, IdentifierRole
from .hashing import CBV, namespaces
from .identifiers import IdentifierError, canonical
from .schema import (
    DOCUMENT_TYPES,
    NAMESPACED,
    TIMESTAMP,
    VALIDATORS,
    VOCABULARIES,
    fast_check,
)

# -- results --------------------------------------------------------------------------------


@dataclass
class Problem:
    """One reason to refuse: the event's index (None: the document), field path, value, why."""

    index: int | None
    field: str
    value: str
    reason: str

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "field": self.field,
            "value": self.value,
            "reason": self.reason,
        }


@dataclass
class CleanIdentifier:
    role: IdentifierRole
    uri: str
    quantity: Decimal | None = None
    uom: str = ""


@dataclass
class CleanEvent:
    """A valid event: the JSON as received and the columns extracted from it."""

    index: int
    data: Mapping[str, Any]
    event_type: str
    event_time: datetime
    event_time_zone_offset: str
    action: str
    biz_step: str
    disposition: str
    read_point: str
    biz_location: str
    transformation_id: str
    event_id: str
    error_declaration: Mapping[str, Any] | None
    identifiers: list[CleanIdentifier] = field(default_factory=list)


@dataclass
class CheckedDocument:
    context: Any = None
    event_count: int = 0
    events: list[CleanEvent] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def document_refused(self) -> bool:
        """A problem with the document itself: no event can be saved, whatever the behaviour."""
        return any(p.index is None for p in self.problems)


# -- helpers --------------------------------------------------------------------------------

_EVENT_TYPES = frozenset(EventType.values)

# A document names the same lots, machines and places over and over; canonical() is pure, so
# each is translated once (a refused identifier raises and is not remembered).
_canonical = lru_cache(maxsize=65536)(canonical)


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _shown(value: Any) -> str:
    if isinstance(value, dict | list):
        return ""
    return str(value)[:200]


def _schema_problems(schema: str, data: Any, index: int | None) -> list[Problem]:
    try:
        fast_check(schema)(data)
    except JsonSchemaException:
        pass
    else:
        return []
    problems = []
    errors: list[ValidationError] = sorted(
        VALIDATORS[schema].iter_errors(data), key=lambda e: e.path
    )
    for error in errors:
        path = list(error.absolute_path)
        if error.validator == "required":
            match = re.match(r"'(.+)' is a required property", error.message)
            name = match.group(1) if match else ""
            problems.append(Problem(index, _path([*path, name]), "", _("required field missing")))
        elif error.validator == "additionalProperties":
            known = error.schema.get("properties", {})
            pattern = re.compile(NAMESPACED)
            for name in error.instance:
                if name not in known and not pattern.match(name):
                    problems.append(
                        Problem(
                            index,
                            _path([*path, name]),
                            "",
                            _(
                                "unknown field; an extension field needs a namespace "
                                "prefix declared in @context (e.g. example:%(name)s)"
                            )
                            % {"name": name},
                        )
                    )
        else:
            reason = error.message
            if error.validator == "pattern" and "description" in error.schema:
                reason = error.schema["description"]
            problems.append(Problem(index, _path(path), _shown(error.instance), reason[:300]))
    return problems


def parse_timestamp(text: Any) -> datetime | None:
    """An RFC 3339 timestamp with its offset (Z or ±hh:mm) as an aware datetime; else None."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    match = TIMESTAMP.fullmatch(text)
    if not match:
        return None
    try:  # the usual spelling, parsed in C; fromisoformat truncates past microseconds too
        return datetime.fromisoformat(text)
    except ValueError:
        pass  # lower-case t or z, or no such day or offset: decided below
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction = match.group(7) or ".0"
    micro = int((fraction[1:] + "000000")[:6])
    offset = timedelta(0)
    if match.group(9):
        sign = -1 if match.group(9) == "-" else 1
        hours, minutes = int(match.group(10)), int(match.group(11))
        if hours > 23 or minutes > 59:
            return None
        offset = sign * timedelta(hours=hours, minutes=minutes)
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=timezone(offset))
    except ValueError:
        return None


def vocabulary_uri(value: str, vocabulary: str, prefixes: Mapping[str, str]) -> str | None:
    """The stored form of a CBV-typed value, or None when it claims to be CBV and is not.

    A bare word must be one of CBV 2.0's; a CBV URI (web or 1.x URN) must end in one; any other
    URI or CURIE is the sender's own vocabulary, kept (CURIEs expanded when @context says how).
    """
    web, urn, words, _what = VOCABULARIES[vocabulary]
    value = value.strip()
    if ":" not in value:
        return CBV + web + value if value in words else None
    if value.startswith(urn):
        word = value[len(urn) :]
        return CBV + web + word if word in words else None
    prefix, _colon, rest = value.partition(":")
    if prefix in prefixes and not rest.startswith("//"):
        value = prefixes[prefix] + rest
    if value.startswith(CBV + web):
        return value if value[len(CBV + web) :] in words else None
    return value


def _quantity(raw: Any) -> Decimal | None:
    if raw is None:
        return None
    try:
        return Decimal(str(raw)).quantize(Decimal("0.000001"), ROUND_HALF_UP)
    except InvalidOperation:
        return None


# -- one event ------------------------------------------------------------------------------


class _EventChecker:
    def __init__(self, index: int, event: Mapping[str, Any], prefixes: Mapping[str, str]):
        self.index = index
        self.event = event
        self.prefixes = prefixes
        self.problems: list[Problem] = []

    def problem(self, path: str, value: Any, reason: str) -> None:
        self.problems.append(Problem(self.index, path, _shown(value), reason))

    def time(self, path: str, value: Any) -> datetime | None:
        moment = parse_timestamp(value)
        if moment is None:
            self.problem(
                path,
                value,
                _(
                    "not a date and time with a time zone (RFC 3339, e.g. "
                    "2026-03-01T08:00:00+08:00 or 2026-03-01T00:00:00Z)"
                ),
            )
        return moment

    def term(self, path: str, value: str, vocabulary: str) -> str:
        stored = vocabulary_uri(value, vocabulary, self.prefixes)
        if stored is None:
            what = VOCABULARIES[vocabulary][3]
            self.problem(
                path,
                value,
                _("not a CBV 2.0 %(what)s; use a CBV word or a URI of your own vocabulary")
                % {"what": what},
            )
            return ""
        return stored

    def identifier(self, path: str, value: str) -> str:
        try:
            return _canonical(value)
        except IdentifierError as exc:
            self.problem(path, value, _("not a valid identifier: %(error)s") % {"error": exc})
            return ""

    def check(self) -> CleanEvent | None:
        event, kind = self.event, self.event.get("type")
        if kind not in _EVENT_TYPES:
            self.problem(
                "type",
                kind,
                _("not an EPCIS 2.0 event type; use one of %(types)s")
                % {"types": ", ".join(EventType.values)},
            )
            return None
        self.problems = _schema_problems(kind, event, self.index)
        if self.problems:
            return None
        event_time = self.time("eventTime", event["eventTime"])
        if "recordTime" in event:
            self.time("recordTime", event["recordTime"])
        self._times_inside()
        words = self._vocabulary()
        self._dependencies(kind)
        identifiers = self._identifiers()
        read_point = biz_location = ""
        if "readPoint" in event:
            read_point = self.identifier("readPoint.id", event["readPoint"]["id"])
        if "bizLocation" in event:
            biz_location = self.identifier("bizLocation.id", event["bizLocation"]["id"])
        for list_name, key in (("sourceList", "source"), ("destinationList", "destination")):
            for i, entry in enumerate(event.get(list_name, [])):
                self.identifier(f"{list_name}[{i}].{key}", entry[key])
        if self.problems or event_time is None:
            return None
        return CleanEvent(
            index=self.index,
            data=event,
            event_type=kind,
            event_time=event_time,
            event_time_zone_offset=event["eventTimeZoneOffset"],
            action=event.get("action", ""),
            biz_step=words.get("bizStep", ""),
            disposition=words.get("disposition", ""),
            read_point=read_point,
            biz_location=biz_location,
            transformation_id=event.get("transformationID", ""),
            event_id=event.get("eventID", ""),
            error_declaration=event.get("errorDeclaration"),
            identifiers=identifiers,
        )

    def _times_inside(self) -> None:
        declaration = self.event.get("errorDeclaration")
        if declaration is not None:
            self.time("errorDeclaration.declarationTime", declaration["declarationTime"])
        for i, element in enumerate(self.event.get("sensorElementList", [])):
            metadata = element.get("sensorMetadata", {})
            for name in ("time", "startTime", "endTime"):
                if name in metadata:
                    self.time(f"sensorElementList[{i}].sensorMetadata.{name}", metadata[name])
            for j, report in enumerate(element["sensorReport"]):
                if "time" in report:
                    self.time(f"sensorElementList[{i}].sensorReport[{j}].time", report["time"])

    def _vocabulary(self) -> dict[str, str]:
        event, stored = self.event, {}
        for name, vocabulary in (("bizStep", "bizStep"), ("disposition", "disposition")):
            if name in event:
                stored[name] = self.term(name, event[name], vocabulary)
        for name, values in event.get("persistentDisposition", {}).items():
            for i, value in enumerate(values):
                self.term(f"persistentDisposition.{name}[{i}]", value, "disposition")
        for i, entry in enumerate(event.get("bizTransactionList", [])):
            if "type" in entry:
                self.term(f"bizTransactionList[{i}].type", entry["type"], "btt")
        for list_name in ("sourceList", "destinationList"):
            for i, entry in enumerate(event.get(list_name, [])):
                self.term(f"{list_name}[{i}].type", entry["type"], "sdt")
        reason = event.get("errorDeclaration", {}).get("reason")
        if reason is not None:
            self.term("errorDeclaration.reason", reason, "er")
        return stored

    def _dependencies(self, kind: str) -> None:
        event = self.event
        action = event.get("action")

        def has(name: str) -> bool:
            return bool(event.get(name))

        if "persistentDisposition" in event and not event["persistentDisposition"]:
            self.problem("persistentDisposition", "", _("give set, unset or both"))
        if kind == EventType.OBJECT:
            if action in ("ADD", "DELETE") and not (has("epcList") or has("quantityList")):
                self.problem(
                    "epcList",
                    "",
                    _("an ObjectEvent with action %(action)s needs epcList or quantityList")
                    % {"action": action},
                )
            elif action == "OBSERVE" and not (
                "epcList" in event
                or has("quantityList")
                or (has("sensorElementList") and "readPoint" in event)
            ):
                self.problem(
                    "epcList",
                    "",
                    _("an ObjectEvent needs epcList, quantityList or sensor data with a readPoint"),
                )
            if "ilmd" in event and action != "ADD":
                self.problem("ilmd", "", _("ilmd is only allowed with action ADD"))
        elif kind in (EventType.AGGREGATION, EventType.ASSOCIATION):
            if action in ("ADD", "DELETE") and "parentID" not in event:
                self.problem(
                    "parentID",
                    "",
                    _("an %(type)s with action %(action)s needs a parentID")
                    % {"type": kind, "action": action},
                )
            if action in ("ADD", "OBSERVE") and not (has("childEPCs") or has("childQuantityList")):
                self.problem(
                    "childEPCs",
                    "",
                    _("an %(type)s with action %(action)s needs childEPCs or childQuantityList")
                    % {"type": kind, "action": action},
                )
        elif kind == EventType.TRANSACTION:
            if action != "DELETE" and not ("epcList" in event or has("quantityList")):
                self.problem("epcList", "", _("a TransactionEvent needs epcList or quantityList"))
        elif kind == EventType.TRANSFORMATION:
            inputs = has("inputEPCList") or has("inputQuantityList")
            outputs = has("outputEPCList") or has("outputQuantityList")
            if not (inputs and outputs) and not (
                "transformationID" in event and (inputs or outputs)
            ):
                self.problem(
                    "inputEPCList" if not inputs else "outputEPCList",
                    "",
                    _(
                        "a TransformationEvent needs inputs and outputs (inputEPCList or "
                        "inputQuantityList, outputEPCList or outputQuantityList), or a "
                        "transformationID with at least one of them"
                    ),
                )

    def _identifiers(self) -> list[CleanIdentifier]:
        event, found = self.event, []
        if "parentID" in event:
            uri = self.identifier("parentID", event["parentID"])
            found.append(CleanIdentifier(IdentifierRole.PARENT, uri))
        for list_name, role in ROLE_LISTS.items():
            for i, item in enumerate(event.get(list_name, [])):
                if list_name.endswith("QuantityList") or list_name == "quantityList":
                    uri = self.identifier(f"{list_name}[{i}].epcClass", item["epcClass"])
                    if "uom" in item and "quantity" not in item:
                        self.problem(
                            f"{list_name}[{i}].uom", item["uom"], _("uom without a quantity")
                        )
                    quantity = _quantity(item.get("quantity"))
                    if quantity is not None and abs(quantity) >= Decimal("1e18"):
                        self.problem(f"{list_name}[{i}].quantity", item["quantity"], _("too large"))
                    elif quantity is not None and quantity < 0:
                        # Genealogy sums quantities: a negative one makes false remainders.
                        reason = _("a quantity cannot be negative")
                        self.problem(f"{list_name}[{i}].quantity", item["quantity"], reason)
                    found.append(CleanIdentifier(role, uri, quantity, item.get("uom", "")))
                else:
                    uri = self.identifier(f"{list_name}[{i}]", item)
                    found.append(CleanIdentifier(role, uri))
        return found


# -- the document ---------------------------------------------------------------------------


def events_of(document: Mapping[str, Any]) -> list[Any]:
    """The event list of an EPCISDocument or EPCISQueryDocument (assumed structurally valid)."""
    body = document["epcisBody"]
    if document["type"] == "EPCISQueryDocument":
        body = body["queryResults"]["resultsBody"]
    return list(body["eventList"])


def check_document(document: Any) -> CheckedDocument:
    """Check a parsed JSON body; events are checked even when others are invalid."""
    checked = CheckedDocument()
    if not isinstance(document, Mapping):
        checked.problems.append(
            Problem(None, "", "", _("the body must be a JSON object (an EPCISDocument)"))
        )
        return checked
    kind = document.get("type")
    if kind not in DOCUMENT_TYPES:
        checked.problems.append(
            Problem(
                None,
                "type",
                _shown(kind),
                _("capture takes an EPCISDocument or EPCISQueryDocument"),
            )
        )
        return checked
    checked.problems = _schema_problems(kind, document, None)
    created = document.get("creationDate")
    if isinstance(created, str) and parse_timestamp(created) is None:
        checked.problems.append(
            Problem(
                None,
                "creationDate",
                _shown(document["creationDate"]),
                _("not a date and time with a time zone (RFC 3339)"),
            )
        )
    if checked.document_refused:
        return checked
    checked.context = document["@context"]
    prefixes = namespaces(checked.context)
    events = events_of(document)
    checked.event_count = len(events)
    for index, event in enumerate(events):
        checker = _EventChecker(index, event, prefixes)
        clean = checker.check()
        checked.problems.extend(checker.problems)
        if clean is not None:
            checked.events.append(clean)
    return checked


#: Deepest nesting of JSON objects and arrays, or of XML elements, that capture reads. EPCIS
#: needs about a dozen levels; deeper input would overflow the recursive readers (RecursionError).
MAX_NESTING = 64


def too_deep(value: Any) -> bool:
    """Whether a parsed JSON value nests objects and arrays deeper than ``MAX_NESTING``
    (walked with a stack of its own, so any depth is measured)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_NESTING:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children)
    return False


def nesting_reason() -> str:
    return _("nested deeper than %(max)d levels") % {"max": MAX_NESTING}


def count_events(document: Any) -> int:
    """How many events a body carries, for the capture limit (0 when it has no event list)."""
    try:
        return len(events_of(document))
    except (KeyError, TypeError, AttributeError):
        return 0
