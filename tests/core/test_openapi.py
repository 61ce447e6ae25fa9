"""Real answers against the OpenAPI document: every operation, as each kind of caller.

The answers come from requests a client would make (the demo zone, a production order whose
operations become EPCIS events, locations, named queries, a recall) through Django's test
client, as anonymous, analyst, enterprise user and machine token. Each answer's status must be
documented for its operation, its media type documented for that status and its body valid
against that schema; and each status the document lists must really be answered.
"""

import json
from collections import defaultdict
from collections.abc import Iterable
from urllib.parse import quote, urlencode

import pytest
from django.http import HttpResponse
from django.test import Client
from ninja.openapi.schema import OpenAPISchema
from openapi_schema_validator import OAS31Validator, oas31_format_checker
from openapi_spec_validator import OpenAPIV31SpecValidator

from parkbrain.api import api
from parkbrain.jobs import services as jobs
from parkbrain.registry.services import issue_api_token
from parkbrain.reporting.imports import KIND as IMPORT

pytestmark = pytest.mark.django_db

CALLERS = ("anonymous", "analyst", "enterprise", "token")
JSON_MEDIA = ("application/json", "application/ld+json")
TOO_LARGE = "x" * 2_700_000  # over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)

HEAT = "urn:epc:class:lgtin:6901234.011111.H2603-17"
FORGED = "urn:epc:class:lgtin:6901234.022222.F-1"
HARDENED = "urn:epc:class:lgtin:6901234.033333.HT-1"
FORGE = "urn:epc:id:sgln:6901234.00001.0"
STORE = "urn:epc:id:sgln:6901234.00002.0"
FURNACE_LINE = "urn:epc:id:sgln:6901234.00003.0"
LAB = "urn:epc:id:sgln:6901234.00004.0"
ORDER = {
    "product_gtin": "06901234333336",
    "product_name": "斜齿轮 m3 z41",
    "planned_quantity": 100,
    "unit": "EA",
    "state": "released",
    "planned_start": "2026-03-01",
    "planned_end": "2026-03-05",
    "actual_start": "2026-03-01T08:00:00+08:00",
    "actual_end": "2026-03-03T18:00:00+08:00",
}
FORGING = {
    "step": "forging",
    "work_centre": "锻压线 2",
    "read_point": FORGE,
    "biz_location": STORE,
    "started_at": "2026-03-01T08:00:00+08:00",
    "finished_at": "2026-03-01T10:30:00+08:00",
    "consumed": [{"epc_class": HEAT, "quantity": 600.5, "unit": "KGM"}],
    "produced": [{"gtin": "06901234222227", "lot": "F-1", "quantity": 100}],
}
HEAT_TREATING = {
    "step": "heat_treating",
    "work_centre": "渗碳炉 2",
    "read_point": FURNACE_LINE,
    "biz_location": STORE,
    "started_at": "2026-03-02T08:00:00+08:00",
    "finished_at": "2026-03-02T16:00:00+08:00",
    "consumed": [{"epc_class": FORGED, "quantity": 100}],
    "produced": [{"epc_class": HARDENED, "quantity": 98}],
    "readings": [
        {
            "type": "Temperature",
            "device": "urn:epc:id:giai:6901234.FURNACE-2",
            "time": "2026-03-02T09:00:00+08:00",
            "value": 925,
            "unit": "CEL",
        }
    ],
}
INSPECTING = {
    "step": "inspecting",
    "work_centre": "计量室",
    "read_point": LAB,
    "inspections": [
        {
            "lot": {"epc_class": HARDENED},
            "inspector": "QC-07",
            "inspected_at": "2026-03-03T09:00:00+08:00",
            "measurements": [
                {
                    "characteristic": "surface_hardness",
                    "type": "Dimensionless",
                    "value": 63,
                    "unit": "",
                    "lower_limit": 58,
                    "upper_limit": 62,
                }
            ],
        }
    ],
}
CAPTURED = {
    "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
    "type": "EPCISDocument",
    "schemaVersion": "2.0",
    "creationDate": "2026-03-04T08:00:00+08:00",
    "epcisBody": {
        "eventList": [
            {
                "type": "ObjectEvent",
                "eventTime": f"2026-03-04T0{hour}:00:00+08:00",
                "eventTimeZoneOffset": "+08:00",
                "action": "OBSERVE",
                "epcList": [f"urn:epc:id:sgtin:6901234.033333.100{hour}"],
                "bizStep": "shipping",
                "disposition": "in_transit",
                "readPoint": {"id": STORE},
                "bizLocation": {"id": STORE},
            }
            for hour in (8, 9)
        ]
    },
}


