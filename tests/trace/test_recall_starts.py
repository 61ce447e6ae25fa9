"""Where a recall starts: a suspect raw-material lot, part of which is still in stock, and a
machine named the way the enterprise's master data names it."""

import pytest
from django.urls import reverse

from .test_genealogy import _amount, _capture, _event
from .test_recall import EV_PLANT, HEAT, PLANT

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
