"""Named queries (/queries): save, list, read, run with paging, remove; errors and tenancy."""

import json

import pytest
from django.urls import reverse

from parkbrain.trace.models import NamedQuery

from . import corpora

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not corpora.SHARED.is_dir(), reason="../shared is not present"),
]

QUERIES = "/api/epcis/queries"
EPC = "urn:epc:id:sgtin:6901234.012345.{}"
NS = "https://ns.example.com/epcis/"


def _event(serial: int, step: str, **fields) -> dict:
    return {
        "type": "ObjectEvent",
        "eventTime": f"2026-03-{serial:02d}T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "eventID": f"urn:uuid:n-{serial}",
        "action": "OBSERVE",
        "epcList": [EPC.format(serial)],
        "bizStep": step,
        **fields,
    }


def _capture(client, events: list[dict], auth: dict) -> None:
    document = corpora.wrapped(events[0])
    document["@context"] = [document["@context"][0], {"example": NS}]
    document["epcisBody"]["eventList"] = events
    response = client.post(
        "/api/epcis/capture",
        data=json.dumps(document),
        content_type="application/ld+json",
        **auth,
    )
    assert response.json()["success"], response.json()["errors"]


def _save(client, body, auth: dict, **headers):
    return client.post(
        QUERIES, data=json.dumps(body), content_type="application/json", **auth, **headers
    )


def _run(client, name: str, auth: dict, **params):
    return client.get(f"{QUERIES}/{name}/events", params, **auth)


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    events = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return [e["eventID"].removeprefix("urn:uuid:n-") for e in events]


@pytest.fixture
def shipped(client, gear_token):
    steps = ["shipping", "receiving", "shipping", "shipping", "packing"]
    _capture(client, [_event(i + 1, step) for i, step in enumerate(steps)], gear_token)
    return gear_token


def test_a_saved_query_runs_with_paging_and_reads_back(client, demo, shipped):
    created = _save(
        client,
        {"name": "shipments", "query": {"EQ_bizStep": ["shipping"], "eventType": "ObjectEvent"}},
        shipped,
    )
    assert created.status_code == 201, created.content
    assert created["Location"] == reverse("api:epcis_query", kwargs={"name": "shipments"})
    definition = client.get(created["Location"], **shipped).json()
    assert definition == {
        "name": "shipments",
        "query": {"EQ_bizStep": ["shipping"], "eventType": ["ObjectEvent"]},
    }
    assert _ids(_run(client, "shipments", shipped)) == ["1", "3", "4"]
    first = _run(client, "shipments", shipped, perPage="2")
    assert _ids(first) == ["1", "3"]
    link = first["Link"]
    assert _ids(client.get(link[link.index("/api/") : link.index(">")], **shipped)) == ["4"]
    assert client.get(QUERIES, **shipped).json() == [definition]
    named = NamedQuery.objects.get()
    assert (named.enterprise, named.token.name) == (demo.firms["gear"], "mes")


def test_extension_prefixes_are_kept_with_the_query(client, shipped):
    _capture(client, [_event(9, "inspecting", **{"example:grade": 3})], shipped)
    body = {"name": "graded", "query": {"@context": [{"example": NS}], "GE_example:grade": 2}}
    assert _save(client, body, shipped).status_code == 201
    header = {"HTTP_GS1_EXTENSIONS": f"example={NS}"}
    body = {"name": "graded2", "query": {"EQ_example:grade": [3]}}
    assert _save(client, body, shipped, **header).status_code == 201
    assert _ids(_run(client, "graded", shipped)) == ["9"]
    assert _ids(_run(client, "graded2", shipped)) == ["9"]
    assert client.get(f"{QUERIES}/graded", **shipped).json()["query"] == {
        "@context": [{"example": NS}],
        "GE_example:grade": "2",
    }


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": "a b", "query": {}}, ["name"]),
        ({"name": "ok"}, ["query"]),
        ({"name": "ok", "query": [], "colour": 1}, ["colour"]),
        ({"name": "ok", "query": {"EQ_bizStep": "machining"}}, ["query.EQ_bizStep"]),
        ({"name": "ok", "query": {"EQ_colour": "red"}}, ["query.EQ_colour"]),
        ({"name": "ok", "query": {"perPage": 5}}, ["query.perPage"]),
        ({"name": "ok", "query": {"EQ_bizStep": {"x": 1}}}, ["query.EQ_bizStep"]),
        ({"name": "ok", "query": {"EQ_example:x": "1"}}, ["query.EQ_example:x"]),
        ("shipments", [""]),
    ],
)
def test_a_bad_definition_is_400_naming_the_field_and_saves_nothing(
    client, gear_token, body, fields
):
    response = _save(client, body, gear_token)
    assert response.status_code == 400, response.content
    assert [e["field"] for e in response.json()["errors"]] == fields
    assert not NamedQuery.objects.exists()