def _media(response: HttpResponse) -> str:
    return response.get("Content-Type", "").split(";")[0].strip()


class Exchanges:
    """Requests as named callers, each answer checked against the document."""

    def __init__(self, document: dict, clients: dict[str, Client]) -> None:
        self.document = document
        self.clients = clients
        self.answered: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.problems: list[str] = []

    def __call__(
        self,
        method: str,
        template: str,
        callers: Iterable[str] = CALLERS,
        *,
        path: dict | None = None,
        query: dict | None = None,
        body: object = None,
        raw: str | bytes | None = None,
        content_type: str = "application/json",
        **meta: str,
    ) -> dict[str, HttpResponse]:
        url = template.format(**{k: quote(str(v), safe="") for k, v in (path or {}).items()})
        if query:
            url = f"{url}?{urlencode(query, doseq=True)}"
        data = json.dumps(body) if body is not None else raw
        sent = {"data": data, "content_type": content_type} if data is not None else {}
        answers = {}
        for caller in callers:
            response = self.clients[caller].generic(method.upper(), url, **sent, **meta)
            self.check(method, template, f"{method.upper()} {url} as {caller}", response)
            answers[caller] = response
        return answers

    def one(self, method: str, template: str, caller: str = "token", **kwargs) -> HttpResponse:
        return self(method, template, [caller], **kwargs)[caller]

    def check(self, method: str, template: str, where: str, response: HttpResponse) -> None:
        operation = self.document["paths"][template][method]
        status = response.status_code
        self.answered[(method, template)].add(status)
        where = f"{where} → {status}"
        documented = operation["responses"].get(str(status))
        if documented is None:
            self.problems.append(f"{where}: status not documented")
            return
        content = documented.get("content", {})
        media = _media(response)
        if not content:
            if response.content:
                self.problems.append(f"{where}: a body ({media}) where none is documented")
            return
        if media not in content:
            self.problems.append(f"{where}: {media} not documented, only {sorted(content)}")
            return
        if media not in JSON_MEDIA:
            if not response.content:
                self.problems.append(f"{where}: an empty {media} body")
            return
        # Components go beside the schema, so its #/components/… references resolve.
        schema = {**content[media]["schema"], "components": self.document["components"]}
        validator = OAS31Validator(schema, format_checker=oas31_format_checker)
        for error in sorted(validator.iter_errors(json.loads(response.content)), key=str)[:3]:
            self.problems.append(f"{where}: at {error.json_path}: {error.message[:300]}")


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def tokens(demo_with_reports) -> dict[str, tuple]:
    """(token, its raw value) of the gear maker's machine and of the EV maker's."""
    firms = demo_with_reports.firms
    return {
        "token": issue_api_token(firms["gear"], "mes"),
        "ev token": issue_api_token(firms["ev"], "mes"),
    }


@pytest.fixture
def exchanges(demo_with_reports, document, tokens) -> Exchanges:
    clients = {"anonymous": Client()}
    for caller, (_token, raw) in tokens.items():
        clients[caller] = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for caller, username in (("analyst", "analyst"), ("enterprise", "gear"), ("manager", "pm")):
        clients[caller] = Client()
        clients[caller].force_login(demo_with_reports.user(username))
    return Exchanges(document, clients)


def _registry(call: Exchanges, zone) -> None:
    call("get", "/api/me")
    call("get", "/api/enterprises", query={"sort": "-capital"})
    call("get", "/api/enterprises", ["analyst"], query={"park": 999_999})
    call("get", "/api/enterprises", ["analyst"], query={"page": "first"})
    gear = zone.firms["gear"].pk
    call("get", "/api/enterprises/{enterprise_id}", path={"enterprise_id": gear})
    cobalt = zone.firms["cobalt"].pk
    call("get", "/api/enterprises/{enterprise_id}", ["token"], path={"enterprise_id": cobalt})
    call("get", "/api/enterprises/{enterprise_id}", ["analyst"], path={"enterprise_id": "one"})
    call("get", "/api/parks")
    park = call.one("get", "/api/parks", "analyst").json()[0]["id"]
    call("get", "/api/parks/{park_id}", path={"park_id": park})
    call("get", "/api/parks/{park_id}", ["analyst"], path={"park_id": 999_999})
    call("get", "/api/parks/{park_id}", ["analyst"], path={"park_id": "one"})
    call("get", "/api/industries")


