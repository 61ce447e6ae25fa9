"""The structural half of EPCIS 2.0 validation: CBV 2.0 vocabularies and a JSON Schema of the
document and of each event type, written here from the EPCIS 2.0 standard (the GS1 schema file
may not be redistributed) and run by ``jsonschema``. The rules a schema cannot say well live in
``validation``.
"""

import re
from collections.abc import Callable
from functools import cache
from typing import Any

import fastjsonschema
from jsonschema import Draft7Validator

from .choices import EventType

# -- CBV 2.0 vocabularies (the bare words JSON-LD allows for each field) -----------------------

BIZ_STEPS = frozenset(
    [
        "accepting",
        "arriving",
        "assembling",
        "collecting",
        "commissioning",
        "consigning",
        "creating_class_instance",
        "cycle_counting",
        "decommissioning",
        "departing",
        "destroying",
        "disassembling",
        "dispensing",
        "encoding",
        "entering_exiting",
        "holding",
        "inspecting",
        "installing",
        "killing",
        "loading",
        "other",
        "packing",
        "picking",
        "receiving",
        "removing",
        "repackaging",
        "repairing",
        "replacing",
        "reserving",
        "retail_selling",
        "sampling",
        "sensor_reporting",
        "shipping",
        "staging_outbound",
        "stock_taking",
        "stocking",
        "storing",
        "transporting",
        "unloading",
        "unpacking",
        "void_shipping",
    ]
)
DISPOSITIONS = frozenset(
    [
        "active",
        "available",
        "completeness_inferred",
        "completeness_verified",
        "conformant",
        "container_closed",
        "container_open",
        "damaged",
        "destroyed",
        "dispensed",
        "disposed",
        "encoded",
        "expired",
        "in_progress",
        "in_transit",
        "inactive",
        "mismatch_class",
        "mismatch_instance",
        "mismatch_quantity",
        "needs_replacement",
        "no_pedigree_match",
        "non_conformant",
        "non_sellable_other",
        "partially_dispensed",
        "recalled",
        "reserved",
        "retail_sold",
        "returned",
        "sellable_accessible",
        "sellable_not_accessible",
        "stolen",
        "unavailable",
        "unknown",
    ]
)
BUSINESS_TRANSACTION_TYPES = frozenset(
    [
        "bol",
        "cert",
        "desadv",
        "inv",
        "pedigree",
        "po",
        "poc",
        "prodorder",
        "recadv",
        "rma",
        "testprd",
        "testres",
        "upevt",
    ]
)
SOURCE_DESTINATION_TYPES = frozenset({"owning_party", "possessing_party", "location"})
ERROR_REASONS = frozenset({"did_not_occur", "incorrect_data"})

# (URI prefix after https://ref.gs1.org/cbv/, CBV 1.x URN prefix, words, what it is)
VOCABULARIES = {
    "bizStep": ("BizStep-", "urn:epcglobal:cbv:bizstep:", BIZ_STEPS, "business step"),
    "disposition": ("Disp-", "urn:epcglobal:cbv:disp:", DISPOSITIONS, "disposition"),
    "btt": ("BTT-", "urn:epcglobal:cbv:btt:", BUSINESS_TRANSACTION_TYPES, "transaction type"),
    "sdt": ("SDT-", "urn:epcglobal:cbv:sdt:", SOURCE_DESTINATION_TYPES, "source/destination type"),
    "er": ("ER-", "urn:epcglobal:cbv:er:", ERROR_REASONS, "error reason"),
}

# TDS EPC schemes that carry no GS1 key, so no Digital Link and nothing to normalise.

DOCUMENT_TYPES = ("EPCISDocument", "EPCISQueryDocument")

# -- the structural schema ------------------------------------------------------------------

# A namespaced name or value: a CURIE (example:field) or an absolute IRI.
NAMESPACED = r"^[A-Za-z][A-Za-z0-9+.\-_]*:"
URI_PATTERN = r"^[A-Za-z][A-Za-z0-9+.\-_]*:\S*$"
TIMESTAMP = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))"
)
OFFSET_PATTERN = r"^[+-]((0\d|1[0-3]):[0-5]\d|14:00)$"

