"""Read the events of an EPCIS 2.0 (or 1.2) XML document into their JSON-LD shape.

The rest of the trace app works on the JSON-LD form only; this reader gives XML captures the same
shape so one code path hashes, validates and stores both. Extension fields keep their namespace in
Clark notation (``{https://ns.example.com/epcis/}myField``) because XML has no JSON-LD @context to
resolve a prefix against later.
"""

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .validation import MAX_NESTING, nesting_reason

EVENT_TYPES = frozenset(
    {
        "ObjectEvent",
        "AggregationEvent",
        "TransactionEvent",
        "TransformationEvent",
        "AssociationEvent",
    }
)
_EPC_LISTS = frozenset({"epcList", "childEPCs", "inputEPCList", "outputEPCList"})
_QUANTITY_LISTS = frozenset(
    {"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"}
)
_TYPED_LISTS = {"bizTransactionList": "bizTransaction", "sourceList": "source"}
_TYPED_LISTS["destinationList"] = "destination"
# xsi:type and friends annotate the XML datatype of a value; they are not event data.
_XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
# EPCIS 1.2 wrappers that carry no meaning of their own in 2.0.
_WRAPPERS = frozenset({"extension", "baseExtension"})


@dataclass
class XmlDocument:
    """The events of an EPCIS XML document, in document order, and its repository hints."""

    events: list[dict[str, Any]]
    ignore_fields: frozenset[str] = field(default_factory=frozenset)


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _children(element: ET.Element) -> list[ET.Element]:
    """Child elements, with 1.2 ``<extension>`` wrappers dissolved into their parent."""
    out: list[ET.Element] = []
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        if child.tag in _WRAPPERS:
            out.extend(_children(child))
        else:
            out.append(child)
    return out


def _text(element: ET.Element) -> str:
    return (element.text or "").strip()


def _attributes(element: ET.Element) -> dict[str, Any]:
    return {k: v for k, v in element.attrib.items() if not k.startswith(_XSI)}


def _generic(element: ET.Element) -> Any:
    """Element -> str (leaf without attributes) or dict; repeated children become lists."""
    children = _children(element)
    attributes = _attributes(element)
    if not children and not attributes:
        return _text(element)
    value: dict[str, Any] = attributes
    if _text(element) and not children:
        value["#text"] = _text(element)
    for child in children:
        _add(value, child.tag, _generic(child))
    return value


def _add(target: dict[str, Any], key: str, value: Any) -> None:
    if key not in target:
        target[key] = value
    elif isinstance(target[key], list):
        target[key].append(value)
    else:
        target[key] = [target[key], value]


def _sensor_element(element: ET.Element) -> dict[str, Any]:
    value: dict[str, Any] = _attributes(element)
    for child in _children(element):
        if child.tag == "sensorReport":
            value.setdefault("sensorReport", []).append(_generic(child) or {})
        else:
            _add(value, child.tag, _generic(child) or {})
    return value


def _event(element: ET.Element) -> dict[str, Any]:
    event: dict[str, Any] = {"type": _local(element.tag)}
    for child in _children(element):
        name = child.tag
        if name in _EPC_LISTS:
            event[name] = [_text(epc) for epc in _children(child)]
        elif name in _QUANTITY_LISTS:
            event[name] = [_generic(q) for q in _children(child)]
        elif name in _TYPED_LISTS:
            entries = []
            for entry in _children(child):
                item = {"type": entry.get("type")} if entry.get("type") is not None else {}
                item[_TYPED_LISTS[name]] = _text(entry)
                entries.append(item)
            event[name] = entries
        elif name == "sensorElementList":
            event[name] = [_sensor_element(e) for e in _children(child)]
        elif name == "persistentDisposition":
            disposition: dict[str, list[str]] = {}
            for entry in _children(child):
                disposition.setdefault(entry.tag, []).append(_text(entry))
            event[name] = disposition
        else:
            _add(event, name, _generic(child))
    return event


def read_epcis_xml(data: bytes | str) -> XmlDocument:
    """Parse an EPCISDocument or EPCISQueryDocument and return its events as JSON-LD-like dicts.

    Raises ValueError when the text is not XML or holds no EventList.
    """
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ValueError(f"not well-formed XML: {exc}") from exc
    event_list = next((e for e in root.iter() if _local(str(e.tag)) == "EventList"), None)
    if event_list is None:
        raise ValueError("no EventList element in the EPCIS XML document")
    events = [_event(e) for e in _children(event_list) if _local(e.tag) in EVENT_TYPES]
    ignored: set[str] = set()
    for element in root.iter():
        if _local(str(element.tag)) == "ignoreFields":
            ignored.update(child.tag for child in _children(element))
    return XmlDocument(events=events, ignore_fields=frozenset(ignored))