def _reporting(call: Exchanges, zone) -> None:
    code = zone.firms["gear"].credit_code
    call("get", "/api/indicators")
    call("get", "/api/reports", query={"year": 2026})
    call("get", "/api/reports", ["token"], query={"year": "this"})
    one = "/api/reports/{credit_code}/{period}"
    call("get", one, path={"credit_code": code, "period": "2026-10"})
    call("get", one, ["token"], path={"credit_code": code, "period": "202610"})
    call("get", one, ["token"], path={"credit_code": code, "period": "1999-01"})
    month = {"credit_code": code, "period": "2020-06"}
    values = {"values": {"output_value": "1500000"}}
    call("put", one, ["anonymous", "manager", "analyst", "token"], path=month, body=values)
    call("put", one, ["token"], path=month, body={"values": {"output_value": "many"}})
    call("put", one, ["token"], path=month, body={"values": [1]})
    call("put", one, ["token"], path=month, raw="{")
    call("put", one, ["token"], path=month, raw=TOO_LARGE)
    other = {"credit_code": zone.firms["ev"].credit_code, "period": "2026-11"}
    call("put", one, ["token"], path=other, body=values)


def _monitoring(call: Exchanges) -> None:
    call("get", "/api/warnings", query={"state": "all"})
    call("get", "/api/warnings", ["analyst"], query={"state": "forgotten"})
    call("get", "/api/warnings", ["analyst"], query={"park": "north"})
    call("get", "/api/warnings/counts")
    warnings = call.one("get", "/api/warnings", "analyst", query={"state": "all"}).json()
    one = "/api/warnings/{warning_id}"
    call("get", one, path={"warning_id": warnings["items"][0]["id"]})
    call("get", one, ["analyst"], path={"warning_id": 999_999})
    call("get", one, ["analyst"], path={"warning_id": "one"})


def _mes(call: Exchanges, zone) -> None:
    code = zone.firms["gear"].credit_code
    order = {"credit_code": code, "number": "WO-2026-001"}
    one = "/api/mes/orders/{credit_code}/{number}"
    call("put", one, path=order, body=ORDER)
    call("put", one, ["token"], path=order, body={**ORDER, "product_gtin": "06901234333337"})
    call("put", one, ["token"], path=order, body={**ORDER, "planned_quantity": "lots"})
    call("put", one, ["token"], path=order, raw="{")
    call("put", one, ["token"], path=order, raw=TOO_LARGE)
    other = {"credit_code": zone.firms["ev"].credit_code, "number": "WO-1"}
    call("put", one, ["token"], path=other, body=ORDER)
    operation = f"{one}/operations/{{sequence}}"
    for sequence, body in enumerate((FORGING, HEAT_TREATING, INSPECTING), start=1):
        callers = CALLERS if sequence == 1 else ["token"]
        call("put", operation, callers, path={**order, "sequence": sequence}, body=body)
    first = {**order, "sequence": 1}
    call("put", operation, ["token"], path=first, body={**FORGING, "read_point": "here"})
    call("put", operation, ["token"], path={**order, "sequence": "one"}, body=FORGING)
    call("put", operation, ["token"], path={**first, "number": "WO-404"}, body=FORGING)
    call("put", operation, ["token"], path=first, raw="{")
    call("put", operation, ["token"], path=first, raw=TOO_LARGE)
    call("get", "/api/mes/orders")
    call("get", "/api/mes/orders", ["token"], query={"page": "first"})
    call("get", one, path=order)
    call("get", one, ["token"], path={**order, "number": "WO-404"})
    call("get", f"{one}/events", path=order)
    call("get", f"{one}/events", ["token"], path={**order, "number": "WO-404"})


def _capture(call: Exchanges) -> None:
    capture = "/api/epcis/capture"
    ld = "application/ld+json"
    jobs = call("post", capture, body=CAPTURED, content_type=ld)
    call("post", capture, ["token"], raw="{", content_type=ld)
    call("post", capture, ["token"], raw="<hello/>", content_type="text/plain")
    behaviour = {"HTTP_GS1_CAPTURE_ERROR_BEHAVIOUR": "sometimes"}
    call("post", capture, ["token"], body=CAPTURED, content_type=ld, **behaviour)
    call("post", capture, ["token"], raw="x" * 1_000_001, content_type=ld)
    chunked = {"HTTP_TRANSFER_ENCODING": "chunked", "CONTENT_LENGTH": ""}
    call("post", capture, ["token"], raw="{}", content_type=ld, **chunked)
    job = "/api/epcis/capture/{capture_id}"
    call("get", job, path={"capture_id": jobs["token"].json()["captureID"]})
    call("get", job, ["token"], path={"capture_id": 999_999})
    call("get", job, ["token"], path={"capture_id": "one"})


