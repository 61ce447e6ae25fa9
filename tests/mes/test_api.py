"""The production-order API: upserts, validation, idempotent retries, corrections, tenancy."""

import pytest

from parkbrain.mes.models import Operation, OperationEvent, ProductionOrder, Revision
from parkbrain.trace.models import CaptureJob, Event, GenealogyEdge

from .conftest import (
    FORGED,
    FORGING,
    HARDENED,
    HEAT,
    INSPECTION,
    ORDER,
    STORE,
    order_path,
    put,
)

pytestmark = pytest.mark.django_db


# -- orders ---------------------------------------------------------------------------------


def test_put_order_creates_then_repeats_without_change(client, demo, gear_token):
    path = order_path(demo.firms["gear"])
    first = put(client, path, ORDER, gear_token)
    assert first.status_code == 201
    assert first.json() == {
        "order": {
            "credit_code": demo.firms["gear"].credit_code,
            "number": "WO-2026-001",
            "product_gtin": "06901234333336",
            "product_name": "斜齿轮 m3 z41",
            "planned_quantity": "100.000000",
            "unit": "EA",
            "state": "released",
            "planned_start": "2026-03-01",
            "planned_end": "2026-03-05",
            "actual_start": None,
            "actual_end": None,
        },
        "created": True,
        "unchanged": False,
    }
    again = put(client, path, ORDER, gear_token)
    assert again.status_code == 200
    assert again.json()["unchanged"] is True
    changed = put(client, path, {**ORDER, "state": "in_progress"}, gear_token)
    assert (changed.status_code, changed.json()["unchanged"]) == (200, False)
    assert ProductionOrder.objects.get().state == "in_progress"
    assert Revision.objects.filter(operation_sequence=None).count() == 2


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"product_gtin": "06901234333337"}, "product_gtin", "check digit"),
        ({"product_gtin": "12345"}, "product_gtin", "8, 12, 13 or 14 digits"),
        ({"planned_quantity": 0}, "planned_quantity", "more than zero"),
        ({"planned_quantity": 2.5}, "planned_quantity", "whole number"),
        ({"planned_quantity": None}, "planned_quantity", "required"),
        ({"unit": "kg"}, "unit", "Rec. 20"),
        ({"state": "done"}, "state", "use one of"),
        ({"planned_end": "2026-02-01"}, "planned_end", "before the planned start"),
        ({"actual_start": "2026-03-01T08:00:00"}, "actual_start", "time zone"),
        ({"product_name": "齿" * 201}, "product_name", "at most 200"),
    ],
)
def test_a_bad_order_is_refused_naming_the_field(
    client, english, demo, gear_token, body, field, reason
):
    response = put(client, order_path(demo.firms["gear"]), {**ORDER, **body}, gear_token)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert reason in errors[0]["reason"]
    assert not ProductionOrder.objects.exists()


def test_the_reason_is_in_chinese_unless_the_client_asks_for_english(client, demo, gear_token):
    body = {**ORDER, "product_gtin": "06901234333337"}
    response = put(client, order_path(demo.firms["gear"]), body, gear_token)
    assert response.json()["errors"][0]["reason"] == "校验位错误，应为 6"


def test_an_order_number_with_a_space_is_refused(client, demo, gear_token):
    response = put(client, order_path(demo.firms["gear"], "WO%201"), ORDER, gear_token)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "number"


# -- operations -----------------------------------------------------------------------------


def test_an_operation_is_recorded_with_its_event(client, demo, gear_token):
    path = order_path(demo.firms["gear"])
    put(client, path, ORDER, gear_token)
    response = put(client, f"{path}/operations/1", FORGING, gear_token)
    assert response.status_code == 201
    body = response.json()
    assert (body["created"], body["events_saved"], body["events_retracted"]) == (True, 1, 0)
    operation = body["operation"]
    assert operation["biz_step"] == "commissioning"
    assert operation["consumed"] == [
        {
            "epc_class": HEAT,
            "gtin": "06901234111118",
            "lot_number": "H2603-17",
            "quantity": "600.500000",
            "unit": "KGM",
        }
    ]
    assert operation["produced"][0]["epc_class"] == FORGED
    event = Event.objects.get()
    assert operation["event_ids"] == [event.hash_id]
    assert event.enterprise == demo.firms["gear"]
    assert event.biz_location == STORE
    assert list(GenealogyEdge.objects.values_list("from_uri", "from_quantity", "to_uri")) == [
        (HEAT, 600.5, FORGED)
    ]


