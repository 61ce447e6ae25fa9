"""Location master data sent in an EPCIS document's header (epcisHeader.epcisMasterData).

EPCIS lets a capture carry master data beside its events: vocabularies of elements with
attributes and children. The BusinessLocation and ReadPoint vocabularies name locations and
say which contain which; capture saves them as the enterprise's locations, as POST /locations
would, so WD_ queries and the recall pages use them. Other vocabularies (EPCClass, parties)
are not kept.
"""

from collections.abc import Mapping
from typing import Any

LOCATION_TYPES = frozenset(
    {"urn:epcglobal:epcis:vtype:BusinessLocation", "urn:epcglobal:epcis:vtype:ReadPoint"}
)
#: The CBV master data attribute for a location's name, expanded and as a JSON-LD CURIE.
NAME_ATTRIBUTES = frozenset({"urn:epcglobal:cbv:mda#name", "cbvmda:name"})


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


def _vocabularies(document: Any) -> list[Any]:
    header = document.get("epcisHeader") if isinstance(document, Mapping) else None
    master = header.get("epcisMasterData") if isinstance(header, Mapping) else None
    return _list(master.get("vocabularyList")) if isinstance(master, Mapping) else []


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
