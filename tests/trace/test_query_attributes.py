"""SimpleEventQuery parameters answered from the event attribute table and the location
hierarchy: transactions, sources, destinations, error declarations, sensor data, extension and
ILMD fields, quantities in a unit, WD_ locations; and the /locations master data."""

import json
from urllib.parse import quote

import pytest
from django.db import connection

from parkbrain.trace import identifiers, query
from parkbrain.trace.models import Event, EventAttribute, Location

from . import corpora

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not corpora.SHARED.is_dir(), reason="../shared is not present"),
]

EVENTS = "/api/epcis/events"
LOCATIONS = "/api/epcis/locations"
NS = "https://ns.example.com/epcis/"
EPC = "urn:epc:id:sgtin:6901234.012345.{}"
LOT = "urn:epc:class:lgtin:6901234.012345.L1"
DOCK = "urn:epc:id:sgln:6901234.00001.0"
DOCK_7 = "urn:epc:id:sgln:6901234.00001.7"
WORKSHOP = "urn:epc:id:sgln:6901234.00003.0"
LINE = "urn:epc:id:sgln:6901234.00004.0"
STORE = "urn:epc:id:sgln:6901234.00002.0"
OWNER = "urn:epc:id:pgln:6901234.00000"


def _event(name: str, day: int, **fields) -> dict:
    event = {
        "type": "ObjectEvent",
        "eventTime": f"2026-03-{day:02d}T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "eventID": f"urn:uuid:a-{name}",
        "action": "OBSERVE",
        "epcList": [EPC.format(day)],
    }
    event.update(fields)
    return event


SAMPLE = [
    _event(
        "received",
        1,
        readPoint={"id": DOCK_7},
        bizLocation={"id": WORKSHOP},
        bizTransactionList=[{"type": "po", "bizTransaction": "http://po.example.com/PO-1"}],
        sourceList=[{"type": "owning_party", "source": OWNER}],
        destinationList=[{"type": "location", "destination": STORE}],
        **{"example:colour": "red"},
    ),
    _event(
        "made",
        2,
        action="ADD",
        bizLocation={"id": LINE},
        quantityList=[{"epcClass": LOT, "quantity": 200, "uom": "KGM"}],
        persistentDisposition={"set": ["completeness_verified"]},
        bizTransactionList=[
            {"type": "prodorder", "bizTransaction": "http://mes.example.com/wo/WO-9"}
        ],
        ilmd={
            "example:heat": "H-7",
            "example:hardness": 58.5,
            "example:chem": {"example:carbon": 0.42},
        },
    ),
    _event(
        "cooled",
        3,
        readPoint={"id": DOCK},
        sensorElementList=[
            {
                "sensorMetadata": {
                    "time": "2026-03-03T00:00:00Z",
                    "deviceID": "urn:epc:id:giai:6901234.T1",
                },
                "sensorReport": [
                    {"type": "gs1:Temperature", "value": 42.5, "uom": "CEL"},
                    {
                        "type": "gs1:Temperature",
                        "minValue": 20,
                        "maxValue": 45,
                        "uom": "CEL",
                        "booleanValue": True,
                        "stringValue": "ok",
                    },
                ],
            }
        ],
        **{"example:batch": {"example:grade": 3}},
    ),
    _event(
        "withdrawn",
        4,
        bizLocation={"id": WORKSHOP},
        errorDeclaration={
            "declarationTime": "2026-03-05T09:00:00+08:00",
            "reason": "did_not_occur",
            "correctiveEventIDs": ["urn:uuid:fix-1"],
            "example:ticket": "T-9",
        },
    ),
]


def _document(events: list[dict]) -> dict:
    document = corpora.wrapped(events[0])
    document["@context"] = [document["@context"][0], {"example": NS}]
    document["epcisBody"]["eventList"] = events
    return document


def _capture(client, events: list[dict], auth: dict) -> None:
    response = client.post(
        "/api/epcis/capture",
        data=json.dumps(_document(events)),
        content_type="application/ld+json",
        **auth,
    )
    assert response.json()["success"], response.json()["errors"]


