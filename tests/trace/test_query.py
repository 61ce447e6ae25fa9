"""EPCIS query side over the API: SimpleEventQuery parameters, paging, and tenancy."""

import json
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from django.db import connection
from django.urls import reverse

from parkbrain.trace import query
from parkbrain.trace.models import Event, known_as

from . import corpora
from .planner import statistics_as_if

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not corpora.SHARED.is_dir(), reason="../shared is not present"),
]

EVENTS = "/api/epcis/events"
EPC = "urn:epc:id:sgtin:6901234.012345.{}"
EPC_1_LINK = "https://id.gs1.org/01/06901234123456/21/1"
LOT = "urn:epc:class:lgtin:6901234.012345.{}"
SSCC = "urn:epc:id:sscc:6901234.0000000001"
DOCK = "urn:epc:id:sgln:6901234.00001.0"
STORE = "urn:epc:id:sgln:6901234.00002.0"
CBV_STEP = "https://ref.gs1.org/cbv/BizStep-"


def _event(kind: str, day: int, **fields) -> dict:
    event = {
        "type": kind,
        "eventTime": f"2026-03-{day:02d}T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
    }
    event.update(fields)
    return event


#: Five events with one thing each that sets it apart; the key names the event in tests.
SAMPLE = {
    "made": _event(
        "ObjectEvent",
        1,
        eventID="urn:uuid:q-made",
        action="ADD",
        epcList=[EPC.format(1), EPC.format(2)],
        bizStep="commissioning",
        disposition="active",
        readPoint={"id": DOCK},
        bizLocation={"id": DOCK},
    ),
    "shipped": _event(
        "ObjectEvent",
        2,
        eventID="urn:uuid:q-shipped",
        action="OBSERVE",
        epcList=[EPC.format(1)],
        bizStep="shipping",
        disposition="in_transit",
        bizLocation={"id": STORE},
    ),
    "packed": _event(
        "AggregationEvent",
        3,
        eventID="urn:uuid:q-packed",
        action="ADD",
        parentID=SSCC,
        childEPCs=[EPC.format(2)],
        bizStep="packing",
    ),
    "hardened": _event(
        "TransformationEvent",
        4,
        eventID="urn:uuid:q-hardened",
        transformationID="urn:uuid:tx-1",
        inputQuantityList=[{"epcClass": LOT.format("HEAT-7"), "quantity": 12.5, "uom": "KGM"}],
        outputEPCList=[EPC.format(9)],
        bizStep="https://gear.example.com/steps/hardening",
    ),
    "counted": _event(
        "ObjectEvent",
        5,
        eventID="urn:uuid:q-counted",
        action="OBSERVE",
        quantityList=[{"epcClass": LOT.format("LOT-1"), "quantity": 40}],
        bizStep="inspecting",
        disposition="conformant",
        errorDeclaration={
            "declarationTime": "2026-03-06T09:00:00+08:00",
            "reason": "incorrect_data",
        },
    ),
}
NAME_OF = {event["eventID"]: name for name, event in SAMPLE.items()}


def _document(events: list[dict]) -> dict:
    document = corpora.wrapped(events[0])
    document["epcisBody"]["eventList"] = events
    return document


def _capture(client, events: list[dict], auth: dict) -> None:
    response = client.post(
        "/api/epcis/capture",
        data=json.dumps(_document(events)),
        content_type="application/ld+json",
        **auth,
    )
    assert response.status_code == 202
    assert response.json()["success"], response.json()["errors"]


@pytest.fixture
def sample(client, gear_token):
    _capture(client, list(SAMPLE.values()), gear_token)
    return gear_token


def _names(client, auth: dict, path: str = EVENTS, **params) -> list[str]:
    response = client.get(path, params, **auth)
    assert response.status_code == 200, response.content
    events = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return [NAME_OF.get(e["eventID"], e["eventID"]) for e in events]


def _problems(response) -> list[tuple[str, str]]:
    assert response.status_code == 400, response.content
    return [(e["field"], e["value"]) for e in response.json()["errors"]]


# -- the answer -----------------------------------------------------------------------------


