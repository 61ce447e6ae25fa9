"""The binding's collections (/readPoints, /dispositions, /eventTypes, /epcs, and the events of
each member of /bizSteps, /bizLocations, /readPoints, /dispositions, /eventTypes): values and
tenancy."""

import json
from urllib.parse import quote

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.urls import reverse

from parkbrain.registry.models import Enterprise
from parkbrain.trace import query
from parkbrain.trace.models import Event, EventIdentifier

from . import corpora
from .planner import statistics_as_if

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not corpora.SHARED.is_dir(), reason="../shared is not present"),
]

EPC = "urn:epc:id:sgtin:6901234.012345.{}"
LOT = "urn:epc:class:lgtin:6901234.012345.L1"
SSCC = "urn:epc:id:sscc:6901234.0000000001"
DOCK = "urn:epc:id:sgln:6901234.00001.0"
STORE = "urn:epc:id:sgln:6901234.00002.0"
CBV = "https://ref.gs1.org/cbv/"


def _event(kind: str, day: int, **fields) -> dict:
    return {
        "type": kind,
        "eventTime": f"2026-03-{day:02d}T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "eventID": f"urn:uuid:c-{day}",
        **fields,
    }


GEAR_EVENTS = [
    _event(
        "ObjectEvent",
        1,
        action="ADD",
        epcList=[EPC.format(1)],
        quantityList=[{"epcClass": LOT, "quantity": 2}],
        bizStep="commissioning",
        disposition="active",
        readPoint={"id": DOCK},
        bizLocation={"id": STORE},
    ),
    _event(
        "AggregationEvent",
        2,
        action="ADD",
        parentID=SSCC,
        childEPCs=[EPC.format(2)],
        disposition="in_progress",
        readPoint={"id": STORE},
    ),
]


def _capture(client, events: list[dict], auth: dict) -> None:
    document = corpora.wrapped(events[0])
    document["epcisBody"]["eventList"] = events
    response = client.post(
        "/api/epcis/capture",
        data=json.dumps(document),
        content_type="application/ld+json",
        **auth,
    )
    assert response.json()["success"], response.json()["errors"]


@pytest.fixture
def gear(client, gear_token):
    _capture(client, GEAR_EVENTS, gear_token)
    return gear_token


def _members(client, name: str, auth: dict, **headers) -> list[str]:
    response = client.get(reverse(f"api:epcis_{name}"), **auth, **headers)
    assert response.status_code == 200, response.content
    assert response.json()["type"] == "Collection"
    return response.json()["member"]


def _ids(client, path: str, auth: dict) -> list[str]:
    response = client.get(path, **auth)
    assert response.status_code == 200, response.content
    events = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    return [e["eventID"].removeprefix("urn:uuid:c-") for e in events]


def _member_path(name: str, value: str) -> str:
    return f"/api/epcis/{name}/{quote(value, safe='')}/events"


def test_collections_list_the_distinct_values(client, gear):
    assert _members(client, "read_points", gear) == [DOCK, STORE]
    assert _members(client, "dispositions", gear) == [CBV + "Disp-active", CBV + "Disp-in_progress"]
    assert _members(client, "event_types", gear) == [
        "ObjectEvent",
        "AggregationEvent",
        "TransactionEvent",
        "TransformationEvent",
        "AssociationEvent",
    ]
    # Instances only (the lot is a class), sorted.
    assert _members(client, "epcs", gear) == [EPC.format(1), EPC.format(2), SSCC]
    links = _members(client, "epcs", gear, HTTP_GS1_EPC_FORMAT="Always_GS1_Digital_Link")
    assert links[0] == "https://id.gs1.org/01/06901234123456/21/1"
    page = client.get(reverse("api:epcis_epcs"), {"perPage": "2"}, **gear)
    assert page.json()["member"] == [EPC.format(1), EPC.format(2)]
    link = page["Link"]
    rest = client.get(link[link.index("/api/") : link.index(">")], **gear)
    assert rest.json()["member"] == [SSCC]
    assert "Link" not in rest


def test_the_events_of_each_member(client, gear):
    assert _ids(client, _member_path("readPoints", STORE), gear) == ["2"]
    assert _ids(
        client, _member_path("readPoints", "https://id.gs1.org/414/6901234000016"), gear
    ) == ["1"]
    assert _ids(client, _member_path("bizLocations", STORE), gear) == ["1"]
    assert _ids(client, _member_path("bizSteps", "commissioning"), gear) == ["1"]
    assert _ids(client, _member_path("dispositions", CBV + "Disp-in_progress"), gear) == ["2"]
    assert _ids(client, _member_path("eventTypes", "AggregationEvent"), gear) == ["2"]
    assert _ids(client, _member_path("eventTypes", "TransactionEvent"), gear) == []
    narrowed = client.get(_member_path("readPoints", DOCK), {"EQ_action": "OBSERVE"}, **gear)
    assert narrowed.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == []
    for path in (
        _member_path("bizSteps", "machining"),
        _member_path("eventTypes", "SensorEvent"),
        _member_path("readPoints", "urn:epc:id:sgln:69.1"),
    ):
        assert client.get(path, **gear).status_code == 400


