"""EPCIS capture and single-event read over the API: round trip, dedupe, errors, tenancy."""

import copy
import json
from urllib.parse import quote

import pytest

from parkbrain.trace import api as trace_api
from parkbrain.trace import identifiers
from parkbrain.trace.epcis_xml import xml_capture_document
from parkbrain.trace.hashing import document_hash_ids
from parkbrain.trace.models import CaptureJob, Event, EventIdentifier
from parkbrain.trace.validation import events_of

from . import corpora

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not corpora.SHARED.is_dir(), reason="../shared is not present"),
]

CAPTURE = "/api/epcis/capture"
EPC = "urn:epc:id:sgtin:6901234.012345.{}"


def _capture(client, document, media="application/ld+json", **headers):
    body = document if isinstance(document, bytes) else json.dumps(document)
    return client.post(CAPTURE, data=body, content_type=media, **headers)


def _get_event(client, event_id, **headers):
    return client.get(f"/api/epcis/events/{quote(event_id, safe='')}", **headers)


def _gear_event(serial: int, **fields) -> dict:
    event = {
        "type": "ObjectEvent",
        "eventTime": "2026-03-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "epcList": [EPC.format(serial)],
        "bizStep": "commissioning",
        "disposition": "active",
        "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
    }
    event.update(fields)
    return event


def _document(*events) -> dict:
    document = corpora.wrapped(events[0])
    document["epcisBody"]["eventList"] = list(events)
    return document


def _expected(original: dict, context, stored: Event) -> dict:
    """What the binding lets the answer add: @context, the repository's recordTime and, when
    none was declared, the Event Hash ID as eventID."""
    expected = copy.deepcopy(original)
    expected.setdefault("@context", context)
    expected["recordTime"] = stored.record_time.isoformat(timespec="milliseconds").replace(
        "+00:00", "Z"
    )
    expected.setdefault("eventID", stored.hash_id)
    return expected


ROUND_TRIP = [
    p
    for p in corpora.gs1_documents() + corpora.openepcis_documents()
    if p.name not in corpora.KNOWN_REFUSALS
]


@pytest.mark.parametrize("path", ROUND_TRIP, ids=corpora.ids(ROUND_TRIP))
def test_every_valid_document_is_captured_and_each_event_comes_back_the_same(
    client, gear_token, path
):
    document = corpora.load(path)
    response = _capture(client, document, **gear_token)
    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["success"], job["running"], job["errors"]) == (True, False, [])
    assert response["Location"] == f"/api/epcis/capture/{job['captureID']}"
    originals = events_of(document)
    hashes = document_hash_ids(document)
    assert job["eventsSaved"] + job["eventsAlreadyStored"] == len(originals)
    for original, hash_id in zip(originals, hashes, strict=True):
        stored = Event.objects.get(hash_id=hash_id)
        key = original.get("eventID", hash_id)
        answer = _get_event(client, key, **gear_token)
        assert answer.status_code == 200
        if original.get("errorDeclaration") is None and stored.error_declaration:
            continue  # the same event again, now declared in error (checked below)
        assert answer.json() == _expected(original, document["@context"], stored)
        # The same event in the other identifier syntax: only identifiers change.
        for epc_format in (identifiers.ALWAYS_GS1_DIGITAL_LINK, identifiers.ALWAYS_EPC_URN):
            translated = _get_event(client, key, HTTP_GS1_EPC_FORMAT=epc_format, **gear_token)
            assert translated.json() == trace_api._translated(
                _expected(original, document["@context"], stored),
                lambda uri, f=epc_format: identifiers.as_format(uri, f),
            )