def test_the_same_name_twice_is_409_and_runs_take_only_paging(client, shipped):
    body = {"name": "shipments", "query": {"EQ_bizStep": ["shipping"]}}
    assert _save(client, body, shipped).status_code == 201
    assert _save(client, body, shipped).status_code == 409
    narrowed = _run(client, "shipments", shipped, EQ_action="ADD")
    assert narrowed.status_code == 400
    assert narrowed.json()["errors"][0]["field"] == "EQ_action"
    assert client.get(f"{QUERIES}/nothing", **shipped).status_code == 404


def test_removing_a_query(client, demo, shipped):
    _save(client, {"name": "shipments", "query": {"EQ_bizStep": ["shipping"]}}, shipped)
    client.force_login(demo.user("analyst"))
    assert client.delete(f"{QUERIES}/shipments").status_code == 403
    client.logout()
    assert client.delete(f"{QUERIES}/shipments", **shipped).status_code == 204
    assert client.get(f"{QUERIES}/shipments", **shipped).status_code == 404
    assert not NamedQuery.objects.exists()


def test_another_enterprise_neither_sees_nor_runs_nor_removes_the_query(
    client, demo, other_zone, shipped, ev_token
):
    _save(client, {"name": "shipments", "query": {"EQ_bizStep": ["shipping"]}}, shipped)
    assert client.get(QUERIES, **ev_token).json() == []
    for path in ("shipments", "shipments/events"):
        assert client.get(f"{QUERIES}/{path}", **ev_token).status_code == 404
    assert client.delete(f"{QUERIES}/shipments", **ev_token).status_code == 404
    # The EV maker's own query of the same name runs over its own events only.
    _capture(client, [_event(20, "shipping")], ev_token)
    assert _save(client, {"name": "shipments", "query": {}}, ev_token).status_code == 201
    assert _ids(_run(client, "shipments", ev_token)) == ["20"]
    assert _ids(_run(client, "shipments", shipped)) == ["1", "3", "4"]
    # Zone staff see both; the name alone is ambiguous for them.
    client.force_login(demo.user("analyst"))
    assert len(client.get(QUERIES).json()) == 2
    assert client.get(f"{QUERIES}/shipments").status_code == 409
    # Once the EV maker removes its own, staff and the assigned manager run the gear maker's.
    client.logout()
    assert client.delete(f"{QUERIES}/shipments", **ev_token).status_code == 204
    client.force_login(demo.user("pm"))
    assert [q["name"] for q in client.get(QUERIES).json()] == ["shipments"]
    assert _ids(_run(client, "shipments", {})) == ["1", "3", "4"]
    assert _save(client, {"name": "mine", "query": {}}, {}).status_code == 403
    for user in (demo.user("pm2"), other_zone["admin"], other_zone["user"]):
        client.force_login(user)
        assert client.get(QUERIES).json() == []
        assert client.get(f"{QUERIES}/shipments").status_code == 404
        assert _run(client, "shipments", {}).status_code == 404
    client.logout()
    assert client.get(QUERIES).status_code == 401
    assert _run(client, "shipments", {}).status_code == 401