@pytest.fixture
def sample(client, gear_token):
    _capture(client, SAMPLE, gear_token)
    return gear_token


def _names(client, auth: dict, params: dict, path: str = EVENTS, **headers) -> list[str]:
    response = client.get(path, params, **auth, **headers)
    assert response.status_code == 200, response.content
    events = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return [e["eventID"].removeprefix("urn:uuid:a-") for e in events]


def _brace(name: str) -> str:
    return "{" + NS + "}" + name


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"EQ_bizTransaction_po": "http://po.example.com/PO-1"}, ["received"]),
        ({"EQ_bizTransaction_prodorder": "http://mes.example.com/wo/WO-9"}, ["made"]),
        ({"EQ_bizTransaction_po": "http://mes.example.com/wo/WO-9"}, []),  # another type
        ({"EQ_source_owning_party": OWNER}, ["received"]),
        ({"EQ_source_owning_party": identifiers.to_digital_link(OWNER)}, ["received"]),
        ({"EQ_source_possessing_party": OWNER}, []),
        ({"EQ_destination_location": STORE}, ["received"]),
        ({"EQ_persistentDisposition_set": "completeness_verified"}, ["made"]),
        ({"EQ_persistentDisposition_unset": "completeness_verified"}, []),
        ({"EQ_errorReason": "did_not_occur"}, ["withdrawn"]),
        ({"EQ_errorReason": "https://ref.gs1.org/cbv/ER-incorrect_data"}, []),
        ({"EQ_correctiveEventID": "urn:uuid:fix-1"}, ["withdrawn"]),
        ({"GE_errorDeclaration_Time": "2026-03-05T01:00:00Z"}, ["withdrawn"]),
        ({"GE_errorDeclaration_Time": "2026-03-05T01:00:01Z"}, []),
        ({"LT_errorDeclarationTime": "2026-03-05T01:00:01Z"}, ["withdrawn"]),
        ({"EXISTS_sensorElementList": ""}, ["cooled"]),
        ({"EXISTS_sensorElementList": "false"}, ["received", "made", "withdrawn"]),
        ({"EQ_type": "gs1:Temperature"}, ["cooled"]),
        ({"EQ_type": "https://gs1.org/voc/Temperature"}, ["cooled"]),
        ({"EQ_type": "gs1:Humidity"}, []),
        ({"EQ_deviceID": "urn:epc:id:giai:6901234.T1"}, ["cooled"]),
        ({"GE_value_CEL": "42.5"}, ["cooled"]),
        ({"GT_value_CEL": "42.5"}, []),
        ({"GE_value_FAH": "0"}, []),  # no unit conversion
        ({"EQ_value_CEL": "42.5,99"}, ["cooled"]),
        ({"LT_maxValue_CEL": "46", "GE_minValue_CEL": "20"}, ["cooled"]),
        ({"LT_maxValue_CEL": "45"}, []),
        ({"EQ_booleanValue": "true"}, ["cooled"]),
        ({"EQ_stringValue": "ok"}, ["cooled"]),
        ({"GE_time": "2026-03-03T00:00:00Z"}, ["cooled"]),
        ({"LT_time": "2026-03-03T00:00:00Z"}, []),
        ({f"EQ_{_brace('colour')}": "red"}, ["received"]),
        ({f"EQ_{_brace('colour')}": "blue"}, []),
        ({f"EXISTS_{_brace('batch')}": ""}, ["cooled"]),
        ({f"EQ_INNER_{_brace('grade')}": "3"}, ["cooled"]),
        ({f"EQ_{_brace('grade')}": "3"}, []),  # nested, not top-level
        ({f"EQ_ILMD_{_brace('heat')}": "H-7"}, ["made"]),
        ({f"GT_ILMD_{_brace('hardness')}": "58"}, ["made"]),
        ({f"GT_ILMD_{_brace('hardness')}": "58.5"}, []),
        ({f"EQ_ILMD_{_brace('hardness')}": "58.50"}, ["made"]),  # numbers compare by value
        ({f"EXISTS_ILMD_{_brace('chem')}": ""}, ["made"]),
        ({f"LE_INNER_ILMD_{_brace('carbon')}": "0.42"}, ["made"]),
        ({f"EQ_ERROR_DECLARATION_{_brace('ticket')}": "T-9"}, ["withdrawn"]),
        ({"EQ_quantity_KGM": "200"}, ["made"]),
        ({"GT_quantity_KGM": "200"}, []),
        ({"GE_quantity_KGM": "100", "LT_quantity_KGM": "300"}, ["made"]),
        ({"EQ_quantity_LTR": "200"}, []),
        # An SGLN with extension 0 covers its extensions, without master data.
        ({"WD_readPoint": DOCK}, ["received", "cooled"]),
        ({"WD_readPoint": DOCK_7}, ["received"]),
        ({"WD_bizLocation": WORKSHOP}, ["received", "withdrawn"]),
        ({"WD_bizLocation": identifiers.to_digital_link(WORKSHOP)}, ["received", "withdrawn"]),
        # Combined with the column parameters.
        ({"EQ_action": "ADD", f"EXISTS_ILMD_{_brace('heat')}": ""}, ["made"]),
    ],
)
def test_each_parameter_selects_the_known_events(client, sample, params, expected):
    assert _names(client, sample, params) == expected