def test_gs1_epc_format_translates_identifiers(client, gear_token):
    event = _gear_event(1, epcList=["https://id.gs1.org/01/06901234123456/21/1"])
    _capture(client, _document(event), **gear_token)
    key = Event.objects.get().hash_id
    as_captured = _get_event(client, key, **gear_token).json()
    assert as_captured["epcList"] == ["https://id.gs1.org/01/06901234123456/21/1"]
    urn = _get_event(client, key, HTTP_GS1_EPC_FORMAT="Always_EPC_URN", **gear_token).json()
    assert urn["epcList"] == ["urn:epc:id:sgtin:6901234.012345.1"]
    link = _get_event(client, key, HTTP_GS1_EPC_FORMAT="Always_GS1_Digital_Link", **gear_token)
    assert link.json()["readPoint"]["id"] == "https://id.gs1.org/414/6901234000016"
    assert link["GS1-EPC-Format"] == "Always_GS1_Digital_Link"
    assert _get_event(client, key, HTTP_GS1_EPC_FORMAT="Sometimes", **gear_token).status_code == 400


def test_identifiers_are_stored_in_canonical_form_with_roles(client, gear_token):
    transformation = {
        "type": "TransformationEvent",
        "eventTime": "2026-03-02T10:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "inputQuantityList": [
            {
                "epcClass": "https://id.gs1.org/01/06901234123456/10/HEAT-7",
                "quantity": 12.5,
                "uom": "KGM",
            }
        ],
        "outputEPCList": [EPC.format(9)],
        "bizStep": "https://gear.example.com/steps/hardening",
    }
    assert _capture(client, _document(transformation), **gear_token).status_code == 202
    rows = {(i.role, i.uri, i.quantity, i.uom) for i in EventIdentifier.objects.all()}
    assert rows == {
        ("input_quantity", "urn:epc:class:lgtin:6901234.012345.HEAT-7", 12.5, "KGM"),
        ("output", EPC.format(9), None, ""),
    }
    event = Event.objects.get()
    assert (event.event_type, event.action, event.biz_step) == (
        "TransformationEvent",
        "",
        "https://gear.example.com/steps/hardening",
    )
    assert event.event_time.isoformat() == "2026-03-02T02:00:00+00:00"
    assert event.event_time_zone_offset == "+08:00"


def test_capturing_the_same_document_twice_stores_each_event_once(client, gear_token):
    document = _document(_gear_event(1), _gear_event(2), _gear_event(1))
    first = _capture(client, document, **gear_token).json()
    assert (first["eventsSaved"], first["eventsAlreadyStored"]) == (2, 1)
    # Same events in another syntax (Digital Link, other key order) hash the same.
    again = copy.deepcopy(document)
    again["epcisBody"]["eventList"][0]["epcList"] = ["https://id.gs1.org/01/06901234123456/21/1"]
    again["epcisBody"]["eventList"][0] = dict(reversed(again["epcisBody"]["eventList"][0].items()))
    second = _capture(client, again, **gear_token).json()
    assert (second["success"], second["eventsSaved"], second["eventsAlreadyStored"]) == (
        True,
        0,
        3,
    )
    assert Event.objects.count() == 2
    assert EventIdentifier.objects.count() == 2


def test_an_error_declaration_of_a_stored_event_is_added_to_it(client, gear_token):
    _capture(client, _document(_gear_event(1)), **gear_token)
    declared = _gear_event(
        1,
        errorDeclaration={
            "declarationTime": "2026-03-05T09:00:00+08:00",
            "reason": "incorrect_data",
        },
    )
    job = _capture(client, _document(declared), **gear_token).json()
    assert job["eventsSaved"] == 1
    event = Event.objects.get()
    assert event.error_declaration["reason"] == "incorrect_data"
    answer = _get_event(client, event.hash_id, **gear_token).json()
    assert answer["errorDeclaration"]["reason"] == "incorrect_data"


def test_rollback_saves_nothing_when_one_event_is_invalid(client, gear_token):
    document = _document(_gear_event(1), _gear_event(2, bizStep="machining"), _gear_event(3))
    response = _capture(client, document, HTTP_ACCEPT_LANGUAGE="en", **gear_token)
    assert response.status_code == 202
    job = response.json()
    assert (job["success"], job["state"], job["captureErrorBehaviour"]) == (
        False,
        "failed",
        "rollback",
    )
    assert [(e["index"], e["field"]) for e in job["errors"]] == [(1, "bizStep")]
    assert "business step" in job["errors"][0]["reason"]
    assert job["eventsRefused"] == 3
    assert not Event.objects.exists()
    status = client.get(response["Location"], **gear_token)
    assert status.status_code == 200
    assert status.json() == job


