"""The EPCIS conformance documents, read from ../shared at run time (never copied here)."""

import json
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "epcis"
GS1 = SHARED / "gs1-epcis"
GS1_SCHEMA = GS1 / "EPCIS-JSON-Schema.json"
OPENEPCIS = SHARED / "openepcis-test-resources" / "2.0" / "EPCIS" / "JSON" / "Capture"
OPENEPCIS_XML = SHARED / "openepcis-test-resources" / "2.0" / "EPCIS" / "XML" / "Capture"

# OpenEPCIS "valid" documents we refuse on purpose, with the reason we give.
KNOWN_REFUSALS = {
    # GRAI https://id.example.com/8003/030013450007718765 has check digit 1, GS1 says 6: a
    # mistyped identifier is refused rather than stored where no trace would find it.
    "Combination_of_different_event.json": ("epcList[0]", "check digit"),
}


# OpenEPCIS "valid" XML documents we refuse on purpose: (element or field, words of the reason).
KNOWN_XML_REFUSALS = {
    "Combination_of_different_event.xml": ("epcList[0]", "check digit"),
    # The XML schema puts eventTime, recordTime and eventTimeZoneOffset first; this document
    # starts with disposition (the same corpus lists ObjectEvent_with_wrong_element_order.xml
    # as invalid).
    "JumbledFieldsOrder.xml": ("disposition", "eventTimeZoneOffset"),
    # Lists urn:epc:id:sscc:4012345.0000000333 twice in one epcList (its JSON twin once).
    "epcisDocWithAllGS1Keys.xml": ("epcList", "urn:epc:id:sscc:4012345.0000000333"),
}


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def gs1_documents() -> list[Path]:
    return sorted(GS1.joinpath("JSON").rglob("*.jsonld"))


def openepcis_documents() -> list[Path]:
    return sorted(OPENEPCIS.joinpath("Documents").glob("*.json"))


def openepcis_events() -> list[Path]:
    return sorted(OPENEPCIS.joinpath("Events").glob("*.json"))


def openepcis_invalid() -> list[Path]:
    return sorted(OPENEPCIS.joinpath("Invalid").glob("*.json"))


def openepcis_xml_documents() -> list[Path]:
    return sorted(OPENEPCIS_XML.joinpath("Documents").glob("*.xml"))


def openepcis_xml_invalid() -> list[Path]:
    return sorted(OPENEPCIS_XML.joinpath("Invalid").glob("*.xml"))


def wrapped(event: dict) -> dict:
    """A bare event (with its own @context) as a one-event EPCISDocument."""
    event = dict(event)
    context = event.pop("@context", ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"])
    return {
        "@context": context,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-01-01T00:00:00Z",
        "epcisBody": {"eventList": [event]},
    }


def ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(SHARED)) for p in paths]