def test_another_enterprise_sees_none_of_the_collections_or_member_events(
    client, demo, other_zone, gear, ev_token
):
    _capture(
        client, [_event("ObjectEvent", 9, action="OBSERVE", epcList=[EPC.format(9)])], ev_token
    )
    for name in ("read_points", "dispositions"):
        assert _members(client, name, ev_token) == []
    assert _members(client, "epcs", ev_token) == [EPC.format(9)]
    member_paths = [
        _member_path("readPoints", STORE),
        _member_path("bizLocations", STORE),
        _member_path("bizSteps", "commissioning"),
        _member_path("dispositions", "active"),
        _member_path("eventTypes", "AggregationEvent"),
    ]
    for path in member_paths:
        assert _ids(client, path, ev_token) == []
    assert _ids(client, _member_path("eventTypes", "ObjectEvent"), ev_token) == ["9"]
    client.force_login(demo.user("pm"))
    assert _members(client, "read_points", {}) == [DOCK, STORE]
    assert _ids(client, _member_path("readPoints", STORE), {}) == ["2"]
    for user in (demo.user("pm2"), other_zone["admin"], other_zone["user"]):
        client.force_login(user)
        for name in ("read_points", "dispositions", "epcs"):
            assert _members(client, name, {}) == []
        for path in member_paths:
            assert _ids(client, path, {}) == []
    client.logout()
    for name in ("read_points", "dispositions", "event_types", "epcs"):
        assert client.get(reverse(f"api:epcis_{name}")).status_code == 401
    assert client.get(member_paths[0]).status_code == 401


def _all_pages(client, name: str, per_page: int) -> list[str]:
    page = client.get(reverse(f"api:epcis_{name}"), {"perPage": str(per_page)})
    members = page.json()["member"]
    while "Link" in page:
        link = page["Link"]
        page = client.get(link[link.index("/api/") : link.index(">")])
        members += page.json()["member"]
    return members


@pytest.mark.parametrize("scan_limit", [50_000, 2, 0], ids=["index order", "partly", "events"])
def test_zone_staff_see_every_enterprises_values_merged_in_order(
    client, demo, gear, ev_token, monkeypatch, scan_limit
):
    """Values and EPCs of two enterprises interleave in sort order; every page size gives the
    same list. /epcs reads the identifier index in URI order up to a limit, else starts from
    the events: both give the same pages."""
    monkeypatch.setattr(query, "EPC_SCAN_LIMIT", scan_limit)
    gate = "urn:epc:id:sgln:6901234.00001.5"
    ev_events = [
        _event(
            "ObjectEvent", 10, action="OBSERVE", epcList=[EPC.format(15)], readPoint={"id": gate}
        ),
        _event(
            "ObjectEvent", 11, action="OBSERVE", epcList=[EPC.format(0)], disposition="retail_sold"
        ),
    ]
    _capture(client, ev_events, ev_token)
    client.force_login(demo.user("analyst"))
    read_points = [DOCK, gate, STORE]
    epcs = [EPC.format(0), EPC.format(1), EPC.format(15), EPC.format(2), SSCC]
    dispositions = [CBV + "Disp-active", CBV + "Disp-in_progress", CBV + "Disp-retail_sold"]
    for per_page in (1, 2, 30):
        assert _all_pages(client, "read_points", per_page) == read_points
        assert _all_pages(client, "dispositions", per_page) == dispositions
        assert _all_pages(client, "epcs", per_page) == epcs


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN text is SQLite's")
@pytest.mark.parametrize("field_name", ["biz_step", "biz_location", "read_point", "disposition"])
def test_a_value_page_seeks_each_enterprises_next_value(demo, gear, field_name):
    """A DISTINCT over the events read every index entry (2.7 s for a zone at 10 M events)."""
    per_value = {"enterprise_id": 5_000_000}
    with statistics_as_if(Event._meta.db_table, 10_000_000, per_value):
        for enterprises in (
            Enterprise.objects.filter(id__in=[demo.firms["gear"].id]),
            Enterprise.objects.filter(zone=demo.zone),
        ):
            sql, params = query.value_page_sql(enterprises, field_name, 30, None)
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
                plan = "\n".join(row[3] for row in cursor.fetchall())
            assert f"(enterprise_id=? AND {field_name}>?)" in plan, plan
            assert "SCAN e" not in plan and "SCAN trace_event" not in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="EXPLAIN text is SQLite's")
def test_an_epc_page_reads_the_identifier_index_in_uri_order(demo, gear):
    events = Event.objects.filter(enterprise=demo.firms["gear"])
    with statistics_as_if(EventIdentifier._meta.db_table, 30_000_000, {"uri": 3}):
        visible = events.filter(pk=OuterRef("event_id")).order_by()
        rows = EventIdentifier.objects.filter(role__in=query.INSTANCE_ROLES, uri__gt="")
        plan = query.distinct_uris(rows.filter(Exists(visible)), 30).explain()
    assert "USING COVERING INDEX trace_ident_uri_role_event (uri>?)" in plan, plan
    assert "TEMP B-TREE" not in plan, plan
