"""End to end: a gear order recorded through the MES API is traceable in the EPCIS repository
from the hardened lot back to the steel heat, with the kilograms the forge consumed."""

import pytest
from django.urls import reverse

from .conftest import FORGED, FURNACE, HARDENED, HEAT, order_path, put

pytestmark = pytest.mark.django_db


def test_backward_from_the_hardened_lot_reaches_the_steel_heat(client, gear_token, gear_order):
    response = client.get(reverse("api:epcis_trace_backward"), {"epc": HARDENED}, **gear_token)
    assert response.status_code == 200
    trace = response.json()
    assert {n["uri"]: n["depth"] for n in trace["nodes"]} == {HARDENED: 0, FORGED: 1, HEAT: 2}
    assert {
        (e["from"], e["fromQuantity"], e["fromUom"], e["to"], e["toQuantity"], e["toUom"])
        for e in trace["edges"]
    } == {
        (FORGED, 100.0, None, HARDENED, 98.0, None),
        (HEAT, 600.5, "KGM", FORGED, 100.0, None),
    }
    hardened = trace["nodes"][0]
    # Produced by the heat treatment, then inspected.
    assert [e["bizStep"] for e in hardened["events"]] == [
        "https://ref.gs1.org/cbv/BizStep-commissioning",
        "https://ref.gs1.org/cbv/BizStep-inspecting",
    ]


def test_the_repository_answers_standard_queries_on_the_orders_events(
    client, gear_token, gear_order
):
    inspected = client.get(
        reverse("api:epcis_events"),
        {"EQ_bizStep": "inspecting", "EQ_disposition": "non_conformant"},
        **gear_token,
    ).json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert len(inspected) == 1
    reports = inspected[0]["sensorElementList"][0]["sensorReport"]
    assert [(r["mes:characteristic"], r["value"], r["mes:result"]) for r in reports] == [
        ("tooth_profile_error", 6.2, "conformant"),
        ("surface_hardness", 63, "non_conformant"),
    ]
    heat_treated = client.get(
        reverse("api:epcis_events"), {"MATCH_outputEPCClass": HARDENED}, **gear_token
    ).json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["mes:step"] for e in heat_treated] == ["heat_treating"]
    element = heat_treated[0]["sensorElementList"][0]
    assert element["sensorMetadata"] == {"deviceID": FURNACE}
    assert [r["value"] for r in element["sensorReport"]] == [925, 930.5]


def test_a_non_number_is_refused_by_the_schema_naming_its_place(client, demo, gear_token):
    path = order_path(demo.firms["gear"])
    response = put(client, path, {"planned_quantity": "lots"}, gear_token)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "planned_quantity"
