"""Genealogy (ParkBrain extension): the edge table written at capture, the forward and
backward walks, and the /trace routes with their tenancy."""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from parkbrain.trace import genealogy, identifiers
from parkbrain.trace.models import Event, GenealogyEdge

from . import corpora
from .planner import statistics_as_if

pytestmark = pytest.mark.django_db

BACKWARD = "api:epcis_trace_backward"
FORWARD = "api:epcis_trace_forward"

HEAT = "urn:epc:class:lgtin:6901234.011111.HEAT-1"
FORGED = "urn:epc:class:lgtin:6901234.022222.{}"
GEARS = "urn:epc:class:lgtin:6901234.033333.{}"
BATCH = "urn:epc:class:lgtin:6901234.033333.HT-1"
GEAR = "urn:epc:id:sgtin:6901234.044444.{}"
CASE = "urn:epc:id:sscc:6901234.0000000001"
PALLET = "urn:epc:id:sscc:6901234.0000000009"
F1, F2 = FORGED.format("F-1"), FORGED.format("F-2")
GA, GB = GEARS.format("G-A"), GEARS.format("G-B")
S1, S2 = GEAR.format(1), GEAR.format(2)
GEAR_1_LINK = identifiers.to_digital_link(S1)
HEAT_LINK = identifiers.to_digital_link(HEAT)
# The same gear with its check digit off by one.
BAD_CHECK_LINK = GEAR_1_LINK[:-6] + str((int(GEAR_1_LINK[-6]) + 1) % 10) + GEAR_1_LINK[-5:]


@pytest.fixture(autouse=True, params=["prefetched", "level by level"])
def walk_mode(request, monkeypatch):
    """Every walk both ways: edges fetched ahead by the recursive query, and (when that
    superset is too large) one query per level; the answers must not differ."""
    if request.param == "level by level":
        monkeypatch.setattr(genealogy, "PREFETCH_LIMIT", 0)
    return request.param


def _event(kind: str, day: int, event_id: str, **fields) -> dict:
    return {
        "type": kind,
        "eventTime": f"2026-03-{day:02d}T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "eventID": f"urn:uuid:g-{event_id}",
        **fields,
    }


def _amount(uri: str, quantity: float, uom: str | None = None) -> dict:
    return {"epcClass": uri, "quantity": quantity, **({"uom": uom} if uom else {})}


def _transform(day: int, event_id: str, inputs: list[dict], outputs: dict, step: str) -> dict:
    return _event(
        "TransformationEvent",
        day,
        event_id,
        inputQuantityList=inputs,
        **outputs,
        bizStep=f"https://gear.example.com/steps/{step}",
        readPoint={"id": "urn:epc:id:sgln:6901234.00001.0"},
    )


def _pack(day: int, event_id: str, parent: str, children: list[str], action="ADD") -> dict:
    return _event(
        "AggregationEvent",
        day,
        event_id,
        action=action,
        parentID=parent,
        childEPCs=children,
        bizStep="packing" if action == "ADD" else "unpacking",
    )


#: A steel heat forged into two lots, machined into gear lots, both heat-treated in one batch,
#: two gears marked from the batch, packed into a case, the case onto a pallet, shipped.
GEAR_PLANT = [
    _transform(
        1,
        "forge-1",
        [_amount(HEAT, 600, "KGM")],
        {"outputQuantityList": [_amount(F1, 100)]},
        "forging",
    ),
    _transform(
        1,
        "forge-2",
        [_amount(HEAT, 400, "KGM")],
        {"outputQuantityList": [_amount(F2, 70)]},
        "forging",
    ),
    _transform(
        2, "machine-a", [_amount(F1, 100)], {"outputQuantityList": [_amount(GA, 98)]}, "machining"
    ),
    _transform(
        2, "machine-b", [_amount(F2, 70)], {"outputQuantityList": [_amount(GB, 69)]}, "machining"
    ),
    _transform(
        3,
        "harden",
        [_amount(GA, 40), _amount(GB, 40)],
        {"outputQuantityList": [_amount(BATCH, 80)]},
        "heat-treating",
    ),
    _transform(4, "mark", [_amount(BATCH, 2)], {"outputEPCList": [S1, S2]}, "marking"),
    _pack(5, "case", CASE, [S1, S2]),
    _pack(5, "pallet", PALLET, [CASE]),
    _event("ObjectEvent", 6, "ship", action="OBSERVE", epcList=[PALLET], bizStep="shipping"),
]
RECEIVED = _event(
    "ObjectEvent",
    8,
    "receive",
    action="OBSERVE",
    epcList=[PALLET],
    bizStep="receiving",
    bizLocation={"id": "urn:epc:id:sgln:6905555.00001.0"},
)