def test_without_parameters_every_visible_event_comes_oldest_first_as_a_query_document(
    client, sample
):
    response = client.get(EVENTS, **sample)
    assert response["Content-Type"] == "application/ld+json"
    assert response["GS1-EPCIS-Version"] == "2.0.0"
    assert "Link" not in response
    document = response.json()
    assert document["type"] == "EPCISQueryDocument"
    results = document["epcisBody"]["queryResults"]
    assert results["queryName"] == "SimpleEventQuery"
    assert [NAME_OF[e["eventID"]] for e in results["resultsBody"]["eventList"]] == list(SAMPLE)
    made = results["resultsBody"]["eventList"][0]
    assert made["epcList"] == SAMPLE["made"]["epcList"]
    assert "recordTime" in made


def test_epc_format_header_translates_the_query_results(client, sample):
    response = client.get(
        EVENTS,
        {"EQ_eventID": "urn:uuid:q-shipped"},
        HTTP_GS1_EPC_FORMAT="Always_GS1_Digital_Link",
        **sample,
    )
    assert response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"][0][
        "epcList"
    ] == [EPC_1_LINK]
    assert client.get(EVENTS, HTTP_GS1_EPC_FORMAT="Sometimes", **sample).status_code == 400


# -- parameter families ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"GE_eventTime": "2026-03-02T00:00:00Z"}, ["shipped", "packed", "hardened", "counted"]),
        ({"LT_eventTime": "2026-03-03T00:00:00Z"}, ["made", "shipped"]),
        # Same instant as packed's 08:00+08:00: GE includes it, LT excludes it.
        (
            {"GE_eventTime": "2026-03-03T00:00:00Z", "LT_eventTime": "2026-03-04T00:00:00Z"},
            ["packed"],
        ),
        ({"GE_eventTime": "2026-03-03T08:00:00+08:00"}, ["packed", "hardened", "counted"]),
        ({"LT_eventTime": "2026-03-03T08:00:00+08:00"}, ["made", "shipped"]),
        ({"eventType": "AggregationEvent"}, ["packed"]),
        ({"eventType": ["AggregationEvent", "TransformationEvent"]}, ["packed", "hardened"]),
        ({"eventType": "AggregationEvent,TransformationEvent"}, ["packed", "hardened"]),
        ({"EQ_action": "OBSERVE"}, ["shipped", "counted"]),
        ({"EQ_bizStep": "shipping"}, ["shipped"]),
        ({"EQ_bizStep": CBV_STEP + "shipping"}, ["shipped"]),
        ({"EQ_bizStep": "urn:epcglobal:cbv:bizstep:shipping"}, ["shipped"]),
        ({"EQ_bizStep": "shipping,packing"}, ["shipped", "packed"]),
        ({"EQ_bizStep": "https://gear.example.com/steps/hardening"}, ["hardened"]),
        ({"EQ_disposition": "in_transit"}, ["shipped"]),
        ({"EQ_disposition": "https://ref.gs1.org/cbv/Disp-active"}, ["made"]),
        ({"EQ_readPoint": DOCK}, ["made"]),
        ({"EQ_readPoint": "https://id.gs1.org/414/6901234000016"}, ["made"]),
        ({"EQ_bizLocation": STORE}, ["shipped"]),
        ({"EQ_eventID": "urn:uuid:q-packed,urn:uuid:q-made"}, ["made", "packed"]),
        ({"EQ_transformationID": "urn:uuid:tx-1"}, ["hardened"]),
        ({"EXISTS_errorDeclaration": ""}, ["counted"]),
        ({"EXISTS_errorDeclaration": "false"}, ["made", "shipped", "packed", "hardened"]),
        ({"MATCH_epc": EPC.format(1)}, ["made", "shipped"]),
        ({"MATCH_epc": EPC.format(2)}, ["made", "packed"]),  # epcList and childEPCs
        ({"MATCH_epc": EPC.format(9)}, []),  # an output is not an epc
        ({"MATCH_parentID": SSCC}, ["packed"]),
        ({"MATCH_parentID": "https://id.gs1.org/00/069012340000000016"}, ["packed"]),
        ({"MATCH_inputEPC": EPC.format(9)}, []),
        ({"MATCH_outputEPC": EPC.format(9)}, ["hardened"]),
        ({"MATCH_anyEPC": f"{EPC.format(9)},{SSCC}"}, ["packed", "hardened"]),
        ({"MATCH_epcClass": LOT.format("LOT-1")}, ["counted"]),
        ({"MATCH_epcClass": LOT.format("HEAT-7")}, []),  # an input class
        ({"MATCH_inputEPCClass": LOT.format("HEAT-7")}, ["hardened"]),
        ({"MATCH_anyEPCClass": LOT.format("HEAT-7")}, ["hardened"]),
        ({"MATCH_anyEPCClass": "urn:epc:idpat:sgtin:6901234.012345.*"}, ["hardened", "counted"]),
        ({"MATCH_epc": "urn:epc:idpat:sgtin:6901234.012345.*"}, ["made", "shipped", "packed"]),
        (
            {"MATCH_anyEPC": "urn:epc:idpat:sgtin:6901234.*.*"},
            ["made", "shipped", "packed", "hardened"],
        ),
        ({"MATCH_anyEPC": "urn:epc:idpat:sgtin:6901235.*.*"}, []),
        # A GTIN-level Digital Link stands for every serial of that GTIN.
        ({"MATCH_epc": "https://id.gs1.org/01/06901234123456"}, ["made", "shipped", "packed"]),
        ({"EQ_quantity": "40"}, ["counted"]),
        ({"EQ_quantity": "12.5,40"}, ["hardened", "counted"]),
        ({"GT_quantity": "12.5"}, ["counted"]),
        ({"GE_quantity": "12.5", "LT_quantity": "40"}, ["hardened"]),
        ({"LE_quantity": "12.5"}, ["hardened"]),
        # Parameters combine with AND.
        ({"MATCH_epc": EPC.format(1), "EQ_bizStep": "shipping"}, ["shipped"]),
        ({"MATCH_epc": EPC.format(1), "EQ_bizStep": "packing"}, []),
    ],
)
def test_each_parameter_selects_the_known_events(client, sample, params, expected):
    assert _names(client, sample, **params) == expected