def test_proceed_saves_the_valid_events_and_lists_the_others(client, gear_token):
    document = _document(_gear_event(1), _gear_event(2, eventTime="yesterday"), _gear_event(3))
    job = _capture(client, document, HTTP_GS1_CAPTURE_ERROR_BEHAVIOUR="proceed", **gear_token)
    job = job.json()
    assert (job["success"], job["state"], job["eventsSaved"], job["eventsRefused"]) == (
        False,
        "partial",
        2,
        1,
    )
    assert [(e["index"], e["field"], e["value"]) for e in job["errors"]] == [
        (1, "eventTime", "yesterday")
    ]
    assert set(Event.objects.values_list("identifiers__uri", flat=True)) == {
        EPC.format(1),
        EPC.format(3),
    }


def test_a_document_level_problem_saves_nothing_even_with_proceed(client, gear_token):
    document = _document(_gear_event(1))
    del document["@context"]
    job = _capture(client, document, HTTP_GS1_CAPTURE_ERROR_BEHAVIOUR="proceed", **gear_token)
    assert job.json()["errors"] == [
        {"index": None, "field": "@context", "value": "", "reason": "缺少必填字段"}
    ]
    assert not Event.objects.exists()


def test_a_different_event_under_a_known_event_id_is_refused(client, gear_token):
    _capture(client, _document(_gear_event(1, eventID="urn:uuid:5b3c-1")), **gear_token)
    job = _capture(client, _document(_gear_event(2, eventID="urn:uuid:5b3c-1")), **gear_token)
    assert [(e["index"], e["field"]) for e in job.json()["errors"]] == [(0, "eventID")]
    assert Event.objects.count() == 1


def test_bad_bodies_and_headers_are_answered_at_once(client, gear_token):
    assert _capture(client, b"{not json", **gear_token).status_code == 400
    assert (
        _capture(client, _document(_gear_event(1)), media="text/plain", **gear_token).status_code
        == 415
    )
    bad = _capture(
        client, _document(_gear_event(1)), HTTP_GS1_CAPTURE_ERROR_BEHAVIOUR="all", **gear_token
    )
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "GS1-Capture-Error-Behaviour"
    assert not CaptureJob.objects.exists()


def test_too_many_events_or_bytes_is_413_with_the_limits(client, gear_token, monkeypatch):
    monkeypatch.setattr(trace_api, "CAPTURE_EVENT_LIMIT", 2)
    too_many = _capture(client, _document(*[_gear_event(i) for i in range(3)]), **gear_token)
    assert too_many.status_code == 413
    assert too_many["GS1-EPCIS-Capture-Limit"] == "2"
    assert too_many["GS1-EPCIS-Capture-File-Size-Limit"] == str(trace_api.CAPTURE_FILE_SIZE_LIMIT)
    monkeypatch.setattr(trace_api, "CAPTURE_FILE_SIZE_LIMIT", 500)
    too_big = _capture(client, _document(_gear_event(1, **{"ex:note": "x" * 600})), **gear_token)
    assert too_big.status_code == 413
    assert too_big["GS1-EPCIS-Capture-File-Size-Limit"] == "500"
    assert not Event.objects.exists()
    assert not CaptureJob.objects.exists()


def test_the_default_size_limit_is_enforced(client, gear_token):
    padding = "x" * (trace_api.CAPTURE_FILE_SIZE_LIMIT + 1)
    response = _capture(client, _document(_gear_event(1, **{"ex:note": padding})), **gear_token)
    assert response.status_code == 413


# -- who may capture and read ----------------------------------------------------------------


