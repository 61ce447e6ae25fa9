"""Read the events of an EPCIS 2.0 (or 1.2) XML document into their JSON-LD shape.

The rest of the trace app works on the JSON-LD form only; this reader gives XML captures the same
shape so one code path hashes, validates and stores both. Extension fields keep their namespace in
Clark notation (``{https://ns.example.com/epcis/}myField``) because XML has no JSON-LD @context to
resolve a prefix against later.
"""

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

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