def test_prefixes_come_from_the_gs1_extensions_header_and_survive_paging(client, sample):
    header = {"HTTP_GS1_EXTENSIONS": f"example={NS}, other=https://other.example.com/"}
    params = {"EXISTS_example:colour": "", "perPage": "1"}
    assert _names(client, sample, params, **header) == ["received"]
    _capture(client, [_event("again", 9, **{"example:colour": "red"})], sample)
    first = client.get(EVENTS, params, **sample, **header)
    link = first["Link"]
    second = client.get(link[link.index("/api/") : link.index(">")], **sample)
    events = second.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["eventID"] for e in events] == ["urn:uuid:a-again"]
    undeclared = client.get(EVENTS, {"EQ_example:colour": "red"}, **sample)
    assert undeclared.status_code == 400
    problem = undeclared.json()["errors"][0]
    assert problem["field"] == "EQ_example:colour" and "GS1-Extensions" in problem["reason"]
    bad = client.get(EVENTS, **sample, HTTP_GS1_EXTENSIONS="example")
    assert bad.json()["errors"][0]["field"] == "GS1-Extensions"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"EQ_bizTransaction_nonsense": "x"}, "EQ_bizTransaction_nonsense"),
        ({"EQ_source_seller": "x"}, "EQ_source_seller"),
        ({"GE_value_CEL": "hot"}, "GE_value_CEL"),
        ({"EXISTS_sensorElementList": "maybe"}, "EXISTS_sensorElementList"),
        ({"GE_errorDeclaration_Time": "yesterday"}, "GE_errorDeclaration_Time"),
        ({"EQ_errorReason": "oops"}, "EQ_errorReason"),
        ({"EQ_booleanValue": "maybe"}, "EQ_booleanValue"),
        ({"GT_percRank": "high"}, "GT_percRank"),
        ({f"GT_{_brace('x')}": "abc"}, f"GT_{_brace('x')}"),
        ({"GE_quantity_KGM": "lots"}, "GE_quantity_KGM"),
        ({"GE_value_CEL": ["1", "2"]}, "GE_value_CEL"),
        ({"EQ_persistentDisposition_set": "sleepy"}, "EQ_persistentDisposition_set"),
        ({"EQ_readPoint_example:x": "1"}, "EQ_readPoint_example:x"),  # master data attributes
        ({"HASATTR_example:x": "1"}, "HASATTR_example:x"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, gear_token, params, field):
    response = client.get(EVENTS, params, HTTP_ACCEPT_LANGUAGE="en", **gear_token)
    assert response.status_code == 400, response.content
    assert field in [p["field"] for p in response.json()["errors"]]