TEXT: dict = {"type": "string"}
URI = {"type": "string", "pattern": URI_PATTERN, "description": "must be a URI (scheme:…)"}
NUMBER = {"type": "number"}
URI_LIST = {"type": "array", "items": URI, "uniqueItems": True}


def _object(props: dict, required: tuple[str, ...] = (), extensible: bool = True) -> dict:
    """A closed object: only the named fields, plus namespaced extensions if `extensible`."""
    schema = {
        "type": "object",
        "properties": props,
        "required": list(required),
        "additionalProperties": False,
    }
    if extensible:
        schema["patternProperties"] = {NAMESPACED: {}}
    return schema


UOM = {
    "type": "string",
    "pattern": "^[A-Z0-9]{2,3}$",
    "description": "must be a UN/CEFACT Rec. 20 code of 2-3 capitals or digits, e.g. KGM",
}
QUANTITY_LIST = {
    "type": "array",
    "items": _object(
        {"epcClass": URI, "quantity": NUMBER, "uom": UOM}, ("epcClass",), extensible=False
    ),
}
LOCATION = _object({"id": URI}, ("id",))
DISPOSITION_LIST = {"type": "array", "items": TEXT, "minItems": 1, "uniqueItems": True}
SENSOR_METADATA = _object(
    {
        "time": TEXT,
        "startTime": TEXT,
        "endTime": TEXT,
        "deviceID": URI,
        "deviceMetadata": URI,
        "rawData": URI,
        "dataProcessingMethod": URI,
        "bizRules": URI,
    }
)
SENSOR_REPORT = _object(
    {
        "type": TEXT,
        "exception": TEXT,
        "deviceID": URI,
        "deviceMetadata": URI,
        "rawData": URI,
        "dataProcessingMethod": URI,
        "bizRules": URI,
        "time": TEXT,
        "microorganism": URI,
        "chemicalSubstance": URI,
        "coordinateReferenceSystem": URI,
        "value": NUMBER,
        "component": TEXT,
        "stringValue": TEXT,
        "booleanValue": {"type": "boolean"},
        "hexBinaryValue": {
            "type": "string",
            "pattern": "^[A-Fa-f0-9]+$",
            "description": "must be hexadecimal digits",
        },
        "uriValue": URI,
        "minValue": NUMBER,
        "maxValue": NUMBER,
        "meanValue": NUMBER,
        "sDev": NUMBER,
        "percRank": NUMBER,
        "percValue": NUMBER,
        "uom": TEXT,
    }
)
WHERE_AND_WHY = {
    "bizStep": TEXT,
    "disposition": TEXT,
    "persistentDisposition": _object(
        {"set": DISPOSITION_LIST, "unset": DISPOSITION_LIST}, extensible=False
    ),
    "readPoint": LOCATION,
    "bizLocation": LOCATION,
    "bizTransactionList": {
        "type": "array",
        "items": _object({"type": TEXT, "bizTransaction": URI}, ("bizTransaction",), False),
    },
    "sourceList": {
        "type": "array",
        "items": _object({"type": TEXT, "source": URI}, ("type", "source"), False),
    },
    "destinationList": {
        "type": "array",
        "items": _object({"type": TEXT, "destination": URI}, ("type", "destination"), False),
    },
    "sensorElementList": {
        "type": "array",
        "items": _object(
            {
                "sensorMetadata": SENSOR_METADATA,
                "sensorReport": {"type": "array", "items": SENSOR_REPORT, "minItems": 1},
            },
            ("sensorReport",),
        ),
    },
}
COMMON = {
    "@context": {"type": ["string", "object", "array"]},
    "type": TEXT,
    "eventTime": TEXT,
    "recordTime": TEXT,
    "eventTimeZoneOffset": {
        "type": "string",
        "pattern": OFFSET_PATTERN,
        "description": "must be an offset from UTC like +08:00, between -14:00 and +14:00",
    },
    "eventID": URI,
    "certificationInfo": {"type": ["string", "array"], "pattern": URI_PATTERN, "items": URI},
    "errorDeclaration": _object(
        {
            "declarationTime": TEXT,
            "reason": TEXT,
            "correctiveEventIDs": {"type": "array", "items": URI},
        },
        ("declarationTime",),
    ),
}
ACTION = {"enum": ["ADD", "OBSERVE", "DELETE"]}
ILMD = {"type": "object", "additionalProperties": False, "patternProperties": {NAMESPACED: {}}}
_TIMES = ("eventTime", "eventTimeZoneOffset")