def _capture(client, events: list[dict], auth: dict) -> None:
    document = corpora.wrapped(events[0])
    document["epcisBody"]["eventList"] = events
    response = client.post(
        "/api/epcis/capture",
        data=json.dumps(document),
        content_type="application/ld+json",
        **auth,
    )
    assert response.status_code == 202
    assert response.json()["success"], response.json()["errors"]


@pytest.fixture
def plant(client, gear_token, ev_token):
    _capture(client, GEAR_PLANT, gear_token)
    _capture(client, [RECEIVED], ev_token)
    return gear_token


def _trace(client, auth: dict, name: str = BACKWARD, **params) -> dict:
    response = client.get(reverse(name), params, **auth)
    assert response.status_code == 200, response.content
    return response.json()


def _depths(answer: dict) -> dict[str, int]:
    return {node["uri"]: node["depth"] for node in answer["nodes"]}


def _edges(answer: dict) -> set[tuple]:
    return {
        (e["from"], e["to"], e["kind"], e["fromQuantity"], e["fromUom"], e["toQuantity"])
        for e in answer["edges"]
    }


GEAR_1_ANCESTRY = {
    (BATCH, S1, "transformation", 2.0, None, None),
    (GA, BATCH, "transformation", 40.0, None, 80.0),
    (GB, BATCH, "transformation", 40.0, None, 80.0),
    (F1, GA, "transformation", 100.0, None, 98.0),
    (F2, GB, "transformation", 70.0, None, 69.0),
    (HEAT, F1, "transformation", 600.0, "KGM", 100.0),
    (HEAT, F2, "transformation", 400.0, "KGM", 70.0),
}


# -- the edge table -------------------------------------------------------------------------


def test_capture_writes_one_edge_per_input_output_and_child_parent_pair(plant):
    edges = GenealogyEdge.objects.all()
    # Four one-to-one steps, hardening 2 inputs x 1 output, marking 1 x 2, case 2, pallet 1.
    assert edges.count() == 4 + 2 + 2 + 2 + 1
    assert set(edges.filter(kind="aggregation").values_list("from_uri", "to_uri")) == {
        (S1, CASE),
        (S2, CASE),
        (CASE, PALLET),
    }
    forged = edges.get(to_uri=F1)
    assert (forged.from_uri, forged.from_quantity, forged.from_uom) == (HEAT, 600, "KGM")
    assert forged.event.event_id == "urn:uuid:g-forge-1"
    assert forged.enterprise == forged.event.enterprise
    # Object events (shipping, receiving) state no genealogy.
    assert not edges.filter(event__event_type="ObjectEvent").exists()


def test_delete_aggregations_are_stored_and_an_error_declaration_states_no_edges(
    client, gear_token
):
    _capture(
        client,
        [
            _pack(5, "case", CASE, [S1, S2]),
            _pack(7, "unpack-one", CASE, [S2], action="DELETE"),
            _event("AggregationEvent", 8, "unpack-all", action="DELETE", parentID=CASE),
            _transform(
                9,
                "wrong",
                [_amount(GA, 1)],
                {"outputEPCList": [GEAR.format(9)]},
                "marking",
            )
            | {"errorDeclaration": {"declarationTime": "2026-03-10T00:00:00Z"}},
        ],
        gear_token,
    )
    deletes = GenealogyEdge.objects.filter(action="DELETE").order_by("event_time")
    assert list(deletes.values_list("from_uri", "to_uri")) == [(S2, CASE), ("", CASE)]
    assert not GenealogyEdge.objects.filter(to_uri=GEAR.format(9)).exists()
    answer = _trace(client, gear_token, epc=CASE)
    removed = {e["from"]: e["removedAt"] for e in answer["edges"]}
    assert removed == {S2: "2026-03-07T00:00:00.000Z", S1: "2026-03-08T00:00:00.000Z"}