def test_attributes_are_written_at_capture_and_when_an_error_is_declared(client, sample):
    made = Event.objects.get(event_id="urn:uuid:a-made")
    rows = {(a.kind, a.name, a.text) for a in made.attributes.all()}
    assert ("ilmd", _brace("heat"), "H-7") in rows
    assert ("ilmd_inner", _brace("carbon"), "0.42") in rows
    assert ("persistent_set", "", "https://ref.gs1.org/cbv/Disp-completeness_verified") in rows
    declared = dict(
        SAMPLE[1],
        errorDeclaration={"declarationTime": "2026-03-06T00:00:00Z", "reason": "incorrect_data"},
    )
    _capture(client, [declared], sample)
    assert _names(client, sample, {"EQ_errorReason": "incorrect_data"}) == ["made"]
    assert EventAttribute.objects.filter(event=made, kind="ilmd").count() == 3


# -- location master data -------------------------------------------------------------------


def _state(client, auth: dict, entries) -> object:
    return client.post(LOCATIONS, data=json.dumps(entries), content_type="application/json", **auth)


def test_master_data_widens_wd_to_the_locations_listed_under(client, sample):
    assert _names(client, sample, {"WD_bizLocation": WORKSHOP}) == ["received", "withdrawn"]
    stated = _state(
        client,
        sample,
        [
            {"id": WORKSHOP, "name": "热处理车间"},
            {"id": identifiers.to_digital_link(LINE), "name": "2号线", "parent": WORKSHOP},
        ],
    )
    assert stated.json() == {"created": 2, "updated": 0}
    assert _names(client, sample, {"WD_bizLocation": WORKSHOP}) == [
        "received",
        "made",
        "withdrawn",
    ]
    assert _names(client, sample, {"WD_bizLocation": LINE}) == ["made"]
    # Saying it again changes nothing; moving LINE to the top level narrows the answer again.
    assert _state(client, sample, [{"id": LINE, "name": "2号线", "parent": WORKSHOP}]).json() == {
        "created": 0,
        "updated": 0,
    }
    assert _state(client, sample, [{"id": LINE, "name": "2号线"}]).json()["updated"] == 1
    assert _names(client, sample, {"WD_bizLocation": WORKSHOP}) == ["received", "withdrawn"]
    listed = client.get(LOCATIONS, **sample).json()
    assert listed == [
        {"id": WORKSHOP, "name": "热处理车间", "parent": None},
        {"id": LINE, "name": "2号线", "parent": None},
    ]


def test_bad_master_data_saves_nothing_and_names_the_entry(client, sample):
    response = _state(
        client,
        sample,
        [
            {"id": WORKSHOP},
            {"id": LINE, "parent": STORE},
            {"id": "urn:epc:id:sgln:69.1"},
            {"id": DOCK, "colour": "red"},
        ],
    )
    assert response.status_code == 400
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [
        (2, "id"),
        (3, "colour"),
        (1, "parent"),
    ]
    cycle = _state(
        client, sample, [{"id": WORKSHOP, "parent": LINE}, {"id": LINE, "parent": WORKSHOP}]
    )
    assert {e["field"] for e in cycle.json()["errors"]} == {"parent"}
    assert _state(client, sample, []).status_code == 400
    assert not Location.objects.exists()


def test_an_enterprise_hierarchy_widens_only_its_own_events(client, demo, sample, ev_token):
    # The EV maker states LINE under WORKSHOP and has its own event at LINE.
    _state(client, ev_token, [{"id": WORKSHOP}, {"id": LINE, "parent": WORKSHOP}])
    _capture(client, [_event("ev-line", 8, bizLocation={"id": LINE})], ev_token)
    assert _names(client, sample, {"WD_bizLocation": WORKSHOP}) == ["received", "withdrawn"]
    assert _names(client, ev_token, {"WD_bizLocation": WORKSHOP}) == ["ev-line"]
    assert client.get(LOCATIONS, **sample).json() == []
    # Zone staff see both enterprises' events and each through its own hierarchy.
    client.force_login(demo.user("analyst"))
    assert _names(client, {}, {"WD_bizLocation": WORKSHOP}) == ["received", "withdrawn", "ev-line"]
    assert len(client.get(LOCATIONS).json()) == 2
    assert _state(client, {}, [{"id": DOCK}]).status_code == 403


