"""Values inside an event's JSON that SimpleEventQuery filters on and ``Event`` has no column
for: business transactions, sources and destinations, persistent dispositions, the error
declaration, sensor readings, and extension and ILMD fields.

``event_attributes`` reads them from a stored event (pure); ``index_events`` writes them to
``EventAttribute`` at capture; ``AttributeFilter`` is one query parameter over that table, each
an index lookup on (kind, name, value). Extension names are kept as ``{namespace}localName``,
so the prefix an event used does not matter: a query names the namespace through a prefix it
declares (GS1-Extensions header, or a named query's @context) or in the same brace form.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from .choices import EventType
from .hashing import CBV, GS1_VOC, namespaces
from .identifiers import IdentifierError, canonical
from .models import URI_LENGTH, AttributeKind, EventAttribute, EventBody, event_id_batches
from .schema import EVENT_SCHEMAS
from .validation import parse_timestamp, vocabulary_uri

K = AttributeKind
STANDARD_PREFIXES = {"cbv": CBV, "gs1": GS1_VOC}
# The largest number the numeric column holds (30 digits, 12 after the point).
_NUMBER_LIMIT = Decimal("1e18")
_NUMBER_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_SENSOR_TEXT = (
    "deviceID",
    "dataProcessingMethod",
    "bizRules",
    "microorganism",
    "chemicalSubstance",
    "stringValue",
    "uriValue",
)
_SENSOR_TIMES = ("time", "startTime", "endTime")
#: Sensor report fields that carry a measurement in the report's uom.
MEASURES = ("value", "minValue", "maxValue", "meanValue", "sDev", "percValue")
_STANDARD_FIELDS = {kind: frozenset(s["properties"]) for kind, s in EVENT_SCHEMAS.items()}
_SENSOR_ELEMENT_FIELDS = frozenset({"sensorMetadata", "sensorReport"})
_ERROR_FIELDS = frozenset({"declarationTime", "reason", "correctiveEventIDs"})


@dataclass(frozen=True)
class Row:
    """One value to index (an unsaved ``EventAttribute`` without its event)."""

    kind: str
    name: str
    text: str = ""
    number: Decimal | None = None
    moment: datetime | None = None
    uom: str = ""


# -- reading values out of an event ---------------------------------------------------------


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        text = repr(value)
    elif isinstance(value, str) and _NUMBER_TEXT.fullmatch(value.strip()):
        text = value.strip()
    else:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) >= _NUMBER_LIMIT:
        return None
    return number.quantize(Decimal("1e-12"))


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _value_row(kind: str, name: str, value: Any, uom: str = "") -> Row | None:
    """A scalar as a row; None when its text is too long to index."""
    text = _scalar_text(value)
    if len(text) > URI_LENGTH:
        return None
    moment = parse_timestamp(text) if isinstance(value, str) else None
    return Row(kind, name, text, _number(value), moment, uom)


def expand_name(name: str, prefixes: Mapping[str, str]) -> str:
    """``prefix:local`` -> ``{namespace}local`` when the prefix is declared; else as given."""
    prefix, colon, local = name.partition(":")
    if colon and not name.startswith("{") and prefix in prefixes:
        return "{" + prefixes[prefix] + "}" + local
    return name


def _expand_value(text: str, prefixes: Mapping[str, str]) -> str:
    prefix, colon, rest = text.partition(":")
    namespace = prefixes.get(prefix) if colon and not rest.startswith("//") else None
    return namespace + rest if namespace else text


def _identifier(text: str) -> str:
    try:
        return canonical(text)
    except IdentifierError:
        return text


def _fields(kind: str, inner: str, name: str, value: Any, prefixes: Mapping[str, str]) -> list[Row]:
    """Rows of one extension field: its own value(s) under `kind`, every field nested in it
    (at any depth) under `inner`. An object gives a row without value, for EXISTS_."""
    rows: list[Row] = []
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, Mapping):
            text = item.get("#text")
            row = _value_row(kind, name, text) if text is not None else Row(kind, name)
            rows.extend([row] if row else [])
            for key, child in item.items():
                if key != "#text" and not key.startswith("@"):
                    rows.extend(_fields(inner, inner, expand_name(key, prefixes), child, prefixes))
        elif item is not None:
            row = _value_row(kind, name, item)
            rows.extend([row] if row else [])
    return rows


def _extensions(
    data: Mapping[str, Any],
    standard: frozenset[str],
    kind: str,
    inner: str,
    prefixes: Mapping[str, str],
) -> list[Row]:
    rows: list[Row] = []
    for key, value in data.items():
        if key in standard or key.startswith("@") or key == "#text":
            continue
        rows.extend(_fields(kind, inner, expand_name(key, prefixes), value, prefixes))
    return rows


def _typed(
    kind: str,
    entries: Iterable[Mapping[str, Any]],
    value_key: str,
    vocabulary: str,
    prefixes: Mapping[str, str],
    identifiers: bool,
) -> list[Row]:
    rows = []
    for entry in entries:
        kind_text = entry.get("type")
        type_uri = ""
        if kind_text is not None:
            type_uri = vocabulary_uri(str(kind_text), vocabulary, prefixes) or str(kind_text)
        value = _expand_value(str(entry.get(value_key, "")).strip(), prefixes)
        rows.append(Row(kind, type_uri, _identifier(value) if identifiers else value))
    return rows


def _sensor_type(text: str, prefixes: Mapping[str, str]) -> str:
    """A sensor report type as a full URI: ``gs1:Temperature`` and ``Temperature`` alike."""
    text = text.strip()
    if ":" not in text:
        return GS1_VOC + text
    return _expand_value(text, prefixes)


def _sensor_rows(elements: Iterable[Mapping[str, Any]], prefixes: Mapping[str, str]) -> list[Row]:
    rows: list[Row] = []
    for element in elements:
        rows.append(Row(K.SENSOR, "sensorElement"))
        rows.extend(
            _extensions(
                element,
                _SENSOR_ELEMENT_FIELDS,
                K.SENSOR_ELEMENT_EXTENSION,
                K.SENSOR_ELEMENT_EXTENSION,
                prefixes,
            )
        )
        metadata = element.get("sensorMetadata") or {}
        rows.extend(_sensor_part(metadata, K.SENSOR_METADATA_EXTENSION, prefixes))
        for report in element.get("sensorReport") or []:
            rows.extend(_sensor_part(report, K.SENSOR_REPORT_EXTENSION, prefixes))
    return rows


_SENSOR_FIELDS = frozenset(
    {*_SENSOR_TEXT, *_SENSOR_TIMES, *MEASURES, "type", "booleanValue", "hexBinaryValue"}
    | {"percRank", "uom", "exception", "deviceMetadata", "rawData", "component"}
    | {"coordinateReferenceSystem"}
)


def _sensor_part(
    part: Mapping[str, Any], extension_kind: str, prefixes: Mapping[str, str]
) -> list[Row]:
    """Rows of a sensorMetadata or one sensorReport."""
    rows: list[Row] = []
    uom = str(part.get("uom", "")).strip()[:4]
    for name, value in part.items():
        if name in _SENSOR_TEXT:
            rows.append(Row(K.SENSOR, name, _expand_value(str(value).strip(), prefixes)[:500]))
        elif name in _SENSOR_TIMES:
            rows.append(Row(K.SENSOR, name, str(value)[:500], moment=parse_timestamp(value)))
        elif name == "type":
            rows.append(Row(K.SENSOR, name, _sensor_type(str(value), prefixes)[:500]))
        elif name == "booleanValue":
            rows.append(Row(K.SENSOR, name, _scalar_text(value).lower()))
        elif name == "hexBinaryValue":
            rows.append(Row(K.SENSOR, name, str(value).strip().upper()[:500]))
        elif name in MEASURES:
            rows.append(Row(K.SENSOR, name, _scalar_text(value), _number(value), uom=uom))
        elif name == "percRank":
            rows.append(Row(K.SENSOR, name, _scalar_text(value), _number(value)))
        elif name not in _SENSOR_FIELDS:
            rows.extend(
                _fields(
                    extension_kind, extension_kind, expand_name(name, prefixes), value, prefixes
                )
            )
    return rows


def event_attributes(data: Mapping[str, Any], context: Any) -> list[Row]:
    """Every indexed value of one event (its JSON as captured, and its document's @context)."""
    prefixes = {
        **STANDARD_PREFIXES,
        **namespaces(data.get("@context", context)),
        **namespaces(context),
    }
    rows: list[Row] = []
    rows.extend(
        _typed(
            K.BIZ_TRANSACTION,
            data.get("bizTransactionList", []),
            "bizTransaction",
            "btt",
            prefixes,
            identifiers=False,
        )
    )
    rows.extend(
        _typed(K.SOURCE, data.get("sourceList", []), "source", "sdt", prefixes, identifiers=True)
    )
    rows.extend(
        _typed(
            K.DESTINATION,
            data.get("destinationList", []),
            "destination",
            "sdt",
            prefixes,
            identifiers=True,
        )
    )
    persistent = data.get("persistentDisposition") or {}
    for key, kind in (("set", K.PERSISTENT_SET), ("unset", K.PERSISTENT_UNSET)):
        for value in persistent.get(key, []):
            rows.append(Row(kind, "", vocabulary_uri(value, "disposition", prefixes) or value))
    declaration = data.get("errorDeclaration")
    if isinstance(declaration, Mapping):
        moment = parse_timestamp(declaration.get("declarationTime"))
        rows.append(Row(K.ERROR, "declarationTime", moment=moment))
        if declaration.get("reason") is not None:
            reason = str(declaration["reason"])
            rows.append(Row(K.ERROR, "reason", vocabulary_uri(reason, "er", prefixes) or reason))
        for corrective in declaration.get("correctiveEventIDs") or []:
            rows.append(Row(K.ERROR, "correctiveEventID", str(corrective)[:500]))
        rows.extend(
            _extensions(
                declaration, _ERROR_FIELDS, K.ERROR_EXTENSION, K.ERROR_EXTENSION_INNER, prefixes
            )
        )
    rows.extend(_sensor_rows(data.get("sensorElementList") or [], prefixes))
    if isinstance(data.get("ilmd"), Mapping):
        rows.extend(_extensions(data["ilmd"], frozenset(), K.ILMD, K.ILMD_INNER, prefixes))
    standard = _STANDARD_FIELDS.get(data.get("type", ""), _STANDARD_FIELDS[EventType.OBJECT])
    rows.extend(_extensions(data, standard, K.EXTENSION, K.EXTENSION_INNER, prefixes))
    return rows


def index_events(event_ids: Iterable[int]) -> int:
    """(Re)write the attribute rows of the given stored events; returns how many rows.

    Called by capture for new events and for events an errorDeclaration was added to; safe
    to repeat, since each event's rows are replaced.
    """
    event_ids = list(event_ids)
    if not event_ids:
        return 0
    bodies = EventBody.objects.filter(event_id__in=event_ids)
    rows = [
        EventAttribute(
            event_id=body.event_id,
            kind=row.kind,
            name=row.name[:URI_LENGTH],
            text=row.text[:URI_LENGTH],
            number=row.number,
            moment=row.moment,
            uom=row.uom,
        )
        for body in bodies
        for row in event_attributes(body.event_json, body.context)
    ]
    with transaction.atomic():
        EventAttribute.objects.filter(event_id__in=event_ids).delete()
        EventAttribute.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def rebuild(batch_size: int = 1000) -> int:
    """Index every stored event again (after a change to what is indexed); safe to repeat."""
    return sum(index_events(batch) for batch in event_id_batches(batch_size))


# -- query parameters over the attribute table ----------------------------------------------


class ParameterError(ValueError):
    """A parameter this module recognises but cannot use; the message says why."""


@dataclass(frozen=True)
class AttributeFilter:
    """Events with an attribute row of `kind` and `name` whose value passes `op`: ``in``
    (text in `values`, or number or time equal), ``exists``, or a comparison (gt, gte, lt,
    lte) on the number or the moment; `uom` narrows sensor measurements to one unit.
    `negate` selects the events without such a row instead."""

    kind: str
    name: str
    op: str
    values: tuple[Any, ...] = ()
    uom: str | None = None
    negate: bool = False

    def condition(self) -> Q:
        rows = Q(kind=self.kind, name=self.name)
        if self.uom is not None:
            rows &= Q(uom=self.uom)
        if self.op == "exists":
            return rows
        if self.op == "in":
            texts = [v for v in self.values if isinstance(v, str)]
            numbers = [v for v in self.values if isinstance(v, Decimal)]
            moments = [v for v in self.values if isinstance(v, datetime)]
            value = Q(text__in=texts) if texts else Q(pk__in=[])
            if numbers:
                value |= Q(number__in=numbers)
            if moments:
                value |= Q(moment__in=moments)
            return rows & value
        bound = self.values[0]
        column = "moment" if isinstance(bound, datetime) else "number"
        return rows & Q(**{f"{column}__{self.op}": bound})


_COMPARE = {"GT": "gt", "GE": "gte", "LT": "lt", "LE": "lte"}
# Query-parameter infix -> (kind, kind of the fields nested in it).
_SCOPES = {
    "": (K.EXTENSION, K.EXTENSION_INNER),
    "ILMD_": (K.ILMD, K.ILMD_INNER),
    "ERROR_DECLARATION_": (K.ERROR_EXTENSION, K.ERROR_EXTENSION_INNER),
    "SENSORELEMENT_": (K.SENSOR_ELEMENT_EXTENSION, K.SENSOR_ELEMENT_EXTENSION),
    "SENSORMETADATA_": (K.SENSOR_METADATA_EXTENSION, K.SENSOR_METADATA_EXTENSION),
    "SENSORREPORT_": (K.SENSOR_REPORT_EXTENSION, K.SENSOR_REPORT_EXTENSION),
}
_FIELD = r"(?:[A-Za-z][A-Za-z0-9]*:\w+|\{[^{}]+\}\w+)"
EXTENSION_PARAMETER = re.compile(
    r"(?P<op>EQ|GT|GE|LT|LE|EXISTS)_(?P<inner>INNER_)?"
    r"(?P<scope>ILMD_|ERROR_DECLARATION_|SENSORELEMENT_|SENSORMETADATA_|SENSORREPORT_)?"
    rf"(?P<field>{_FIELD})"
)
_TYPED_PARAMETER = re.compile(r"EQ_(?P<list>bizTransaction|source|destination)_(?P<type>\w+)")
_MEASURE_PARAMETER = re.compile(
    r"(?P<op>EQ|GT|GE|LT|LE)_(?P<field>value|minValue|maxValue|meanValue|sDev|percValue)"
    r"_(?P<uom>[A-Z0-9]{2,4})"
)
#: Fixed-name parameters answered from this table: name -> (kind, row name, value type).
FIXED = {
    "EQ_persistentDisposition_set": (K.PERSISTENT_SET, "", "disposition"),
    "EQ_persistentDisposition_unset": (K.PERSISTENT_UNSET, "", "disposition"),
    "EQ_errorReason": (K.ERROR, "reason", "er"),
    "EQ_correctiveEventID": (K.ERROR, "correctiveEventID", "text"),
    "GE_errorDeclaration_Time": (K.ERROR, "declarationTime", "time"),
    "LT_errorDeclaration_Time": (K.ERROR, "declarationTime", "time"),
    # The standard's prose spells these without the underscore; both are accepted.
    "GE_errorDeclarationTime": (K.ERROR, "declarationTime", "time"),
    "LT_errorDeclarationTime": (K.ERROR, "declarationTime", "time"),
    "EXISTS_sensorElementList": (K.SENSOR, "sensorElement", "exists"),
    "GE_time": (K.SENSOR, "time", "time"),
    "LT_time": (K.SENSOR, "time", "time"),
    "GE_startTime": (K.SENSOR, "startTime", "time"),
    "LT_startTime": (K.SENSOR, "startTime", "time"),
    "GE_endTime": (K.SENSOR, "endTime", "time"),
    "LT_endTime": (K.SENSOR, "endTime", "time"),
    "EQ_type": (K.SENSOR, "type", "sensorType"),
    "EQ_deviceID": (K.SENSOR, "deviceID", "uri"),
    "EQ_dataProcessingMethod": (K.SENSOR, "dataProcessingMethod", "uri"),
    "EQ_microorganism": (K.SENSOR, "microorganism", "uri"),
    "EQ_chemicalSubstance": (K.SENSOR, "chemicalSubstance", "uri"),
    "EQ_bizRules": (K.SENSOR, "bizRules", "uri"),
    "EQ_stringValue": (K.SENSOR, "stringValue", "text"),
    "EQ_booleanValue": (K.SENSOR, "booleanValue", "boolean"),
    "EQ_hexBinaryValue": (K.SENSOR, "hexBinaryValue", "hex"),
    "EQ_uriValue": (K.SENSOR, "uriValue", "uri"),
    "GT_percRank": (K.SENSOR, "percRank", "number"),
    "GE_percRank": (K.SENSOR, "percRank", "number"),
    "LT_percRank": (K.SENSOR, "percRank", "number"),
    "LE_percRank": (K.SENSOR, "percRank", "number"),
}
#: Fixed-name parameters given once (a bound), the others take a list of values.
SINGLE = frozenset(
    name for name in FIXED if name.split("_", 1)[0] in _COMPARE or name.startswith("EXISTS_")
)


def is_attribute_parameter(name: str) -> bool:
    return bool(
        name in FIXED
        or _TYPED_PARAMETER.fullmatch(name)
        or _MEASURE_PARAMETER.fullmatch(name)
        or EXTENSION_PARAMETER.fullmatch(name)
    )


def single_valued(name: str) -> bool:
    """Whether the parameter is a bound or a flag (given once) rather than a list."""
    if name in FIXED:
        return name in SINGLE
    op = name.split("_", 1)[0]
    return op in _COMPARE or op == "EXISTS"


def _flag(value: str) -> bool:
    flag = value.strip().lower()
    if flag in ("", "true", "1"):
        return True
    if flag in ("false", "0"):
        return False
    raise ParameterError(_("give no value, true or false"))


def _bound(value: str) -> Decimal | datetime:
    """A comparison bound: a number or a timestamp with an offset."""
    number = _number(value)
    if number is not None:
        return number
    moment = parse_timestamp(value.strip().replace(" ", "+"))
    if moment is None:
        raise ParameterError(_("not a number or a timestamp with an offset"))
    return moment


def _equal_values(values: list[str]) -> tuple[Any, ...]:
    """EQ_ on an extension field: each value as text, and again as number or time."""
    out: list[Any] = []
    for value in values:
        out.append(value)
        number = _number(value)
        if number is not None:
            out.append(number)
        moment = parse_timestamp(value.replace(" ", "+"))
        if moment is not None:
            out.append(moment)
    return tuple(out)


def _fixed_filter(name: str, values: list[str], prefixes: Mapping[str, str]) -> AttributeFilter:
    kind, row_name, value_type = FIXED[name]
    op = name.split("_", 1)[0]
    if value_type == "exists":
        return AttributeFilter(kind, row_name, "exists", negate=not _flag(values[0]))
    if value_type == "time":
        moment = parse_timestamp(values[0].strip().replace(" ", "+"))
        if moment is None:
            raise ParameterError(_("not a timestamp; use RFC 3339 with an offset, e.g. Z"))
        return AttributeFilter(kind, row_name, _COMPARE[op], (moment,))
    if value_type == "number":
        number = _number(values[0])
        if number is None:
            raise ParameterError(_("not a number"))
        return AttributeFilter(kind, row_name, _COMPARE[op], (number,))
    stored: list[str] = []
    for value in values:
        if value_type in ("disposition", "er"):
            uri = vocabulary_uri(value, value_type, STANDARD_PREFIXES)
            if uri is None:
                raise ParameterError(_("not a CBV 2.0 word or URI: %(v)s") % {"v": value})
            stored.append(uri)
        elif value_type == "sensorType":
            stored.append(_sensor_type(value, {**STANDARD_PREFIXES, **prefixes}))
        elif value_type == "boolean":
            if value.lower() not in ("true", "false"):
                raise ParameterError(_("use true or false"))
            stored.append(value.lower())
        elif value_type == "hex":
            stored.append(value.upper())
        elif value_type == "uri":
            stored.append(_expand_value(value, {**STANDARD_PREFIXES, **prefixes}))
        else:
            stored.append(value)
    return AttributeFilter(kind, row_name, "in", tuple(stored))


def attribute_filter(name: str, values: list[str], prefixes: Mapping[str, str]) -> AttributeFilter:
    """The filter one attribute parameter stands for. Raises ParameterError saying why not."""
    if name in FIXED:
        return _fixed_filter(name, values, prefixes)
    if match := _TYPED_PARAMETER.fullmatch(name):
        list_name, type_word = match["list"], match["type"]
        vocabulary = "btt" if list_name == "bizTransaction" else "sdt"
        type_uri = vocabulary_uri(type_word, vocabulary, STANDARD_PREFIXES)
        if type_uri is None:
            raise ParameterError(
                _("%(type)s is not a CBV 2.0 %(what)s type")
                % {"type": type_word, "what": list_name}
            )
        kinds = {"bizTransaction": K.BIZ_TRANSACTION, "source": K.SOURCE}
        kind = kinds.get(list_name, K.DESTINATION)
        stored = [v if list_name == "bizTransaction" else _identifier(v) for v in values]
        return AttributeFilter(kind, type_uri, "in", tuple(stored))
    if match := _MEASURE_PARAMETER.fullmatch(name):
        op = match["op"]
        numbers = [_number(v) for v in values]
        if any(n is None for n in numbers):
            raise ParameterError(_("not a number"))
        if op == "EQ":
            return AttributeFilter(K.SENSOR, match["field"], "in", tuple(numbers), match["uom"])
        return AttributeFilter(K.SENSOR, match["field"], _COMPARE[op], (numbers[0],), match["uom"])
    match = EXTENSION_PARAMETER.fullmatch(name)
    if match is None:
        raise ParameterError(_("unknown or unsupported query parameter"))
    field = match["field"]
    if not field.startswith("{"):
        prefix, _colon, local = field.partition(":")
        if prefix not in prefixes:
            raise ParameterError(
                _(
                    "the prefix %(prefix)s is not declared: send the header GS1-Extensions: "
                    "%(prefix)s=<namespace IRI>, or write the field as {namespace IRI}%(local)s"
                )
                % {"prefix": prefix, "local": local}
            )
        field = "{" + prefixes[prefix] + "}" + local
    outer, inner = _SCOPES[match["scope"] or ""]
    kind = inner if match["inner"] else outer
    op = match["op"]
    if op == "EXISTS":
        return AttributeFilter(kind, field, "exists", negate=not _flag(values[0]))
    if op == "EQ":
        return AttributeFilter(kind, field, "in", _equal_values(values))
    return AttributeFilter(kind, field, _COMPARE[op], (_bound(values[0]),))