def test_rebuild_writes_the_same_edges_again_and_is_safe_to_repeat(plant):
    def snapshot() -> list[tuple]:
        return sorted(
            GenealogyEdge.objects.values_list(
                "event_id", "kind", "action", "from_uri", "to_uri", "from_quantity", "to_quantity"
            )
        )

    before = snapshot()
    GenealogyEdge.objects.all().delete()
    call_command("rebuild_genealogy", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert snapshot() == before
    call_command("rebuild_genealogy", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert snapshot() == before


SHARED_ID = "urn:uuid:furnace-batch-1"


def _furnace(day: int, event_id: str, **lists) -> dict:
    """Half of one heat treatment logged as two events sharing a transformationID."""
    return _event(
        "TransformationEvent",
        day,
        event_id,
        transformationID=SHARED_ID,
        bizStep="https://gear.example.com/steps/heat-treating",
        **lists,
    )


LOADED = _furnace(3, "load", inputQuantityList=[_amount(GA, 40), _amount(GB, 40)])
UNLOADED = _furnace(4, "unload", outputQuantityList=[_amount(BATCH, 80)])
HARDENED = {
    (GA, BATCH, "transformation", 40.0, None, 80.0),
    (GB, BATCH, "transformation", 40.0, None, 80.0),
}


@pytest.mark.parametrize(
    "documents",
    [[[LOADED, UNLOADED]], [[LOADED], [UNLOADED]], [[UNLOADED], [LOADED]]],
    ids=["one document", "inputs first", "outputs first"],
)
def test_events_sharing_a_transformation_id_link_the_inputs_of_one_to_the_outputs_of_another(
    client, gear_token, documents
):
    for events in documents:
        _capture(client, events, gear_token)
    answer = _trace(client, gear_token, epc=BATCH)
    assert _depths(answer) == {BATCH: 0, GA: 1, GB: 1}
    assert _edges(answer) == HARDENED
    # The edges are the unloading's, at its time: the batch came out then.
    assert set(GenealogyEdge.objects.values_list("event__event_id", "event_time")) == {
        ("urn:uuid:g-unload", Event.objects.get(event_id="urn:uuid:g-unload").event_time)
    }
    assert _depths(_trace(client, gear_token, FORWARD, epc=GA)) == {GA: 0, BATCH: 1}


def test_shared_transformation_links_are_rebuilt_and_undone_by_an_error_declaration(
    client, gear_token, ev_token
):
    _capture(client, [LOADED, UNLOADED], gear_token)
    GenealogyEdge.objects.all().delete()
    call_command("rebuild_genealogy", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _edges(_trace(client, gear_token, epc=BATCH)) == HARDENED
    # Another enterprise's event with the same ID is not part of the gear maker's treatment.
    other = GEARS.format("EV-1")
    _capture(client, [_furnace(5, "ev", outputQuantityList=[_amount(other, 1)])], ev_token)
    assert not GenealogyEdge.objects.filter(to_uri=other).exists()
    assert GenealogyEdge.objects.count() == 2
    # The loading did not happen as stated: the batch no longer comes from GA and GB.
    declared = LOADED | {"errorDeclaration": {"declarationTime": "2026-03-10T00:00:00Z"}}
    _capture(client, [declared], gear_token)
    assert _trace(client, gear_token, epc=BATCH)["edges"] == []
    assert not GenealogyEdge.objects.exists()


# -- walks ----------------------------------------------------------------------------------


@pytest.mark.parametrize("start", [S1, GEAR_1_LINK], ids=["urn", "digital-link"])
def test_backward_from_a_gear_reaches_the_heat_with_the_quantities(client, plant, start):
    answer = _trace(client, plant, epc=start)
    assert answer["start"] == S1
    assert answer["direction"] == "backward"
    assert _depths(answer) == {S1: 0, BATCH: 1, GA: 2, GB: 2, F1: 3, F2: 3, HEAT: 4}
    assert _edges(answer) == GEAR_1_ANCESTRY
    assert answer["truncated"] is False
    gear = answer["nodes"][0]
    assert [e["eventID"] for e in gear["events"]] == ["urn:uuid:g-mark", "urn:uuid:g-case"]
    assert gear["firstEventTime"] == "2026-03-04T00:00:00.000Z"
    assert gear["lastEventTime"] == "2026-03-05T00:00:00.000Z"
    assert gear["events"][0]["bizStep"] == "https://gear.example.com/steps/marking"
    assert gear["events"][0]["readPoint"] == "urn:epc:id:sgln:6901234.00001.0"


def test_backward_from_the_case_goes_through_both_gears(client, plant):
    answer = _trace(client, plant, epc=CASE)
    assert _depths(answer) == {CASE: 0, S1: 1, S2: 1, BATCH: 2, GA: 3, GB: 3, F1: 4, F2: 4, HEAT: 5}
    assert {(e["from"], e["to"], e["kind"]) for e in answer["edges"] if e["depth"] == 1} == {
        (S1, CASE, "aggregation"),
        (S2, CASE, "aggregation"),
    }


def test_forward_from_the_heat_reaches_every_lot_case_and_pallet(client, plant):
    answer = _trace(client, plant, FORWARD, epc=HEAT_LINK)
    assert answer["start"] == HEAT
    assert _depths(answer) == {
        HEAT: 0,
        F1: 1,
        F2: 1,
        GA: 2,
        GB: 2,
        BATCH: 3,
        S1: 4,
        S2: 4,
        CASE: 5,
        PALLET: 6,
    }
    assert answer["truncated"] is False
    into_f1 = next(e for e in answer["edges"] if e["to"] == F1)
    assert (into_f1["fromQuantity"], into_f1["fromUom"]) == (600.0, "KGM")


def test_the_depth_limit_marks_the_walk_truncated(client, plant):
    answer = _trace(client, plant, FORWARD, epc=HEAT, depth=3)
    assert answer["depth"] == 3
    assert max(_depths(answer).values()) == 3
    assert answer["truncated"] is True
    assert _trace(client, plant, FORWARD, epc=HEAT, depth=6)["truncated"] is False


def test_the_time_window_keeps_only_edges_inside_it(client, plant):
    def window(since: str, until: str) -> dict[str, int]:
        return _depths(_trace(client, plant, FORWARD, epc=HEAT, **{"from": since, "to": until}))

    # Machining happened at 2026-03-02T00:00Z: inside a window ending later, outside one
    # ending then (the end is exclusive).
    assert window("2026-03-01T00:00:00Z", "2026-03-02T12:00:00Z") == {
        HEAT: 0,
        F1: 1,
        F2: 1,
        GA: 2,
        GB: 2,
    }
    assert window("2026-03-01T00:00:00Z", "2026-03-02T00:00:00Z") == {HEAT: 0, F1: 1, F2: 1}
    assert window("2026-03-01T00:00:01Z", "2026-03-09T00:00:00Z") == {HEAT: 0}


def test_a_rework_cycle_terminates_with_each_node_once(client, gear_token):
    rework = GEARS.format("RW")
    _capture(
        client,
        [
            _transform(
                1,
                "make",
                [_amount(GA, 10)],
                {"outputQuantityList": [_amount(rework, 10)]},
                "machining",
            ),
            _transform(
                2,
                "rework",
                [_amount(rework, 3)],
                {"outputQuantityList": [_amount(GA, 3)]},
                "rework",
            ),
        ],
        gear_token,
    )
    for name in (BACKWARD, FORWARD):
        answer = _trace(client, gear_token, name, epc=GA, depth=50)
        assert _depths(answer) == {GA: 0, rework: 1}
        assert len(answer["edges"]) == 2
        assert answer["truncated"] is False


def test_walk_functions_take_the_restricted_querysets(plant, demo):
    gear = demo.firms["gear"]
    edges = GenealogyEdge.objects.filter(enterprise=gear)
    trace = genealogy.backward(S1, edges, Event.objects.filter(enterprise=gear))
    assert {n.uri for n in trace.nodes} == {S1, BATCH, GA, GB, F1, F2, HEAT}
    none = genealogy.backward(S1, edges.none(), Event.objects.none())
    assert [(n.uri, n.events) for n in none.nodes] == [(S1, [])]
    assert none.edges == []


def test_each_edge_names_its_event_whether_or_not_node_events_are_read(client, gear_token, demo):
    undeclared = {key: value for key, value in GEAR_PLANT[0].items() if key != "eventID"}
    _capture(client, [undeclared, *GEAR_PLANT[1:]], gear_token)
    gear = demo.firms["gear"]
    forged = Event.objects.get(enterprise=gear, event_id="")
    expected = {
        (HEAT, F1): forged.hash_id,
        (HEAT, F2): "urn:uuid:g-forge-2",
        (F1, GA): "urn:uuid:g-machine-a",
        (GA, BATCH): "urn:uuid:g-harden",
        (BATCH, S1): "urn:uuid:g-mark",
    }
    edges = GenealogyEdge.objects.filter(enterprise=gear)
    # Node events attached, none attached, and none visible: the edges' events are looked up.
    for events in (Event.objects.filter(enterprise=gear), None, Event.objects.none()):
        trace = genealogy.backward(S1, edges, events)
        named = {(edge.from_uri, edge.to_uri): edge.event_id for edge in trace.edges}
        assert {pair: named[pair] for pair in expected} == expected
        assert len(named) == len(GEAR_1_ANCESTRY)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "epc"),
        ({"epc": "urn:epc:id:sgtin:6901234.044444"}, "epc"),
        ({"epc": BAD_CHECK_LINK}, "epc"),
        ({"epc": "urn:epc:idpat:sgtin:6901234.044444.*"}, "epc"),
        ({"epc": "gear one"}, "epc"),
        ({"epc": S1, "depth": "0"}, "depth"),
        ({"epc": S1, "depth": "51"}, "depth"),
        ({"epc": S1, "depth": "ten"}, "depth"),
        ({"epc": S1, "from": "yesterday"}, "from"),
        ({"epc": S1, "to": "2026-03-01"}, "to"),
    ],
)
@pytest.mark.parametrize("name", [BACKWARD, FORWARD])
def test_a_bad_identifier_depth_or_time_is_400_naming_it(client, gear_token, name, params, field):
    response = client.get(reverse(name), params, **gear_token)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert errors[0]["reason"]