def test_a_repeated_operation_stores_nothing_twice(client, demo, gear_token, gear_order):
    events, jobs = Event.objects.count(), CaptureJob.objects.count()
    for sequence, operation in ((1, FORGING), (3, INSPECTION)):
        response = put(client, f"{gear_order}/operations/{sequence}", operation, gear_token)
        assert response.status_code == 200
        assert response.json()["unchanged"] is True
        assert response.json()["events_saved"] == 0
    assert (Event.objects.count(), CaptureJob.objects.count()) == (events, jobs)
    assert Revision.objects.exclude(operation_sequence=None).count() == 3


def test_a_corrected_operation_declares_its_earlier_event_erroneous(
    client, demo, gear_token, gear_order
):
    original = Operation.objects.get(sequence=1).event_links.get().event
    fixed = {**FORGING, "consumed": [{"epc_class": HEAT, "quantity": 612, "unit": "KGM"}]}
    response = put(client, f"{gear_order}/operations/1", fixed, gear_token)
    body = response.json()
    assert (response.status_code, body["events_saved"], body["events_retracted"]) == (200, 1, 1)
    assert body["operation"]["revision"] == 1
    new_id = body["operation"]["event_ids"][0]
    original.refresh_from_db()
    declaration = original.body.event_json["errorDeclaration"]
    assert declaration["reason"] == "incorrect_data"
    assert declaration["correctiveEventIDs"] == [new_id]
    replacement = Event.objects.get(hash_id=new_id)
    assert replacement.body.event_json["mes:revision"] == 1
    assert list(
        GenealogyEdge.objects.filter(to_uri=FORGED).values_list("from_quantity", flat=True)
    ) == [612]
    # Going back to the first content is a third version: its edges come back.
    back = put(client, f"{gear_order}/operations/1", FORGING, gear_token).json()
    assert (back["operation"]["revision"], back["events_retracted"]) == (2, 1)
    assert list(
        GenealogyEdge.objects.filter(to_uri=FORGED).values_list("from_quantity", flat=True)
    ) == [600.5]
    assert OperationEvent.objects.filter(operation__sequence=1).count() == 3


def test_inspection_results_are_computed_from_the_limits(client, demo, gear_token, gear_order):
    order = client.get(gear_order, **gear_token).json()
    inspection = order["operations"][2]["inspections"][0]
    assert inspection["result"] == "non_conformant"  # hardness 63 HRC above 62
    assert [m["result"] for m in inspection["measurements"]] == ["conformant", "non_conformant"]
    event = Event.objects.get(hash_id=inspection["event_id"])
    assert event.disposition == "https://ref.gs1.org/cbv/Disp-non_conformant"
    assert event.body.event_json["quantityList"] == [{"epcClass": HARDENED}]


def test_a_finished_time_added_later_captures_the_transformation(client, demo, gear_token):
    path = order_path(demo.firms["gear"])
    put(client, path, ORDER, gear_token)
    running = {k: v for k, v in FORGING.items() if k != "finished_at"}
    first = put(client, f"{path}/operations/1", running, gear_token).json()
    assert (first["events_saved"], first["operation"]["event_ids"]) == (0, [])
    done = put(client, f"{path}/operations/1", FORGING, gear_token).json()
    assert (done["events_saved"], done["events_retracted"]) == (1, 0)


def test_an_operation_of_an_unknown_order_is_404(client, demo, gear_token):
    response = put(client, f"{order_path(demo.firms['gear'])}/operations/1", FORGING, gear_token)
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "number"


LOT = {"epc_class": HEAT, "quantity": 1, "unit": "KGM"}
MEASURE = {"characteristic": "bore", "type": "Length", "value": 1, "unit": "MMT"}