def test_a_digital_link_and_an_epc_urn_match_the_same_events(client, sample):
    by_urn = _names(client, sample, MATCH_epc=EPC.format(1))
    assert by_urn == ["made", "shipped"]
    assert _names(client, sample, MATCH_epc=EPC_1_LINK) == by_urn
    assert _names(client, sample, MATCH_anyEPC=EPC_1_LINK) == by_urn


def test_record_time_selects_what_a_later_capture_stored(client, sample):
    _capture(client, [_event("ObjectEvent", 1, action="OBSERVE", epcList=[EPC.format(50)])], sample)
    later = Event.objects.get(identifiers__uri=EPC.format(50))
    moment = later.record_time.isoformat()
    assert len(_names(client, sample, GE_recordTime=moment)) == 1
    assert _names(client, sample, LT_recordTime=moment) == list(SAMPLE)


def test_order_by_and_direction(client, sample):
    assert _names(client, sample, orderBy="eventTime") == list(reversed(SAMPLE))
    assert _names(client, sample, orderBy="eventTime", orderDirection="ASC") == list(SAMPLE)
    _capture(client, [_event("ObjectEvent", 1, action="OBSERVE", epcList=[EPC.format(50)])], sample)
    newest = _names(client, sample, orderBy="recordTime", orderDirection="DESC")
    assert newest[0] not in SAMPLE and sorted(newest[1:]) == sorted(SAMPLE)


def test_event_count_limit_cuts_the_answer_and_max_event_count_refuses_it(client, sample):
    assert _names(client, sample, eventCountLimit="2") == ["made", "shipped"]
    assert _names(client, sample, maxEventCount="5") == list(SAMPLE)
    too_many = client.get(EVENTS, {"maxEventCount": "4"}, **sample)
    assert too_many.status_code == 413
    assert too_many.json()["errors"][0]["field"] == "maxEventCount"


# -- paging ---------------------------------------------------------------------------------


