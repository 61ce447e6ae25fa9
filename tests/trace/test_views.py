"""The genealogy page: the graph of what the caller may see, and bad input said plainly."""

import pytest
from django.urls import reverse

from .test_genealogy import GEAR_1_LINK, HEAT, PALLET, S1, plant  # noqa: F401

pytestmark = pytest.mark.django_db
PAGE = reverse("trace:genealogy")


def test_the_gear_maker_sees_its_gear_back_to_the_heat(client, demo, plant):  # noqa: F811
    client.force_login(demo.user("gear"))
    response = client.get(PAGE, {"epc": GEAR_1_LINK, "direction": "backward"})
    assert response.status_code == 200
    graph = response.context["graph"]
    depths = {n["name"]: n["depth"] for n in graph["nodes"]}
    assert depths[S1] == 0 and depths[HEAT] == 4
    # Columns by process step: each node right of everything it came from.
    column = {n["name"]: n["column"] for n in graph["nodes"]}
    assert all(column[e["target"]] > column[e["source"]] for e in graph["edges"])
    heat = next(n for n in graph["nodes"] if n["name"] == HEAT)
    assert heat["lot"] == "HEAT-1" and heat["kind"] == "批次"
    assert heat["quantity"] == ""  # no receipt recorded: not the first use passed off as it
    # Units in words, never UN/CEFACT codes.
    assert any(e["quantity"] == "600 千克" for e in graph["edges"])
    assert not any("KGM" in e["quantity"] for e in graph["edges"])
    gear = next(n for n in graph["nodes"] if n["name"] == S1)
    assert (gear["kind"], gear["step"]) == ("单件", "打标")  # the plant's own step, by name


def test_the_page_shows_nothing_of_another_enterprise(client, demo, other_zone, plant):  # noqa: F811
    client.force_login(demo.user("ev"))
    response = client.get(PAGE, {"epc": PALLET, "direction": "backward"})
    assert response.context["trace"].edges == []  # the packing is the gear maker's
    assert 'data-testid="trace-empty"' in response.content.decode()
    client.force_login(other_zone["user"])
    response = client.get(PAGE, {"epc": HEAT, "direction": "forward"})
    assert response.context["trace"].edges == []
    client.force_login(demo.user("analyst"))
    response = client.get(PAGE, {"epc": HEAT, "direction": "forward"})
    assert {n["name"] for n in response.context["graph"]["nodes"]} >= {HEAT, PALLET}
    client.logout()
    assert client.get(PAGE, {"epc": HEAT}).status_code == 302


def test_a_bad_identifier_is_said_plainly(client, demo):
    client.force_login(demo.user("gear"))
    response = client.get(PAGE, {"epc": "urn:epc:idpat:sgtin:6901234.044444.*"})
    assert response.status_code == 200
    assert response.context["error"]
    assert response.context["trace"] is None