def _query(call: Exchanges) -> None:
    events = "/api/epcis/events"
    found = call("get", events, query={"perPage": 2})
    call("get", events, ["token"], query={"eventType": "SomeEvent"})
    call("get", events, ["token"], query={"maxEventCount": 1})
    eventlist = found["token"].json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    one = "/api/epcis/events/{event_id}"
    call("get", one, path={"event_id": eventlist[0]["eventID"]})
    call("get", one, ["token"], path={"event_id": "urn:uuid:00000000-0000-4000-8000-000000000000"})
    epc_format = {"HTTP_GS1_EPC_FORMAT": "Sometimes"}
    call("get", one, ["token"], path={"event_id": eventlist[0]["eventID"]}, **epc_format)
    named = "/api/epcis/epcs/{epc}/events"
    call("get", named, path={"epc": HARDENED})
    call("get", named, ["token"], path={"epc": "urn:epc:id:sgtin:1"})
    call("get", named, ["token"], path={"epc": HARDENED}, query={"maxEventCount": 1})
    # Each collection with a member two or more events name (a 413 at one), and a non-member.
    collections = {
        "bizSteps": ("value", "shipping", "not a step"),
        "bizLocations": ("value", STORE, "urn:epc:id:sgln:1"),
        "readPoints": ("value", STORE, "urn:epc:id:sgln:1"),
        "dispositions": ("value", "in_transit", "not a disposition"),
        "eventTypes": ("event_type", "ObjectEvent", "SomeEvent"),
    }
    for collection, (parameter, value, stranger) in collections.items():
        call("get", f"/api/epcis/{collection}")
        call("get", f"/api/epcis/{collection}", ["token"], query={"colour": "red"})
        member = f"/api/epcis/{collection}/{{{parameter}}}/events"
        call("get", member, path={parameter: value})
        call("get", member, ["token"], path={parameter: stranger})
        call("get", member, ["token"], path={parameter: value}, query={"maxEventCount": 1})
    call("get", "/api/epcis/epcs")
    call("get", "/api/epcis/epcs", ["token"], query={"colour": "red"})


def _named_queries(call: Exchanges) -> None:
    queries = "/api/epcis/queries"
    inspected = {"name": "inspected", "query": {"EQ_bizStep": ["inspecting"]}}
    call("post", queries, [*CALLERS, "ev token"], body=inspected)
    capped = {"name": "capped", "query": {"EQ_bizStep": "shipping", "maxEventCount": 1}}
    call("post", queries, ["token"], body=capped)
    call("post", queries, ["token"], body={"name": "-", "query": {}})
    call("post", queries, ["token"], raw=TOO_LARGE)
    call("get", queries)
    call("get", queries, ["token"], query={"colour": "red"})
    one = "/api/epcis/queries/{name}"
    call("get", one, path={"name": "inspected"})
    call("get", one, ["token"], path={"name": "forgotten"})
    run = f"{one}/events"
    call("get", run, path={"name": "inspected"})
    call("get", run, ["token"], path={"name": "inspected"}, query={"EQ_bizStep": "shipping"})
    call("get", run, ["token"], path={"name": "capped"})
    call("get", run, ["token"], path={"name": "forgotten"})
    call("delete", one, ["analyst"], path={"name": "inspected"})
    call("delete", one, ["anonymous", "analyst", "enterprise", "token"], path={"name": "capped"})


def _locations(call: Exchanges) -> None:
    locations = "/api/epcis/locations"
    stated = [
        {"id": STORE, "name": "成品库", "parent": None},
        {"id": LAB, "name": "计量室", "parent": STORE},
    ]
    call("post", locations, body=stated)
    call("post", locations, ["token"], body=[{"id": STORE, "colour": "red"}])
    call("post", locations, ["token"], raw=TOO_LARGE)
    call("get", locations)
    call("get", locations, ["token"], query={"colour": "red"})
    one = "/api/epcis/locations/{location}"
    call("delete", one, path={"location": LAB})
    call("delete", one, ["token"], path={"location": "urn:epc:id:sgln:1"})


