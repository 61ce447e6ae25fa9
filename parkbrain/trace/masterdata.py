"""Master data sent in an EPCIS document's header (epcisHeader.epcisMasterData).

EPCIS lets a capture carry master data beside its events: vocabularies of elements with
attributes and children. The BusinessLocation and ReadPoint vocabularies name locations and
say which contain which; capture saves them as the enterprise's locations, as POST /locations
would, so WD_ queries and the recall pages use them. The EPCClass vocabulary names trade items
(a GTIN, its lots and serials): capture keeps each GTIN's name as the enterprise's product, so
pages and the finder call lots by it. Other vocabularies and attributes are not kept.
"""

from collections.abc import Mapping
from typing import Any

from .identifiers import IdentifierError, gs1_key

LOCATION_TYPES = frozenset(
    {"urn:epcglobal:epcis:vtype:BusinessLocation", "urn:epcglobal:epcis:vtype:ReadPoint"}
)
#: The CBV master data attribute for a location's name, expanded and as a JSON-LD CURIE.
NAME_ATTRIBUTES = frozenset({"urn:epcglobal:cbv:mda#name", "cbvmda:name"})
EPC_CLASS_TYPE = "urn:epcglobal:epcis:vtype:EPCClass"
#: CBV master data attributes that name a trade item, in the order they are preferred.
PRODUCT_NAME_ATTRIBUTES = (
    ("urn:epcglobal:cbv:mda#descriptionShort", "cbvmda:descriptionShort"),
    ("urn:epcglobal:cbv:mda#regulatedProductName", "cbvmda:regulatedProductName"),
)
PRODUCT_NAME_MAX = 200


def location_entries(document: Any) -> list[dict[str, str]]:
    """{id, name?, parent?} per location the header's vocabularies state, one entry per
    identifier in the order first met: an element gives its name, a children list the
    children's parent. What is not stated is left out (kept as stored). Identifiers are as
    sent; save_locations checks and canonicalises them."""
    entries: dict[str, dict[str, str]] = {}

    def entry(uri: Any) -> dict[str, str]:
        return entries.setdefault(str(uri), {"id": str(uri)})

    for vocabulary in _vocabularies(document):
        if not isinstance(vocabulary, Mapping) or vocabulary.get("type") not in LOCATION_TYPES:
            continue
        for element in _list(vocabulary.get("vocabularyElementList")):
            if not isinstance(element, Mapping) or not element.get("id"):
                continue
            stated = entry(element["id"])
            for attribute in _list(element.get("attributes")):
                if isinstance(attribute, Mapping) and attribute.get("id") in NAME_ATTRIBUTES:
                    stated["name"] = str(attribute.get("attribute", ""))
            for child in _list(element.get("children")):
                if child:
                    entry(child)["parent"] = str(element["id"])
    return list(entries.values())


def product_entries(document: Any) -> list[dict[str, str]]:
    """{gtin, name} per trade item the header's EPCClass vocabulary names: an element whose
    identifier is a GTIN (an sgtin pattern, a lot class or a GS1 Digital Link) with a short
    description or regulated product name. Other elements are not kept."""
    found: dict[str, str] = {}
    for vocabulary in _vocabularies(document):
        if not isinstance(vocabulary, Mapping) or vocabulary.get("type") != EPC_CLASS_TYPE:
            continue
        for element in _list(vocabulary.get("vocabularyElementList")):
            if not isinstance(element, Mapping):
                continue
            gtin = _gtin(element.get("id"))
            stated = {
                a.get("id"): str(a.get("attribute", "")).strip()
                for a in _list(element.get("attributes"))
                if isinstance(a, Mapping)
            }
            name = next(
                (stated[i] for ids in PRODUCT_NAME_ATTRIBUTES for i in ids if stated.get(i)), ""
            )
            if gtin and name:
                found[gtin] = name[:PRODUCT_NAME_MAX]
    return [{"gtin": gtin, "name": name} for gtin, name in found.items()]


def _gtin(uri: Any) -> str:
    try:
        key = gs1_key(str(uri or ""))
    except IdentifierError:
        return ""
    return key.value if key is not None and key.primary == "01" else ""


def _vocabularies(document: Any) -> list[Any]:
    header = document.get("epcisHeader") if isinstance(document, Mapping) else None
    master = header.get("epcisMasterData") if isinstance(header, Mapping) else None
    return _list(master.get("vocabularyList")) if isinstance(master, Mapping) else []


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