def _inspection(**changes) -> dict:
    base = {
        "lot": {"epc_class": FORGED},
        "inspector": "QC-07",
        "inspected_at": "2026-03-03T09:00:00+08:00",
        "measurements": [MEASURE],
    }
    return {**base, **changes}


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"step": "welding"}, "step", "use one of"),
        ({"read_point": ""}, "read_point", "required"),
        ({"read_point": "urn:epc:id:sgtin:6901234.044444.1"}, "read_point", "SGLN"),
        ({"read_point": "https://id.gs1.org/414/6901234000010"}, "read_point", "check digit"),
        ({"biz_location": "somewhere"}, "biz_location", "SGLN"),
        ({"finished_at": "2026-03-01T07:00:00+08:00"}, "finished_at", "before the start"),
        ({"started_at": "2026-03-01T08:00:00"}, "started_at", "time zone"),
        ({"produced": []}, "produced", "consumed and what it produced"),
        ({"consumed": []}, "consumed", "consumed and what it produced"),
        ({"consumed": [LOT, LOT]}, "consumed[1]", "listed twice"),
        ({"consumed": [{**LOT, "quantity": -1}]}, "consumed[0].quantity", "more than zero"),
        ({"consumed": [{**LOT, "quantity": None}]}, "consumed[0].quantity", "required"),
        (
            {"consumed": [{**LOT, "quantity": 0.0000001}]},
            "consumed[0].quantity",
            "6 decimal places",
        ),
        ({"consumed": [{**LOT, "unit": "EA", "quantity": 1.5}]}, "consumed[0].quantity", "whole"),
        ({"consumed": [{**LOT, "unit": "kilo"}]}, "consumed[0].unit", "Rec. 20"),
        ({"consumed": [{**LOT, "gtin": "06901234111118"}]}, "consumed[0]", "not both"),
        ({"consumed": [{"quantity": 1}]}, "consumed[0]", "give gtin and lot"),
        (
            {"consumed": [{"gtin": "06901234111119", "lot": "H1", "quantity": 1}]},
            "consumed[0].gtin",
            "check digit",
        ),
        (
            {"consumed": [{"gtin": "06901234111118", "lot": "炉号 1", "quantity": 1}]},
            "consumed[0].lot",
            "CSET 82",
        ),
        (
            {"consumed": [{"epc_class": "urn:epc:id:sgtin:6901234.011111.9", "quantity": 1}]},
            "consumed[0].epc_class",
            "lot is a GTIN with a lot number",
        ),
        (
            {"consumed": [{"epc_class": FORGED, "quantity": 1}]},
            "produced",
            "consumed and produced by one operation",
        ),
        (
            {"readings": [{"time": "2026-03-01T09:00:00+08:00", "value": 900}]},
            "readings[0].unit",
            "Rec. 20",
        ),
        (
            {
                "readings": [
                    {
                        "time": "2026-03-01T09:00:00+08:00",
                        "value": 9,
                        "unit": "CEL",
                        "device": "furnace 2",
                    }
                ]
            },
            "readings[0].device",
            "URI",
        ),
        ({"readings": [{"value": 900, "unit": "CEL"}]}, "readings[0].time", "required"),
        (
            {
                "readings": [
                    {"type": "Heat", "time": "2026-03-01T09:00:00Z", "value": 9, "unit": "CEL"}
                ]
            },
            "readings[0].type",
            "use one of",
        ),
        ({"inspections": [_inspection(inspector="")]}, "inspections[0].inspector", "required"),
        ({"inspections": [_inspection(lot={})]}, "inspections[0].lot", "give gtin and lot"),
        (
            {"inspections": [_inspection(inspected_at=None)]},
            "inspections[0].inspected_at",
            "required",
        ),
        (
            {"inspections": [_inspection(measurements=[])]},
            "inspections[0].measurements",
            "at least one",
        ),
        (
            {"inspections": [_inspection(measurements=[MEASURE, MEASURE])]},
            "inspections[0].measurements[1].characteristic",
            "twice",
        ),
        (
            {
                "inspections": [
                    _inspection(measurements=[{**MEASURE, "lower_limit": 5, "upper_limit": 4}])
                ]
            },
            "inspections[0].measurements[0].upper_limit",
            "below the lower limit",
        ),
        (
            {"inspections": [_inspection(measurements=[{**MEASURE, "type": ""}])]},
            "inspections[0].measurements[0].type",
            "use one of",
        ),
        (
            {"inspections": [_inspection(measurements=[{**MEASURE, "value": None}])]},
            "inspections[0].measurements[0].value",
            "required",
        ),
        ({"inspections": [_inspection(), _inspection()]}, "inspections[1]", "already inspected"),
    ],
)
def test_a_bad_operation_is_refused_naming_the_field_and_saves_nothing(
    client, english, demo, gear_token, changes, field, reason
):
    path = order_path(demo.firms["gear"])
    put(client, path, ORDER, gear_token)
    response = put(client, f"{path}/operations/1", {**FORGING, **changes}, gear_token)
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert reason in errors[0]["reason"]
    assert not Operation.objects.exists()
    assert not Event.objects.exists()
    assert not CaptureJob.objects.exists()


def test_every_problem_is_listed_at_once(client, demo, gear_token):
    path = order_path(demo.firms["gear"])
    put(client, path, ORDER, gear_token)
    bad = {
        **FORGING,
        "step": "x",
        "read_point": "",
        "consumed": [{**LOT, "quantity": 0}],
        "produced": [{"gtin": "1", "lot": "F", "quantity": 1}],
    }
    response = put(client, f"{path}/operations/0", bad, gear_token)
    assert {e["field"] for e in response.json()["errors"]} == {
        "sequence",
        "step",
        "read_point",
        "consumed[0].quantity",
        "produced[0].gtin",
    }