def _genealogy_and_recall(call: Exchanges) -> None:
    for direction, epc in (("backward", HARDENED), ("forward", HEAT)):
        call("get", f"/api/epcis/trace/{direction}", query={"epc": epc})
        call("get", f"/api/epcis/trace/{direction}", ["token"], query={"epc": epc, "depth": 99})
    criteria = {"start": "identifier", "epc": HEAT}
    call("get", "/api/epcis/recall/scope", query=criteria)
    call("get", "/api/epcis/recall/scope", ["token"], query={"start": "somewhere"})
    recalls = "/api/epcis/recall"
    made = call("post", recalls, body={"reason": "炉温偏低", "criteria": criteria})
    call("post", recalls, ["token"], body={"reason": "?", "criteria": {"start": "somewhere"}})
    call("post", recalls, ["token"], body={"criteria": criteria})
    call("post", recalls, ["token"], raw="{")
    call("post", recalls, ["token"], raw=TOO_LARGE)
    call("get", recalls)
    recall = {"recall_id": made["token"].json()["id"]}
    call("get", "/api/epcis/recall/{recall_id}", path=recall)
    call("get", "/api/epcis/recall/{recall_id}", ["token"], path={"recall_id": 999_999})
    call("get", "/api/epcis/recall/{recall_id}", ["token"], path={"recall_id": "one"})
    execute = "/api/epcis/recall/{recall_id}/execute"
    call("post", execute, path=recall)
    call("post", execute, ["token"], path={"recall_id": 999_999})
    call("post", execute, ["token"], path={"recall_id": "one"})
    report = "/api/epcis/recall/{recall_id}/report/{fmt}"
    for fmt in ("xlsx", "pdf"):
        call("get", report, path={**recall, "fmt": fmt})
    call("get", report, ["token"], path={**recall, "fmt": "doc"})
    call("get", report, ["token"], path={"recall_id": 999_999, "fmt": "pdf"})
    call("get", report, ["token"], path={"recall_id": "one", "fmt": "pdf"})


def _jobs(call: Exchanges, zone, token) -> None:
    # Queued, not run: an upload's job as the web page would start it, by a person and a token.
    by_user = jobs.start(IMPORT, "上传", zone.user("gear"), zone.zone, zone.firms["gear"])
    by_token = jobs.start(IMPORT, "上传", token, zone.zone, zone.firms["gear"])
    one = "/api/jobs/{job_id}"
    call("get", one, path={"job_id": by_user.pk})
    call("get", one, ["token"], path={"job_id": by_token.pk})
    call("get", one, ["token"], path={"job_id": "one"})


def test_every_answer_is_documented_and_matches_its_schema(exchanges, demo_with_reports, tokens):
    zone = demo_with_reports
    _registry(exchanges, zone)
    _reporting(exchanges, zone)
    _monitoring(exchanges)
    _mes(exchanges, zone)
    _locations(exchanges)
    _capture(exchanges)
    _query(exchanges)
    _named_queries(exchanges)
    _genealogy_and_recall(exchanges)
    _jobs(exchanges, zone, tokens["token"][0])
    assert not exchanges.problems, "\n".join(exchanges.problems)
    documented = {
        (method, path): {int(status) for status in operation["responses"]}
        for path, operations in exchanges.document["paths"].items()
        for method, operation in operations.items()
    }
    never = [
        f"{method.upper()} {path}: {sorted(statuses - exchanges.answered[(method, path)])}"
        for (method, path), statuses in sorted(documented.items())
        if statuses - exchanges.answered[(method, path)]
    ]
    assert not never, "documented, never answered:\n" + "\n".join(never)