def test_the_routes_are_documented_as_an_extension(client, gear_token):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/epcis/trace/backward", "/api/epcis/trace/forward"):
        description = paths[path]["get"]["description"]
        assert description.startswith("ParkBrain extension, not part of EPCIS 2.0")


# -- containment in time -------------------------------------------------------------------

S3 = GEAR.format(3)
CASE_2 = "urn:epc:id:sscc:6901234.0000000002"
#: S2 leaves the case before another gear goes in and the case goes onto the pallet; the case
#: comes off the pallet before a second case is loaded onto it.
REPACKING = [
    _pack(5, "r-case", CASE, [S1, S2]),
    _pack(6, "r-unpack-s2", CASE, [S2], action="DELETE"),
    _pack(7, "r-repack", CASE, [S3]),
    _pack(7, "r-pallet", PALLET, [CASE]),
    _pack(8, "r-off-pallet", PALLET, [CASE], action="DELETE"),
    _pack(9, "r-case-2", PALLET, [CASE_2]),
]


@pytest.fixture
def repacked(client, gear_token):
    _capture(client, REPACKING, gear_token)
    return gear_token


def test_a_child_unpacked_before_the_case_is_loaded_does_not_reach_the_pallet(client, repacked):
    assert _depths(_trace(client, repacked, FORWARD, epc=S2)) == {S2: 0, CASE: 1}
    assert _depths(_trace(client, repacked, FORWARD, epc=S1)) == {S1: 0, CASE: 1, PALLET: 2}
    assert _depths(_trace(client, repacked, FORWARD, epc=S3)) == {S3: 0, CASE: 1, PALLET: 2}
    assert _depths(_trace(client, repacked, FORWARD, epc=CASE_2)) == {CASE_2: 0, PALLET: 1}