def _all_pages(client, auth: dict, path: str, params: dict) -> tuple[list[str], int]:
    seen: list[str] = []
    pages = 0
    response = client.get(path, params, **auth)
    while True:
        assert response.status_code == 200, response.content
        pages += 1
        events = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        seen.extend(e["eventID"] for e in events)
        if "Link" not in response:
            return seen, pages
        link = response["Link"]
        assert link.endswith('; rel="next"')
        url = urlsplit(link[1 : link.index(">")])
        assert url.path == path
        assert set(parse_qs(url.query)) == {"perPage", "nextPageToken"}
        response = client.get(f"{url.path}?{url.query}", **auth)


def test_pages_follow_each_other_without_duplicates_or_gaps(client, gear_token):
    # 23 events, many sharing an eventTime, so the cursor has to break ties by id.
    events = [
        _event("ObjectEvent", 1 + i % 3, action="OBSERVE", epcList=[EPC.format(100 + i)])
        for i in range(23)
    ]
    _capture(client, events, gear_token)
    everything, pages = _all_pages(client, gear_token, EVENTS, {"perPage": "1000"})
    assert pages == 1 and len(everything) == 23
    for direction in ("ASC", "DESC"):
        params = {"perPage": "5", "orderBy": "eventTime", "orderDirection": direction}
        paged, pages = _all_pages(client, gear_token, EVENTS, params)
        single, _pages = _all_pages(client, gear_token, EVENTS, {**params, "perPage": "100"})
        assert pages == 5
        assert paged == single
        assert len(set(paged)) == 23
    limited, pages = _all_pages(
        client, gear_token, EVENTS, {"perPage": "5", "eventCountLimit": "12"}
    )
    assert (len(limited), pages) == (12, 3)
    assert limited == everything[:12]