def test_zone_staff_and_project_managers_cannot_capture(client, demo):
    for username in ("analyst", "admin", "pm"):
        client.force_login(demo.user(username))
        assert _capture(client, _document(_gear_event(1))).status_code == 403
    client.logout()
    assert _capture(client, _document(_gear_event(1))).status_code == 401
    assert not CaptureJob.objects.exists()


def test_an_enterprise_user_captures_for_its_own_enterprise(client, demo):
    client.force_login(demo.user("gear"))
    response = _capture(client, _document(_gear_event(1)))
    assert response.status_code == 202
    job = CaptureJob.objects.get()
    assert (job.enterprise, job.captured_by, job.token) == (
        demo.firms["gear"],
        demo.user("gear"),
        None,
    )
    assert Event.objects.get().enterprise == demo.firms["gear"]


def test_a_token_capture_records_the_token(client, demo, gear_token):
    _capture(client, _document(_gear_event(1)), **gear_token)
    job = CaptureJob.objects.get()
    assert (job.enterprise, job.captured_by, job.token.name) == (demo.firms["gear"], None, "mes")


def test_another_enterprise_cannot_read_the_event_or_the_job(
    client, demo, other_zone, gear_token, ev_token
):
    response = _capture(client, _document(_gear_event(1, eventID="urn:uuid:gear-1")), **gear_token)
    location = response["Location"]
    hash_id = Event.objects.get().hash_id
    for key in ("urn:uuid:gear-1", hash_id):
        assert _get_event(client, key, **gear_token).status_code == 200
        assert _get_event(client, key, **ev_token).status_code == 404
    assert client.get(location, **ev_token).status_code == 404
    # Zone staff and the gear maker's project manager read; another zone does not.
    for username in ("analyst", "pm"):
        client.force_login(demo.user(username))
        assert _get_event(client, hash_id).status_code == 200
        assert client.get(location).status_code == 200
    client.force_login(demo.user("pm2"))
    assert _get_event(client, hash_id).status_code == 404
    for user in (other_zone["admin"], other_zone["user"]):
        client.force_login(user)
        assert _get_event(client, hash_id).status_code == 404
        assert client.get(location).status_code == 404
    client.logout()
    assert _get_event(client, hash_id).status_code == 401


def test_the_same_event_captured_by_two_enterprises_is_stored_for_each(
    client, gear_token, ev_token
):
    document = _document(_gear_event(1))
    _capture(client, document, **gear_token)
    _capture(client, document, **ev_token)
    assert Event.objects.count() == 2
    assert _get_event(client, Event.objects.first().hash_id, **ev_token).status_code == 200


# -- XML capture and the Invalid folders -------------------------------------------------------

XML_ROUND_TRIP = [
    p for p in corpora.openepcis_xml_documents() if p.name not in corpora.KNOWN_XML_REFUSALS
]


def _xml_capture(client, path, **headers):
    return _capture(client, path.read_bytes(), media="application/xml", **headers)


@pytest.mark.parametrize("path", XML_ROUND_TRIP, ids=corpora.ids(XML_ROUND_TRIP))
def test_every_valid_xml_document_is_captured_and_each_event_comes_back_the_same(
    client, gear_token, path
):
    response = _xml_capture(client, path, **gear_token)
    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["success"], job["errors"]) == (True, [])
    # What was stored is the document read into JSON-LD; each event comes back as read.
    document = xml_capture_document(path.read_bytes())
    originals = events_of(document)
    assert originals and job["eventsSaved"] + job["eventsAlreadyStored"] == len(originals)
    for original, hash_id in zip(originals, document_hash_ids(document), strict=True):
        stored = Event.objects.get(hash_id=hash_id)
        answer = _get_event(client, original.get("eventID", hash_id), **gear_token)
        if original.get("errorDeclaration") is None and stored.error_declaration:
            continue  # the same event again, now declared in error
        assert answer.json() == _expected(original, document["@context"], stored)