def test_backward_from_the_pallet_finds_only_what_was_inside_while_it_was_on(client, repacked):
    # The case was on the pallet on day 7 only: S1 and S3 were in it then, S2 had left.
    answer = _trace(client, repacked, epc=PALLET)
    assert _depths(answer) == {PALLET: 0, CASE: 1, CASE_2: 1, S1: 2, S3: 2}
    on_pallet = next(e for e in answer["edges"] if e["from"] == CASE)
    assert on_pallet["removedAt"] == "2026-03-08T00:00:00.000Z"
    # Backward from the case itself, every gear that was ever in it.
    assert _depths(_trace(client, repacked, epc=CASE)) == {CASE: 0, S1: 1, S2: 1, S3: 1}


def test_a_transformation_passes_on_only_what_its_input_held_then(client, gear_token):
    later = GEARS.format("LATE")
    _capture(
        client,
        [
            _transform(3, "early", [_amount(GA, 5)], {"outputQuantityList": [_amount(GB, 5)]}, "m"),
            _transform(
                5, "late", [_amount(GB, 5)], {"outputQuantityList": [_amount(later, 5)]}, "m"
            ),
            _transform(4, "feed", [_amount(F1, 5)], {"outputQuantityList": [_amount(GA, 5)]}, "m"),
        ],
        gear_token,
    )
    # F1 went into GA on day 4, after GA had fed GB on day 3: F1 does not reach GB.
    assert _depths(_trace(client, gear_token, FORWARD, epc=F1)) == {F1: 0, GA: 1}
    # Backward from the late lot: GB, and GA that fed it on day 3, but not F1 (day 4).
    assert _depths(_trace(client, gear_token, epc=later)) == {later: 0, GB: 1, GA: 2}