EVENT_SCHEMAS = {
    EventType.OBJECT: _object(
        {
            **COMMON,
            **WHERE_AND_WHY,
            "action": ACTION,
            "epcList": URI_LIST,
            "quantityList": QUANTITY_LIST,
            "ilmd": ILMD,
        },
        (*_TIMES, "action"),
    ),
    EventType.AGGREGATION: _object(
        {
            **COMMON,
            **WHERE_AND_WHY,
            "action": ACTION,
            "parentID": URI,
            "childEPCs": URI_LIST,
            "childQuantityList": QUANTITY_LIST,
        },
        (*_TIMES, "action"),
    ),
    EventType.ASSOCIATION: _object(
        {
            **COMMON,
            **WHERE_AND_WHY,
            "action": ACTION,
            "parentID": URI,
            "childEPCs": URI_LIST,
            "childQuantityList": QUANTITY_LIST,
        },
        (*_TIMES, "action", "parentID"),
    ),
    EventType.TRANSACTION: _object(
        {
            **COMMON,
            **WHERE_AND_WHY,
            "bizTransactionList": {**WHERE_AND_WHY["bizTransactionList"], "minItems": 1},
            "action": ACTION,
            "parentID": URI,
            "epcList": URI_LIST,
            "quantityList": QUANTITY_LIST,
        },
        (*_TIMES, "action", "bizTransactionList"),
    ),
    EventType.TRANSFORMATION: _object(
        {
            **COMMON,
            **WHERE_AND_WHY,
            "inputEPCList": URI_LIST,
            "inputQuantityList": QUANTITY_LIST,
            "outputEPCList": URI_LIST,
            "outputQuantityList": QUANTITY_LIST,
            "transformationID": URI,
            "ilmd": ILMD,
        },
        _TIMES,
    ),
}
EVENT_LIST = {"type": "array", "items": {"type": "object"}}
DOCUMENT_SCHEMAS = {
    "EPCISDocument": _object(
        {
            "@context": COMMON["@context"],
            "id": URI,
            "type": TEXT,
            "schemaVersion": {
                "type": "string",
                "pattern": r"^\d+(\.\d+)*$",
                "description": "must be a version number like 2.0",
            },
            "creationDate": TEXT,
            "instanceIdentifier": TEXT,
            "sender": TEXT,
            "receiver": TEXT,
            "epcisHeader": {"type": "object"},
            "epcisBody": {
                "type": "object",
                "properties": {"eventList": EVENT_LIST},
                "required": ["eventList"],
            },
        },
        ("@context", "type", "schemaVersion", "creationDate", "epcisBody"),
    ),
    "EPCISQueryDocument": _object(
        {
            "@context": COMMON["@context"],
            "id": URI,
            "type": TEXT,
            "schemaVersion": TEXT,
            "creationDate": TEXT,
            "epcisBody": {
                "type": "object",
                "properties": {
                    "queryResults": {
                        "type": "object",
                        "properties": {
                            "resultsBody": {
                                "type": "object",
                                "properties": {"eventList": EVENT_LIST},
                                "required": ["eventList"],
                            }
                        },
                        "required": ["resultsBody"],
                    }
                },
                "required": ["queryResults"],
            },
        },
        ("@context", "type", "epcisBody"),
    ),
}
VALIDATORS = {
    name: Draft7Validator(schema) for name, schema in {**EVENT_SCHEMAS, **DOCUMENT_SCHEMAS}.items()
}


@cache
def fast_check(name: str) -> Callable[[Any], Any]:
    """The same schema compiled to Python by fastjsonschema: ten times faster on valid input,
    where capture spends its time, but it stops at the first error. It only says whether the
    input is valid; ``VALIDATORS`` lists every problem of one that is not."""
    return fastjsonschema.compile({**EVENT_SCHEMAS, **DOCUMENT_SCHEMAS}[name])