def test_the_default_page_holds_thirty_events(client, gear_token):
    events = [
        _event("ObjectEvent", 1, action="OBSERVE", epcList=[EPC.format(i)]) for i in range(31)
    ]
    _capture(client, events, gear_token)
    first = client.get(EVENTS, **gear_token)
    assert len(first.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 30
    assert "Link" in first


def test_a_page_token_is_tied_to_its_query_and_resource(client, gear_token):
    events = [_event("ObjectEvent", 1, action="OBSERVE", epcList=[EPC.format(i)]) for i in range(3)]
    _capture(client, events, gear_token)
    first = client.get(EVENTS, {"perPage": "1", "EQ_action": "OBSERVE"}, **gear_token)
    token = parse_qs(urlsplit(first["Link"][1:-13]).query)["nextPageToken"][0]
    same = client.get(
        EVENTS, {"perPage": "1", "EQ_action": "OBSERVE", "nextPageToken": token}, **gear_token
    )
    assert same.status_code == 200
    other = client.get(EVENTS, {"EQ_action": "ADD", "nextPageToken": token}, **gear_token)
    assert _problems(other) == [("nextPageToken", token[:40])]
    elsewhere = client.get(
        f"/api/epcis/epcs/{quote(EPC.format(1), safe='')}/events",
        {"nextPageToken": token},
        **gear_token,
    )
    assert _problems(elsewhere)[0][0] == "nextPageToken"
    forged = client.get(EVENTS, {"nextPageToken": token[:-2] + "xx"}, **gear_token)
    assert _problems(forged)[0][0] == "nextPageToken"


# -- bad requests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"EQ_colour": "red"}, "EQ_colour"),
        ({"WD_readPoint": "urn:epc:id:sgln:69.1"}, "WD_readPoint"),
        ({"GE_eventTime": "yesterday"}, "GE_eventTime"),
        ({"LT_recordTime": "2026-03-01"}, "LT_recordTime"),
        ({"eventType": "SensorEvent"}, "eventType"),
        ({"EQ_action": "add"}, "EQ_action"),
        ({"EQ_bizStep": "machining"}, "EQ_bizStep"),
        ({"EQ_disposition": "https://ref.gs1.org/cbv/Disp-sleepy"}, "EQ_disposition"),
        ({"MATCH_epc": "urn:epc:id:sgtin:69.1"}, "MATCH_epc"),
        ({"MATCH_epc": "urn:epc:idpat:sgtin:6901234.*.1"}, "MATCH_epc"),
        ({"MATCH_epc": "https://id.gs1.org/01/06901234123457/21/1"}, "MATCH_epc"),
        ({"EQ_quantity": "lots"}, "EQ_quantity"),
        ({"orderBy": "bizStep"}, "orderBy"),
        ({"orderDirection": "UP"}, "orderDirection"),
        ({"eventCountLimit": "0"}, "eventCountLimit"),
        ({"eventCountLimit": "2", "maxEventCount": "3"}, "maxEventCount"),
        ({"perPage": "1001"}, "perPage"),
        ({"perPage": "none"}, "perPage"),
        ({"EXISTS_errorDeclaration": "maybe"}, "EXISTS_errorDeclaration"),
        ({"GE_eventTime": ["2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z"]}, "GE_eventTime"),
        ({"nextPageToken": "not-a-token"}, "nextPageToken"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(client, gear_token, params, field):
    response = client.get(EVENTS, params, HTTP_ACCEPT_LANGUAGE="en", **gear_token)
    problems = response.json()["errors"] if response.status_code == 400 else []
    assert response.status_code == 400, response.content
    assert field in [p["field"] for p in problems]
    assert all(p["reason"] for p in problems)


def test_every_bad_parameter_is_named_at_once(client, gear_token):
    response = client.get(EVENTS, {"EQ_action": "add", "orderBy": "x", "EQ_x": "1"}, **gear_token)
    assert sorted(f for f, _v in _problems(response)) == ["EQ_action", "EQ_x", "orderBy"]


@pytest.mark.parametrize(
    "name", ["MATCH_epc", "MATCH_parentID", "MATCH_anyEPC", "MATCH_epcClass", "MATCH_anyEPCClass"]
)
def test_a_pattern_of_no_epc_scheme_is_400_naming_the_parameter(client, sample, name):
    # Accepted, it would have matched nothing, as if no event named the pattern's objects.
    response = client.get(
        EVENTS, {name: "urn:epc:idpat:foo:6901234.*"}, HTTP_ACCEPT_LANGUAGE="en", **sample
    )
    assert response.status_code == 400, response.content
    [problem] = response.json()["errors"]
    assert problem["field"] == name
    assert "scheme 'foo' is not an EPC scheme" in problem["reason"]
    assert "sgtin" in problem["reason"]


def test_an_unescaped_plus_in_a_time_still_parses(client, sample):
    response = client.get(f"{EVENTS}?GE_eventTime=2026-03-05T08:00:00+08:00", **sample)
    assert response.status_code == 200
    assert len(response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == 1


# -- resources built on the query -----------------------------------------------------------


def _epc_path(epc: str) -> str:
    return f"/api/epcis/epcs/{quote(epc, safe='')}/events"


def test_the_events_of_one_epc_in_any_role(client, sample):
    named = reverse("api:epcis_epc_events", kwargs={"epc": EPC.format(2)})
    assert named == f"/api/epcis/epcs/{EPC.format(2)}/events"
    assert _names(client, sample, _epc_path(EPC.format(2))) == ["made", "packed"]
    assert _names(client, sample, _epc_path(EPC.format(9))) == ["hardened"]
    assert _names(client, sample, _epc_path(SSCC)) == ["packed"]
    assert _names(client, sample, _epc_path(LOT.format("HEAT-7"))) == ["hardened"]
    assert _names(client, sample, _epc_path(EPC_1_LINK)) == ["made", "shipped"]
    assert _names(client, sample, _epc_path(EPC.format(1)), EQ_bizStep="shipping") == ["shipped"]
    bad = client.get(_epc_path("urn:epc:id:sgtin:69.1"), **sample)
    assert _problems(bad)[0][0] == "epc"


def test_biz_steps_and_biz_locations_list_the_distinct_values(client, sample):
    steps = client.get(reverse("api:epcis_biz_steps"), **sample).json()
    assert steps["type"] == "Collection"
    assert steps["member"] == sorted(
        [CBV_STEP + w for w in ("commissioning", "shipping", "packing", "inspecting")]
        + ["https://gear.example.com/steps/hardening"]
    )
    locations = client.get(reverse("api:epcis_biz_locations"), **sample).json()
    assert locations["member"] == [DOCK, STORE]
    first = client.get(reverse("api:epcis_biz_steps"), {"perPage": "2"}, **sample)
    members = first.json()["member"]
    while "Link" in first:
        link = first["Link"]
        first = client.get(link[link.index("/api/") : link.index(">")], **sample)
        members += first.json()["member"]
    assert members == steps["member"]
    assert _problems(client.get(reverse("api:epcis_biz_steps"), {"x": "1"}, **sample))[0][0] == "x"


# -- indexes --------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN text is SQLite's")
@pytest.mark.parametrize(
    "uri", [EPC.format(1), "urn:epc:idpat:sgtin:6901234.012345.*"], ids=["exact", "pattern"]
)
def test_match_epc_uses_the_uri_role_index(sample, uri):
    parsed = query.parse_query({"MATCH_epc": [uri]})
    plan = query.filter_events(Event.objects.all(), parsed).explain()
    assert "trace_ident_uri_role_event" in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN text is SQLite's")
def test_an_event_is_found_by_its_id_through_indexes_not_by_scanning(sample, demo):
    """As in the demo zone: 200,000 events of two enterprises, none with a declared eventID.
    Counting every '' made the eventID index look useless, and a lookup by ID scanned the
    enterprise's events (30 ms there)."""
    per_value = {"enterprise_id": 100_000, "hash_id": 1, "event_id": 200_000}
    declared = {
        "trace_event_declared": "1 1",
        "trace_event_declared_id_once_per_enterprise": "1 1 1",
    }
    with statistics_as_if(Event._meta.db_table, 200_000, per_value, declared):
        for events in (
            Event.objects.filter(enterprise=demo.firms["gear"]),
            Event.objects.filter(enterprise__zone_id=demo.zone.id),
        ):
            plan = events.filter(known_as(["urn:uuid:q-made"])).order_by("id").explain()
            assert "MULTI-INDEX OR" in plan and "trace_event_declared" in plan, plan
            assert "SCAN trace_event" not in plan and "enterprise_id=?)" not in plan, plan


# -- tenancy --------------------------------------------------------------------------------


def test_another_enterprise_sees_none_of_the_events_steps_or_locations(client, sample, ev_token):
    ev_event = _event("ObjectEvent", 7, action="ADD", epcList=[EPC.format(77)], bizStep="receiving")
    _capture(client, [ev_event], ev_token)
    assert len(_names(client, ev_token)) == 1
    assert _names(client, ev_token, MATCH_epc=EPC.format(1)) == []
    assert _names(client, ev_token, EQ_eventID="urn:uuid:q-made") == []
    assert _names(client, ev_token, _epc_path(EPC.format(1))) == []
    assert _names(client, ev_token, _epc_path(EPC_1_LINK)) == []
    steps = client.get(reverse("api:epcis_biz_steps"), **ev_token).json()["member"]
    assert steps == [CBV_STEP + "receiving"]
    assert client.get(reverse("api:epcis_biz_locations"), **ev_token).json()["member"] == []
    # And the gear maker does not see the EV maker's event.
    assert _names(client, sample, MATCH_epc=EPC.format(77)) == []
    assert (
        CBV_STEP + "receiving"
        not in client.get(reverse("api:epcis_biz_steps"), **sample).json()["member"]
    )


def test_zone_staff_and_the_assigned_manager_see_the_events_others_do_not(
    client, demo, other_zone, sample
):
    for username in ("analyst", "admin", "pm"):
        client.force_login(demo.user(username))
        assert _names(client, {}) == list(SAMPLE)
        assert _names(client, {}, _epc_path(EPC.format(1))) == ["made", "shipped"]
    for user in (demo.user("pm2"), other_zone["admin"], other_zone["user"]):
        client.force_login(user)
        assert _names(client, {}) == []
        assert _names(client, {}, _epc_path(EPC.format(1))) == []
        assert client.get(reverse("api:epcis_biz_steps")).json()["member"] == []
        assert client.get(reverse("api:epcis_biz_locations")).json()["member"] == []
    client.logout()
    for path in (EVENTS, _epc_path(EPC.format(1)), reverse("api:epcis_biz_steps")):
        assert client.get(path).status_code == 401
