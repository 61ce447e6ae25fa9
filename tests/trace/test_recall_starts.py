"""Where a recall starts: a suspect raw-material lot, part of which is still in stock, and a
machine named the way the enterprise's master data names it."""

import json

import pytest
from django.urls import reverse

from parkbrain.trace.locations import save_locations
from parkbrain.trace.models import Recall

from .test_genealogy import _amount, _capture, _event
from .test_recall import EV_DOCK, EV_PLANT, GA, HEAT, MACHINE_A, PLANT

pytestmark = pytest.mark.django_db

SCOPE = reverse("api:epcis_recall_scope")
FORGE_SHOP = "urn:epc:id:sgln:6901234.00003.0"
#: The heat arrives from the mill: 1,250 kg, of which the two forgings use 600 and 400.
RECEIVED = {
    **_event(
        "ObjectEvent",
        1,
        "receive-heat",
        action="ADD",
        quantityList=[_amount(HEAT, 1250, "KGM")],
        bizStep="receiving",
        disposition="in_progress",
    ),
    "eventTime": "2026-03-01T06:30:00+08:00",
    "bizLocation": {"id": FORGE_SHOP},
}


@pytest.fixture
def plant(client, gear_token, ev_token) -> dict:
    _capture(client, [RECEIVED, *PLANT], gear_token)
    _capture(client, EV_PLANT, ev_token)
    return gear_token


def test_what_is_left_of_a_suspect_raw_lot_is_stock_to_quarantine(client, plant):
    answer = client.get(SCOPE, {"epc": HEAT}, **plant).json()
    heat = next(i for i in answer["items"] if i["uri"] == HEAT)
    assert (heat["kind"], heat["remaining"], heat["remainingUom"]) == ("remainder", 250, "KGM")
    assert (heat["status"], heat["bizLocation"]) == ("in_stock", FORGE_SHOP)
    assert heat["carried"] == {"KGM": 250}
    assert HEAT in answer["inStock"]
    assert answer["summary"]["remainder"] == 4 and answer["summary"]["inStock"] == 6


def test_a_raw_lot_used_up_leaves_no_remainder(client, gear_token, ev_token):
    used_up = {**RECEIVED, "quantityList": [_amount(HEAT, 1000, "KGM")]}
    _capture(client, [used_up, *PLANT], gear_token)
    answer = client.get(SCOPE, {"epc": HEAT}, **gear_token).json()
    assert HEAT not in {i["uri"] for i in answer["items"]}
    assert answer["summary"]["inStock"] == 5


# -- a machine by its name ------------------------------------------------------------------

WINDOW = {"from": "2026-03-02T00:00:00+08:00", "to": "2026-03-03T00:00:00+08:00"}


def _by_machine(client, auth: dict, machine: str):
    return client.get(SCOPE, {"start": "machine", "readPoint": machine, **WINDOW}, **auth)


def test_a_machine_named_as_master_data_names_it_is_its_read_point(client, plant, demo):
    save_locations(demo.firms["gear"], [{"id": MACHINE_A, "name": "加工中心 A"}])
    by_name = _by_machine(client, plant, " 加工中心 A ").json()
    assert by_name["starts"] == [GA] and by_name["criteria"]["readPoint"] == MACHINE_A
    by_uri = _by_machine(client, plant, MACHINE_A).json()
    assert by_name == by_uri
    # A recall order keeps the identifier, so its scope does not hang on the name.
    body = {
        "reason": "machine A ran hot",
        "criteria": {"start": "machine", "readPoint": "加工中心 A"},
    }
    created = client.post(
        reverse("api:epcis_recall_create"),
        json.dumps({**body, "criteria": {**body["criteria"], **WINDOW}}),
        "application/json",
        **plant,
    )
    assert created.status_code == 201, created.content
    assert created.json()["counts"]["affected"] == by_uri["summary"]["affected"]
    assert Recall.objects.get().criteria["readPoint"] == MACHINE_A
    # The page takes the name too.
    client.force_login(demo.user("gear"))
    page = client.get(
        reverse("trace:recall"), {"start": "machine", "readPoint": "加工中心 A", **WINDOW}
    )
    assert page.context["scope"].starts == [GA]


@pytest.mark.parametrize("machine", ["渗碳炉 F003", "urn:epc:id:sgln:6901234.00001.9"])
def test_a_machine_nothing_knows_is_400_saying_so(client, plant, demo, machine):
    response = _by_machine(client, plant, machine)
    assert response.status_code == 400
    [problem] = response.json()["errors"]
    assert problem["field"] == "readPoint" and problem["value"] == machine
    assert problem["reason"].startswith("不知道这台设备")
    english = _by_machine(client, {**plant, "HTTP_ACCEPT_LANGUAGE": "en"}, machine).json()
    assert english["errors"][0]["reason"].startswith("no such machine is known")
    created = client.post(
        reverse("api:epcis_recall_create"),
        json.dumps(
            {"reason": "x", "criteria": {"start": "machine", "readPoint": machine, **WINDOW}}
        ),
        "application/json",
        **plant,
    )
    assert created.status_code == 400 and created.json()["errors"][0]["field"] == "readPoint"
    assert not Recall.objects.exists()


def test_a_name_two_machines_share_is_400_listing_them(client, plant, demo):
    # Zone staff see both enterprises' master data.
    save_locations(demo.firms["gear"], [{"id": MACHINE_A, "name": "1号机"}])
    save_locations(demo.firms["ev"], [{"id": EV_DOCK, "name": "1号机"}])
    client.force_login(demo.user("analyst"))
    response = _by_machine(client, {}, "1号机")
    assert response.status_code == 400
    assert MACHINE_A in response.json()["errors"][0]["reason"]
    assert EV_DOCK in response.json()["errors"][0]["reason"]
