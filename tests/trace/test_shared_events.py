"""Events several enterprises captured (each keeps its own copy): zone staff, who see every
copy, walk and recall as if there were one; an enterprise's own view is left as it is."""

import pytest
from django.urls import reverse

from parkbrain.registry.models import Enterprise
from parkbrain.registry.services import issue_api_token

from .test_genealogy import _capture
from .test_recall import EV_PLANT, HEAT, KG_GEAR, PLANT, S1, S2

pytestmark = pytest.mark.django_db

SCOPE = reverse("api:epcis_recall_scope")
BACKWARD = reverse("api:epcis_trace_backward")


@pytest.fixture
def plant(client, gear_token, ev_token) -> dict:
    _capture(client, PLANT, gear_token)
    _capture(client, EV_PLANT, ev_token)
    return gear_token


def _copies(client, demo, count: int) -> list[Enterprise]:
    """`count` more enterprises of the zone capture the gear maker's plant as their own."""
    taken = [demo.firms["gear"].pk, demo.firms["ev"].pk]
    firms = list(Enterprise.objects.filter(zone=demo.zone).exclude(pk__in=taken)[:count])
    for firm in firms:
        _token, raw = issue_api_token(firm, "copy")
        _capture(client, PLANT, {"HTTP_AUTHORIZATION": f"Bearer {raw}"})
    return firms


def _answers(client, auth: dict) -> tuple[dict, dict]:
    scope = client.get(SCOPE, {"epc": HEAT}, **auth).json()
    trace = client.get(BACKWARD, {"epc": S1}, **auth).json()
    return scope, trace


@pytest.mark.parametrize("copies", [1, 4])
def test_zone_staff_see_an_event_captured_by_several_enterprises_once(client, plant, demo, copies):
    client.force_login(demo.user("analyst"))
    scope, trace = _answers(client, {})
    _copies(client, demo, copies)
    again, trace_again = _answers(client, {})
    assert again == scope
    assert trace_again == trace
    # The figures themselves, against the hand-computed ones of test_recall.
    items = {i["uri"]: i for i in again["items"]}
    assert abs(items[S2]["carried"]["KGM"] - float(KG_GEAR)) < 1e-6
    lots = {u: i["remaining"] for u, i in items.items() if i["kind"] == "remainder"}
    assert sorted(lots.values()) == [29, 58, 76]
    assert len(trace["edges"]) == len({(e["from"], e["to"], e["eventID"]) for e in trace["edges"]})


def test_each_enterprise_still_sees_its_own_copy(client, plant, demo):
    gear_scope, gear_trace = _answers(client, plant)
    [firm] = _copies(client, demo, 1)
    _token, raw = issue_api_token(firm, "reader")
    own_scope, own_trace = _answers(client, {"HTTP_AUTHORIZATION": f"Bearer {raw}"})
    # The copy holds the plant without the EV maker's receipt: the same walk and quantities.
    assert len(own_trace["edges"]) == len(gear_trace["edges"])
    carried = {i["uri"]: i["carried"] for i in own_scope["items"]}
    assert carried == {i["uri"]: i["carried"] for i in gear_scope["items"]}
    assert {i["holder"] for i in own_scope["items"] if i["holder"]} == {firm.name}
    assert _answers(client, plant) == (gear_scope, gear_trace)