# -- capture: an XML document as the JSON-LD document capture takes --------------------------

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
DOCUMENT_TYPES = frozenset({"EPCISDocument", "EPCISQueryDocument"})
# Namespaces of the binding itself, never of user extensions.
_BINDING_NAMESPACES = frozenset(
    {
        "urn:epcglobal:epcis:xsd:1",
        "urn:epcglobal:epcis:xsd:2",
        "urn:epcglobal:epcis-query:xsd:1",
        "urn:epcglobal:epcis-query:xsd:2",
        "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader",
        _XSI[1:-1],
    }
)
_NUMBERS = frozenset(
    {"quantity", "value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"}
)
_NUMBER_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_HEAD = ("eventTime", "recordTime", "eventTimeZoneOffset")
_HEAD_REASON = gettext_lazy(
    "eventTime, recordTime (if given) and eventTimeZoneOffset come first in an event, in "
    "this order (EPCIS XML schema)"
)


class XmlProblems(ValueError):
    """An XML body that is not an EPCIS XML document: one problem per finding (index of the
    event or None, element, value, reason)."""

    def __init__(self, problems: list[dict[str, Any]]) -> None:
        super().__init__(problems)
        self.problems = problems


def _xml_problem(index: int | None, name: str, value: str, reason: str) -> dict[str, Any]:
    return {"index": index, "field": name, "value": value[:200], "reason": reason}


def _order_problems(index: int, element: ET.Element) -> list[dict[str, Any]]:
    """The head of an event out of the schema's order. Only the head every event type shares
    is checked: the order of the other elements varies between schema versions and producers,
    and JSON has none, so it carries no meaning here."""
    names = [c.tag for c in _children(element) if isinstance(c.tag, str) and "}" not in c.tag]
    head = [name for name in _HEAD if name in names]
    for position, name in enumerate(head):
        if names[position] != name:
            return [_xml_problem(index, names[position], "", str(_HEAD_REASON))]
    return []


def _unqualified(root: ET.Element) -> None:
    """Standard elements and attributes written with the binding's namespace
    (``<epcis:eventTime>``) renamed to their plain local names, as most documents write them."""
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag.startswith("{"):
            namespace, _brace, local = node.tag[1:].partition("}")
            if namespace in _BINDING_NAMESPACES:
                node.tag = local
        for name in [n for n in node.attrib if n.startswith("{")]:
            namespace, _brace, local = name[1:].partition("}")
            if namespace in _BINDING_NAMESPACES and namespace != _XSI[1:-1]:
                node.attrib[local] = node.attrib.pop(name)


def _prefixed(name: str, prefixes: dict[str, str]) -> str:
    """``{namespace}local`` -> ``prefix:local`` with the document's own prefix."""
    if not name.startswith("{"):
        return name
    namespace, _brace, local = name[1:].partition("}")
    prefix = prefixes.get(namespace)
    return f"{prefix}:{local}" if prefix else name


def _json_value(name: str, value: Any, prefixes: dict[str, str]) -> Any:
    """The reader's value with JSON-LD names and the JSON types the schema wants."""
    if isinstance(value, list):
        return [_json_value(name, v, prefixes) for v in value]
    if isinstance(value, dict):
        out = {_prefixed(k, prefixes): _json_value(k, v, prefixes) for k, v in value.items()}
        if name == "errorDeclaration" and "correctiveEventIDs" in out:
            ids = out["correctiveEventIDs"]
            ids = ids.get("correctiveEventID", []) if isinstance(ids, dict) else []
            out["correctiveEventIDs"] = ids if isinstance(ids, list) else [ids]
        return out
    if name in _NUMBERS and isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        number = float(value)
        return int(number) if number.is_integer() and "." not in value else number
    if name == "booleanValue" and value in ("true", "false", "1", "0"):
        return value in ("true", "1")
    return value