def test_the_xml_documents_we_refuse_name_the_reason(client, gear_token):
    for name, (field, words) in corpora.KNOWN_XML_REFUSALS.items():
        response = _xml_capture(
            client,
            corpora.OPENEPCIS_XML / "Documents" / name,
            HTTP_ACCEPT_LANGUAGE="en",
            **gear_token,
        )
        errors = response.json()["errors"]
        assert [e["field"] for e in errors][:1] == [field], (name, errors)
        assert words in errors[0]["reason"], (name, errors)
    assert not Event.objects.exists()


# What each Invalid document gets wrong, and where we say so.
INVALID_XML = {
    "ObjectEvent_bare_event_without_action.xml": (None, "ObjectEvent"),
    "ObjectEvent_with_invalid_action.xml": (0, "action"),
    "ObjectEvent_with_invalid_eventTime_format.xml": (0, "eventTime"),
    "ObjectEvent_with_near_miss_action.xml": (0, "action"),
    "ObjectEvent_with_unknown_element.xml": (0, "madeUpField"),
    "ObjectEvent_with_wrong_element_order.xml": (0, "action"),
    "ObjectEvent_without_eventTime.xml": (0, "eventTime"),
}


@pytest.mark.parametrize(
    "path", corpora.openepcis_xml_invalid(), ids=corpora.ids(corpora.openepcis_xml_invalid())
)
def test_every_invalid_xml_document_is_refused_naming_the_problem(client, gear_token, path):
    response = _xml_capture(client, path, HTTP_ACCEPT_LANGUAGE="en", **gear_token)
    # Not EPCIS XML at all is 400 at once; a bad event is a failed capture job.
    assert response.status_code in (400, 202)
    errors = response.json()["errors"]
    if response.status_code == 202:
        assert response.json()["state"] == "failed"
    assert all(e["reason"] for e in errors)
    assert (errors[0]["index"], errors[0]["field"]) == INVALID_XML[path.name]
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    "path", corpora.openepcis_invalid(), ids=corpora.ids(corpora.openepcis_invalid())
)
def test_every_invalid_json_document_is_refused_by_capture_and_nothing_stored(
    client, gear_token, path
):
    response = _capture(client, corpora.load(path), HTTP_ACCEPT_LANGUAGE="en", **gear_token)
    assert response.status_code == 202
    job = response.json()
    assert (job["state"], job["eventsSaved"]) == ("failed", 0)
    assert job["errors"] and all(
        e["reason"] and (e["field"] or e["index"] is None) for e in job["errors"]
    )
    assert not Event.objects.exists()


def test_xml_that_is_not_an_epcis_document_is_400_naming_it(client, gear_token):
    broken = _capture(
        client,
        b"<EPCISDocument><EPCISBody>",
        media="application/xml",
        HTTP_ACCEPT_LANGUAGE="en",
        **gear_token,
    )
    assert broken.status_code == 400
    assert "not well-formed" in broken.json()["errors"][0]["reason"]
    broken = _capture(client, b"<EPCISDocument>", media="application/xml", **gear_token)
    assert broken.json()["errors"][0]["reason"].startswith("XML 格式不正确")
    other = _capture(client, b"<invoice/>", media="text/xml", **gear_token)
    assert other.json()["errors"][0]["field"] == "invoice"
    assert not CaptureJob.objects.exists()


def test_a_namespaced_xml_extension_is_kept_with_its_prefix(client, gear_token):
    body = b"""<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2"
        xmlns:gear="https://gear.example.com/ns/" schemaVersion="2.0"
        creationDate="2026-03-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent>
        <eventTime>2026-03-01T08:00:00+08:00</eventTime>
        <eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
        <epcList><epc>urn:epc:id:sgtin:6901234.012345.1</epc></epcList><action>OBSERVE</action>
        <gear:hardness>58.5</gear:hardness></ObjectEvent></EventList></EPCISBody>
        </epcis:EPCISDocument>"""
    job = _capture(client, body, media="application/xml", **gear_token).json()
    assert job["success"], job["errors"]
    event = Event.objects.get()
    assert event.body.event_json["gear:hardness"] == "58.5"
    assert event.body.context[1] == {"gear": "https://gear.example.com/ns/"}