def test_the_order_detail_stays_within_a_query_budget(
    client, demo, gear_token, gear_order, django_assert_max_num_queries
):
    with django_assert_max_num_queries(14):
        response = client.get(gear_order, **gear_token)
    assert [op["step"] for op in response.json()["operations"]] == [
        "forging",
        "heat_treating",
        "inspecting",
    ]


def test_the_order_events_are_an_epcis_document(client, demo, gear_token, gear_order):
    response = client.get(f"{gear_order}/events", **gear_token)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    document = response.json()
    assert document["type"] == "EPCISDocument"
    events = document["epcisBody"]["eventList"]
    assert [(e["type"], e.get("mes:step")) for e in events] == [
        ("TransformationEvent", "forging"),
        ("TransformationEvent", "heat_treating"),
        ("ObjectEvent", "inspecting"),
    ]
    assert all(e["eventID"].startswith("ni:///sha-256;") for e in events)
    assert events[1]["sensorElementList"][0]["sensorReport"][1]["value"] == 930.5


def test_an_enterprise_user_records_through_the_session(client, demo):
    client.force_login(demo.user("gear"))
    path = order_path(demo.firms["gear"], "WO-WEB-1")
    assert put(client, path, ORDER).status_code == 201
    response = put(client, f"{path}/operations/1", FORGING)
    assert response.status_code == 201
    job = CaptureJob.objects.get()
    assert (job.captured_by, job.token) == (demo.user("gear"), None)
    assert Revision.objects.filter(changed_by=demo.user("gear")).count() == 2


# -- tenancy --------------------------------------------------------------------------------


def test_another_enterprise_can_neither_read_nor_write_the_order(
    client, demo, gear_token, ev_token, gear_order
):
    gear, ev = demo.firms["gear"], demo.firms["ev"]
    assert client.get(gear_order, **ev_token).status_code == 404
    assert client.get(f"{gear_order}/events", **ev_token).status_code == 404
    assert put(client, gear_order, ORDER, ev_token).status_code == 404
    assert put(client, f"{gear_order}/operations/1", FORGING, ev_token).status_code == 404
    assert put(client, f"{gear_order}/operations/9", FORGING, ev_token).status_code == 404
    listed = client.get("/api/mes/orders", **ev_token).json()
    assert listed == {"items": [], "count": 0}
    assert (
        client.get("/api/mes/orders", {"credit_code": gear.credit_code}, **ev_token).json()["count"]
        == 0
    )
    # The same number in its own enterprise is its own order, with its own events.
    own = order_path(ev, "WO-2026-001")
    assert put(client, own, ORDER, ev_token).status_code == 201
    assert put(client, f"{own}/operations/1", FORGING, ev_token).status_code == 201
    assert ProductionOrder.objects.filter(number="WO-2026-001").count() == 2
    gear_events = client.get(f"{gear_order}/events", **gear_token).json()
    assert len(gear_events["epcisBody"]["eventList"]) == 3
    assert client.get("/api/mes/orders", **gear_token).json()["count"] == 1


def test_zone_staff_and_the_assigned_manager_read_but_do_not_write(
    client, demo, other_zone, gear_order
):
    for username in ("analyst", "admin", "pm"):
        client.force_login(demo.user(username))
        assert client.get(gear_order).status_code == 200, username
        assert client.get(f"{gear_order}/events").status_code == 200, username
        listed = client.get("/api/mes/orders").json()
        assert [o["number"] for o in listed["items"]] == ["WO-2026-001"], username
        assert put(client, gear_order, ORDER).status_code == 403, username
        assert put(client, f"{gear_order}/operations/1", FORGING).status_code == 403, username
    for user in (demo.user("pm2"), other_zone["admin"], other_zone["user"]):
        client.force_login(user)
        assert client.get(gear_order).status_code == 404
        assert client.get(f"{gear_order}/events").status_code == 404
        assert client.get("/api/mes/orders").json()["count"] == 0
        assert put(client, gear_order, ORDER).status_code == 404
        assert put(client, f"{gear_order}/operations/1", FORGING).status_code == 404
    client.logout()
    assert client.get("/api/mes/orders").status_code == 401
    assert client.get(gear_order).status_code == 401
    assert put(client, gear_order, ORDER).status_code == 401
    assert Revision.objects.count() == 4  # the gear maker's order and three operations only