# -- tenancy --------------------------------------------------------------------------------


def test_the_receiving_enterprise_sees_only_its_own_events(client, plant, ev_token):
    answer = _trace(client, ev_token, epc=PALLET)
    assert answer["edges"] == []
    assert [n["uri"] for n in answer["nodes"]] == [PALLET]
    assert [e["eventID"] for e in answer["nodes"][0]["events"]] == ["urn:uuid:g-receive"]
    assert _trace(client, ev_token, FORWARD, epc=HEAT)["edges"] == []
    # The gear maker walks its pallet back to the heat and does not see the receipt.
    mine = _trace(client, plant, epc=PALLET)
    assert _depths(mine)[HEAT] == 6
    assert [e["eventID"] for e in mine["nodes"][0]["events"]] == [
        "urn:uuid:g-pallet",
        "urn:uuid:g-ship",
    ]


@pytest.mark.parametrize("name", [BACKWARD, FORWARD])
def test_the_analyst_sees_the_whole_zone_and_another_zone_sees_nothing(
    client, demo, other_zone, plant, name
):
    start = PALLET if name == BACKWARD else HEAT
    client.force_login(demo.user("analyst"))
    answer = _trace(client, {}, name, epc=start)
    assert len(answer["nodes"]) == 10
    pallet = next(n for n in answer["nodes"] if n["uri"] == PALLET)
    assert {e["eventID"] for e in pallet["events"]} == {
        "urn:uuid:g-pallet",
        "urn:uuid:g-ship",
        "urn:uuid:g-receive",
    }
    for user in (other_zone["admin"], other_zone["user"]):
        client.force_login(user)
        answer = _trace(client, {}, name, epc=start)
        assert answer["edges"] == []
        assert answer["nodes"] == [
            {"uri": start, "depth": 0, "firstEventTime": None, "lastEventTime": None, "events": []}
        ]
    client.logout()
    assert client.get(reverse(name), {"epc": start}).status_code == 401