def xml_capture_document(data: bytes | str) -> dict[str, Any]:
    """An EPCIS 2.0 (or 1.2) XML EPCISDocument or EPCISQueryDocument as the JSON-LD document
    capture takes: extension elements keep the document's namespace prefixes, declared in an
    @context beside the EPCIS context, and numbers and booleans get their JSON types.

    Raises XmlProblems when the text is not XML, nests elements deeper than ``MAX_NESTING``,
    has no EPCIS document at its root, or puts an event's standard elements out of the
    schema's order.
    """
    declared: dict[str, str] = {}
    depth = 0
    try:
        for event_name, found in ET.iterparse(
            io.BytesIO(data.encode() if isinstance(data, str) else data),
            events=("start-ns", "start", "end"),
        ):
            if event_name != "start-ns":
                depth += 1 if event_name == "start" else -1
                if depth > MAX_NESTING:
                    raise XmlProblems([_xml_problem(None, "", "", nesting_reason())])
                continue
            prefix, namespace = found
            if namespace not in _BINDING_NAMESPACES and namespace not in declared:
                taken = set(declared.values())
                base = prefix or "ns"
                name, counter = base, 1
                while name in taken:
                    counter += 1
                    name = f"{base}{counter}"
                declared[namespace] = name
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        reason = _("not well-formed XML: %(error)s") % {"error": exc}
        raise XmlProblems([_xml_problem(None, "", "", reason)]) from exc
    kind = _local(str(root.tag))
    _unqualified(root)
    if kind not in DOCUMENT_TYPES:
        reason = _("the root element must be EPCISDocument or EPCISQueryDocument")
        raise XmlProblems([_xml_problem(None, kind, "", reason)])
    event_list = next((e for e in root.iter() if _local(str(e.tag)) == "EventList"), None)
    if event_list is None:
        reason = _("no EventList element")
        raise XmlProblems([_xml_problem(None, "EventList", "", reason)])
    elements = [e for e in _children(event_list) if _local(str(e.tag)) in EVENT_TYPES]
    problems = [p for i, e in enumerate(elements) for p in _order_problems(i, e)]
    if problems:
        raise XmlProblems(problems)
    used = sorted({n for e in elements for n in _namespaces_in(e)})
    prefixes = {namespace: declared.get(namespace, "ns") for namespace in used}
    events = [{k: _json_value(k, v, prefixes) for k, v in _event(e).items()} for e in elements]
    events = [{_prefixed(k, prefixes): v for k, v in e.items()} for e in events]
    context: list[Any] = [EPCIS_CONTEXT]
    if prefixes:
        context.append({prefix: namespace for namespace, prefix in prefixes.items()})
    body: dict[str, Any] = {"eventList": events}
    if kind == "EPCISQueryDocument":
        body = {"queryResults": {"queryName": "SimpleEventQuery", "resultsBody": body}}
    document: dict[str, Any] = {"@context": context, "type": kind}
    for attribute in ("schemaVersion", "creationDate"):
        if root.get(attribute) is not None:
            document[attribute] = root.get(attribute)
    header = _master_data(root)
    if header:
        document["epcisHeader"] = {"epcisMasterData": {"vocabularyList": header}}
    document["epcisBody"] = body
    return document


def _master_data(root: ET.Element) -> list[dict[str, Any]]:
    """The header's vocabularies in the JSON-LD shape (EPCISHeader/epcisMasterData in 2.0,
    EPCISHeader/extension/EPCISMasterData in 1.2)."""
    header = next((e for e in _children(root) if _local(str(e.tag)) == "EPCISHeader"), None)
    if header is None:
        return []
    found = next((e for e in header.iter() if _local(str(e.tag)) == "VocabularyList"), None)
    vocabularies = []
    for vocabulary in _children(found) if found is not None else []:
        elements = []
        for listed in _children(vocabulary):
            for element in _children(listed):
                attributes = [
                    {"id": a.get("id", ""), "attribute": _text(a)}
                    for a in _children(element)
                    if _local(str(a.tag)) == "attribute"
                ]
                children = [
                    _text(i)
                    for c in _children(element)
                    if _local(str(c.tag)) == "children"
                    for i in _children(c)
                ]
                elements.append(
                    {"id": element.get("id", ""), "attributes": attributes, "children": children}
                )
        vocabularies.append({"type": vocabulary.get("type", ""), "vocabularyElementList": elements})
    return vocabularies


def _namespaces_in(element: ET.Element) -> set[str]:
    """Namespaces of the extension elements and attributes inside an event."""
    found = set()
    for node in element.iter():
        if not isinstance(node.tag, str):
            continue
        for name in (node.tag, *node.attrib):
            if name.startswith("{") and name[1:].partition("}")[0] not in _BINDING_NAMESPACES:
                found.add(name[1:].partition("}")[0])
    return found