def test_removing_a_location_lifts_its_children_to_the_top(client, sample, ev_token, demo):
    _state(
        client, sample, [{"id": WORKSHOP, "name": "热处理车间"}, {"id": LINE, "parent": WORKSHOP}]
    )
    url = f"{LOCATIONS}/{quote(identifiers.to_digital_link(WORKSHOP), safe='')}"
    # Another enterprise, zone staff and strangers cannot remove it.
    assert client.delete(url, **ev_token).status_code == 404
    client.force_login(demo.user("analyst"))
    assert client.delete(url).status_code == 403
    client.logout()
    assert client.delete(url).status_code == 401
    assert client.delete(url, **sample).status_code == 204
    assert client.get(LOCATIONS, **sample).json() == [{"id": LINE, "name": "", "parent": None}]
    assert _names(client, sample, {"WD_bizLocation": WORKSHOP}) == ["received", "withdrawn"]
    assert client.delete(url, **sample).status_code == 404
    bad = client.delete(f"{LOCATIONS}/urn%3Aepc%3Aid%3Asgln%3A69.1", **sample)
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (400, "location")


def test_locations_tenancy(client, demo, other_zone, ev_token):
    _state(client, ev_token, [{"id": WORKSHOP}])
    for user in (demo.user("gear"), demo.user("pm2"), other_zone["admin"], other_zone["user"]):
        client.force_login(user)
        assert client.get(LOCATIONS).json() == []
    client.force_login(demo.user("ev"))
    assert [loc["id"] for loc in client.get(LOCATIONS).json()] == [WORKSHOP]
    client.logout()
    assert client.get(LOCATIONS).status_code == 401
    assert _state(client, {}, [{"id": DOCK}]).status_code == 401


# -- indexes --------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN text is SQLite's")
@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({"EQ_bizTransaction_po": ["http://po.example.com/PO-1"]}, "trace_attr_text"),
        ({f"EQ_ILMD_{_brace('heat')}": ["H-7"]}, "trace_attr_text"),
        ({"GE_value_CEL": ["40"]}, "trace_attr_number"),
        ({"GE_errorDeclaration_Time": ["2026-03-05T00:00:00Z"]}, "trace_attr_moment"),
        ({"EXISTS_sensorElementList": [""]}, "trace_attr_"),  # any (kind, name, …) index
    ],
)
def test_attribute_parameters_use_an_index(sample, params, index):
    plan = query.filter_events(Event.objects.all(), query.parse_query(params)).explain()
    assert index in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN text is SQLite's")
def test_eq_read_point_can_use_the_enterprise_read_point_index(demo, sample):
    # Unordered: for a page by eventTime the planner may rather walk (enterprise, event_time).
    events = Event.objects.filter(enterprise=demo.firms["gear"]).order_by()
    plan = query.filter_events(events, query.parse_query({"EQ_readPoint": [DOCK]})).explain()
    assert "trace_event_ent_read_point" in plan, plan


def test_the_other_documented_parameter_families_parse():
    names = [
        "EQ_persistentDisposition_set",
        "EQ_correctiveEventID",
        "GE_startTime",
        "LT_endTime",
        "EQ_microorganism",
        "EQ_chemicalSubstance",
        "EQ_bizRules",
        "EQ_hexBinaryValue",
        "EQ_uriValue",
        "EQ_dataProcessingMethod",
        f"EQ_SENSORREPORT_{_brace('x')}",
        f"EXISTS_SENSORMETADATA_{_brace('x')}",
        f"EQ_INNER_SENSORELEMENT_{_brace('x')}",
        f"EQ_INNER_ERROR_DECLARATION_{_brace('x')}",
    ]
    values = {
        "GE_startTime": "2026-01-01T00:00:00Z",
        "LT_endTime": "2026-01-01T00:00:00Z",
        "EQ_persistentDisposition_set": "recalled",
    }
    for name in names:
        assert query.parse_query({name: [values.get(name, "1")]}).attribute_filters, name