# -- indexes --------------------------------------------------------------------------------


def _once_each_in_zone(demo):
    """What zone staff walk: the zone's edges and events, each event once (its copies left
    out), whose subqueries must probe indexes too."""
    return genealogy.once_each(
        GenealogyEdge.objects.filter(enterprise__zone_id=demo.zone.id),
        Event.objects.filter(enterprise__zone_id=demo.zone.id),
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN text is SQLite's")
@pytest.mark.parametrize(
    ("direction", "index"),
    [(genealogy.BACKWARD, "trace_edge_to"), (genealogy.FORWARD, "trace_edge_from")],
)
def test_one_level_query_uses_the_uri_index(plant, demo, direction, index):
    for edges in (
        GenealogyEdge.objects.filter(enterprise_id__in=[demo.firms["gear"].id]),
        GenealogyEdge.objects.filter(enterprise__zone_id=demo.zone.id),
        _once_each_in_zone(demo)[0],
    ):
        plan = genealogy.level_edges(edges, direction, [S1, CASE]).explain()
        assert index in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN text is SQLite's")
@pytest.mark.parametrize(
    ("direction", "index"),
    [(genealogy.BACKWARD, "trace_edge_to"), (genealogy.FORWARD, "trace_edge_from")],
)
def test_the_recursive_reach_probes_edges_by_index_not_by_scan(plant, demo, direction, index):
    for edges in (
        GenealogyEdge.objects.filter(enterprise_id__in=[demo.firms["gear"].id]),
        GenealogyEdge.objects.filter(enterprise__zone_id=demo.zone.id),
        _once_each_in_zone(demo)[0],
    ):
        near = "to_uri" if direction == genealogy.BACKWARD else "from_uri"
        reach = genealogy._reach(edges, direction, [S1, HEAT], 6)
        plan = edges.filter(**{f"{near}__in": reach}).explain()
        assert f"SEARCH hop USING INDEX {index}" in plan, plan
        assert "SCAN trace_genealogyedge" not in plan and "SCAN hop" not in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN text is SQLite's")
def test_node_events_read_identifiers_from_the_covering_index(plant, demo):
    for events in (
        Event.objects.filter(enterprise=demo.firms["gear"]),
        Event.objects.filter(enterprise__zone_id=demo.zone.id),
        _once_each_in_zone(demo)[1],
    ):
        plan = genealogy.node_events(events, [S1, CASE]).explain()
        assert (
            "SEARCH trace_eventidentifier USING COVERING INDEX trace_ident_uri_role_event" in plan
        )
        assert "SCAN trace_event" not in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN text is SQLite's")
@pytest.mark.parametrize("direction", [genealogy.BACKWARD, genealogy.FORWARD])
def test_the_recursive_reach_builds_no_bloom_filter_over_the_edge_table(plant, demo, direction):
    """Statistics of 300,000 edges, fewer than the million rows SQLite guesses for the queue
    of a recursive query: a Bloom filter would read every edge on each walk."""
    with statistics_as_if(GenealogyEdge._meta.db_table, 300_000, per_value={}):
        edges = GenealogyEdge.objects.filter(enterprise=demo.firms["gear"])
        near = "to_uri" if direction == genealogy.BACKWARD else "from_uri"
        reach = genealogy._reach(edges, direction, [S1, HEAT], 6)
        plan = edges.filter(**{f"{near}__in": reach}).explain()
    assert "SEARCH hop USING INDEX" in plan, plan
    assert "BLOOM" not in plan, plan