def test_the_document_is_valid_openapi(document):
    errors = [error.message[:300] for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []


def test_no_two_schemas_share_a_name(monkeypatch):
    # Ninja merges each operation's schema definitions by name, so a second class of the same
    # name silently replaces the first in every operation that refers to it.
    seen: dict[str, list[dict]] = defaultdict(list)
    merge = OpenAPISchema.add_schema_definitions

    def recording(self: OpenAPISchema, definitions: dict) -> None:
        for name, definition in definitions.items():
            if definition not in seen[name]:
                seen[name].append(definition)
        merge(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", recording)
    api.get_openapi_schema(path_prefix="/api/")
    assert len(seen) > 20, "ninja no longer merges definitions here; the check sees nothing"
    assert {name: len(kinds) for name, kinds in seen.items() if len(kinds) > 1} == {}


# -- request bodies: documented as required exactly what is refused when left out ------------

FULL_OPERATION = {
    **HEAT_TREATING,
    "consumed": [{"gtin": "06901234222227", "lot": "F-1", "quantity": 100, "unit": "EA"}],
    "produced": [{"gtin": "06901234333336", "lot": "HT-1", "quantity": 98, "unit": "EA"}],
    "inspections": [
        {
            **INSPECTING["inspections"][0],
            "lot": {"gtin": "06901234333336", "lot": "HT-1"},
            "measurements": [
                {
                    "characteristic": "tooth_profile_error",
                    "type": "Length",
                    "value": 6.2,
                    "unit": "4H",
                    "lower_limit": 0,
                    "upper_limit": 8,
                }
            ],
        }
    ],
}
FULL_BODIES = [
    ("put", "/api/mes/orders/{credit_code}/{number}", ORDER),
    ("put", "/api/mes/orders/{credit_code}/{number}/operations/{sequence}", FULL_OPERATION),
    ("put", "/api/reports/{credit_code}/{period}", {"values": {"electricity": 1}, "submit": False}),
    (
        "post",
        "/api/epcis/recall",
        {"reason": "炉温", "criteria": {"start": "identifier", "epc": HEAT}},
    ),
    ("post", "/api/epcis/queries", {"name": "inspected", "query": {"EQ_bizStep": "inspecting"}}),
    ("post", "/api/epcis/locations", [{"id": STORE, "name": "成品库", "parent": None}]),
]
#: Each of these may be left out, but not one without the other: an operation with lots lists
#: both what it consumed and what it produced.
REQUIRED_TOGETHER = {"consumed", "produced"}


def _resolved(schema: dict, components: dict) -> dict:
    if "$ref" in schema:
        return _resolved(components["schemas"][schema["$ref"].rsplit("/", 1)[-1]], components)
    for kind in schema.get("anyOf", []):
        if kind.get("type") != "null":
            return _resolved(kind, components)
    return schema


def _omissions(body: object, schema: dict, components: dict, prefix: str = "") -> Iterable:
    """(field path, body without that field, documented required) for each field in `body`."""
    schema = _resolved(schema, components)
    if isinstance(body, list):
        for path, shorter, required in _omissions(
            body[0], schema["items"], components, f"{prefix}[0]"
        ):
            yield path, [shorter, *body[1:]], required
        return
    if not isinstance(body, dict) or "properties" not in schema:
        return
    for name, value in body.items():
        path = f"{prefix}.{name}" if prefix else name
        yield path, {k: v for k, v in body.items() if k != name}, name in schema.get("required", ())
        for inner, shorter, required in _omissions(
            value, schema["properties"][name], components, path
        ):
            yield inner, {**body, name: shorter}, required


def _names(response: HttpResponse) -> set[str]:
    """The fields a refusal names: ours (field or column) or pydantic's (loc after body)."""
    if response.status_code not in (400, 422):
        return set()
    detail = response.json()
    if response.status_code == 422:
        return {
            "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e["loc"][2:]).lstrip(".")
            for e in detail["detail"]
        }
    return {e.get("field") or e.get("column") or "" for e in detail.get("errors") or []}


@pytest.mark.parametrize(("method", "template", "body"), FULL_BODIES, ids=lambda v: str(v)[:60])
def test_a_body_field_is_documented_required_exactly_when_leaving_it_out_is_refused(
    client, document, demo, gear_token, method, template, body
):
    code = demo.firms["gear"].credit_code
    url = template.format(credit_code=code, number="WO-1", sequence=1, period="2020-06")

    def send(sent: object) -> HttpResponse:
        return client.generic(
            method.upper(), url, json.dumps(sent), "application/json", **gear_token
        )

    if "{sequence}" in template:
        order = url.rsplit("/operations", 1)[0]
        assert (
            client.put(order, json.dumps(ORDER), "application/json", **gear_token).status_code
            == 201
        )
    whole = send(body)
    assert whole.status_code in (200, 201), whole.content
    schema = document["paths"][template][method]["requestBody"]["content"]["application/json"]
    wrong = []
    for path, shorter, required in _omissions(body, schema["schema"], document["components"]):
        named = _names(send(shorter))
        refused = path in named or path.rsplit(".", 1)[-1] in named
        if refused != required and path not in REQUIRED_TOGETHER:
            wrong.append(f"{path}: documented {'required' if required else 'optional'}")
    assert wrong == []
