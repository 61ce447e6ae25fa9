"""Capture against what outside testers sent: negative quantities, documents nested too deep,
no credentials, a chunked body over a real HTTP connection, and errors in the client's
language."""

import http.client
import json
import socket
import threading
from urllib.parse import urlsplit

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.test import Client
from gunicorn.config import Config
from gunicorn.http import RequestParser
from gunicorn.http.wsgi import create

from parkbrain.trace.models import CaptureJob, Event
from tests.conftest import _build, _machine_token, ensure_reference_data

from .test_capture import CAPTURE, _capture, _document, _gear_event

pytestmark = pytest.mark.django_db

LOT = "urn:epc:class:lgtin:6901234.012345.L1"
OUT = "urn:epc:class:lgtin:6901234.012345.L2"
PARENT = "urn:epc:id:sscc:6901234.0000000001"


def _amount(quantity: float) -> dict:
    return {"epcClass": LOT, "quantity": quantity, "uom": "KGM"}


def _transformation(**lists) -> dict:
    event = _gear_event(1, **lists)
    for name in ("action", "epcList", "disposition"):
        event.pop(name)
    return {**event, "type": "TransformationEvent", "bizStep": "https://gear.example.com/forging"}


@pytest.mark.parametrize(
    ("event", "field"),
    [
        (_gear_event(1, quantityList=[_amount(-5)]), "quantityList[0].quantity"),
        (
            _gear_event(
                1,
                type="AggregationEvent",
                parentID=PARENT,
                childQuantityList=[_amount(3), _amount(-0.5)],
                epcList=None,
            ),
            "childQuantityList[1].quantity",
        ),
        (
            _transformation(
                inputQuantityList=[_amount(-600)],
                outputQuantityList=[{"epcClass": OUT, "quantity": 100}],
            ),
            "inputQuantityList[0].quantity",
        ),
        (
            _transformation(
                inputQuantityList=[_amount(600)],
                outputQuantityList=[{"epcClass": OUT, "quantity": -100}],
            ),
            "outputQuantityList[0].quantity",
        ),
    ],
    ids=["quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"],
)
def test_a_negative_quantity_is_refused_naming_the_event_and_field(
    client, gear_token, event, field
):
    event = {k: v for k, v in event.items() if v is not None}
    document = _document(_gear_event(2), event)
    job = _capture(client, document, HTTP_ACCEPT_LANGUAGE="en", **gear_token).json()
    assert (job["success"], job["eventsSaved"]) == (False, 0)
    assert [(e["index"], e["field"]) for e in job["errors"]] == [(1, field)]
    assert job["errors"][0]["value"].startswith("-")
    assert "negative" in job["errors"][0]["reason"]
    assert not Event.objects.exists()
    # In Chinese by default.
    job = _capture(client, document, **gear_token).json()
    assert job["errors"][0]["reason"] == "数量不能为负数"


def test_a_zero_quantity_is_still_captured(client, gear_token):
    job = _capture(client, _document(_gear_event(1, quantityList=[_amount(0)])), **gear_token)
    assert job.json()["success"], job.json()["errors"]
    assert CaptureJob.objects.get().events_saved == 1


# -- documents nested too deep ---------------------------------------------------------------


def _nested_json(depth: int) -> bytes:
    inner = "[" * depth + "]" * depth
    return ('{"type": "EPCISDocument", "epcisBody": {"eventList": [' + inner + "]}}").encode()


def _nested_xml(depth: int) -> bytes:
    inner = "<ex:a>" * depth + "</ex:a>" * depth
    return (
        '<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" '
        'xmlns:ex="https://ex.example.com/" schemaVersion="2.0" '
        'creationDate="2026-03-01T00:00:00Z"><EPCISBody><EventList><ObjectEvent>'
        "<eventTime>2026-03-01T08:00:00+08:00</eventTime>"
        f"<eventTimeZoneOffset>+08:00</eventTimeZoneOffset>{inner}"
        "</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"
    ).encode()


@pytest.mark.parametrize(
    ("body", "media"),
    [
        (_nested_json(1000), "application/ld+json"),
        (_nested_json(200), "application/ld+json"),
        (_nested_xml(5000), "application/xml"),
    ],
    ids=["json-1000", "json-200", "xml-5000"],
)
def test_a_document_nested_too_deep_is_400_not_500(client, gear_token, body, media):
    response = _capture(client, body, media, HTTP_ACCEPT_LANGUAGE="en", **gear_token)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["errors"][0]["reason"] == "nested deeper than 64 levels"
    assert not CaptureJob.objects.exists()


def test_json_nested_too_deep_is_refused_by_the_other_writes_too(client, gear_token):
    for path in ("/api/epcis/queries", "/api/epcis/locations"):
        response = client.post(path, _nested_json(1000), "application/json", **gear_token)
        assert response.status_code == 400, path


# -- who may capture -------------------------------------------------------------------------


def test_a_capture_without_credentials_is_401_asking_for_a_bearer_token(demo):
    # A real client sends no CSRF token; the test client skips the check unless told not to.
    machine = Client(enforce_csrf_checks=True)
    body = json.dumps(_document(_gear_event(1)))
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer pbk_not-a-token"}):
        response = machine.post(CAPTURE, body, "application/ld+json", **headers)
        assert response.status_code == 401, response.content
        assert response["WWW-Authenticate"].startswith("Bearer")
    # A browser's session still needs the CSRF token to write.
    machine.force_login(demo.user("gear"))
    assert machine.post(CAPTURE, body, "application/ld+json").status_code == 403
    assert not CaptureJob.objects.exists()


# -- errors in the client's language ---------------------------------------------------------


def test_a_machine_gets_errors_in_the_language_it_asks_for(client, gear_token, demo):
    bad = json.dumps(_document(_gear_event(1, quantityList=[_amount(-1)])))
    english = client.post(
        CAPTURE, bad, "application/ld+json", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8", **gear_token
    )
    assert english["Content-Language"] == "en" and "Accept-Language" in english["Vary"]
    assert english.json()["errors"][0]["reason"] == "a quantity cannot be negative"
    refused = client.post(
        CAPTURE, "{", "application/ld+json", HTTP_ACCEPT_LANGUAGE="en", **gear_token
    )
    assert refused.json()["errors"][0]["reason"].startswith("not JSON")
    chinese = client.post(CAPTURE, "{", "application/ld+json", **gear_token)
    assert chinese["Content-Language"] == "zh-hans"
    assert chinese.json()["errors"][0]["reason"].startswith("不是 JSON")
    french = client.post(
        CAPTURE, "{", "application/ld+json", HTTP_ACCEPT_LANGUAGE="fr", **gear_token
    )
    assert french["Content-Language"] == "zh-hans"
    # People choose with the language switcher, not with their browser's header.
    client.force_login(demo.user("gear"))
    page = client.post(CAPTURE, "{", "application/ld+json", HTTP_ACCEPT_LANGUAGE="en")
    assert page["Content-Language"] == "zh-hans"


# -- a chunked body over a real connection ---------------------------------------------------


@pytest.fixture
def machine(transactional_db) -> str:
    """The Authorization header of the gear maker's token, in a database the server's thread
    can see (each test of this kind starts from an empty one)."""
    ensure_reference_data()
    return _machine_token(_build().firms["gear"])["HTTP_AUTHORIZATION"]


def _chunked_capture(host: str, port: int, authorization: str) -> http.client.HTTPResponse:
    body = json.dumps(_document(_gear_event(1), _gear_event(2))).encode()
    connection = http.client.HTTPConnection(host, port, timeout=30)
    connection.request(
        "POST",
        CAPTURE,
        body=(body[i : i + 256] for i in range(0, len(body), 256)),
        headers={"Content-Type": "application/ld+json", "Authorization": authorization},
        encode_chunked=True,
    )
    return connection.getresponse()


@pytest.fixture
def gunicorn(machine):
    """One request served over a socket by gunicorn's own HTTP/1.1 reader and WSGI environ, as
    `make run` serves the app (in a thread rather than a worker process, on the test database
    as pytest-django's live server shares it)."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(30)
    shared = [c for c in connections.all() if c.vendor == "sqlite" and c.is_in_memory_db()]

    def serve_one() -> None:
        for connection in shared:
            connections[connection.alias] = connection
        client, address = listener.accept()
        with client:
            config = Config()
            request = next(RequestParser(config, client, address))
            response, environ = create(request, client, address, listener.getsockname(), config)
            for part in WSGIHandler()(environ, response.start_response):
                response.write(part)
            response.close()

    for connection in shared:
        connection.inc_thread_sharing()
    server = threading.Thread(target=serve_one, daemon=True)
    server.start()
    yield listener.getsockname()
    server.join(timeout=30)
    listener.close()
    for connection in shared:
        connection.dec_thread_sharing()


def test_a_chunked_capture_is_read_whole_behind_gunicorn(gunicorn, machine):
    response = _chunked_capture(*gunicorn, machine)
    job = json.loads(response.read())
    assert response.status == 202, job
    assert (job["success"], job["eventsSaved"]) == (True, 2)
    assert Event.objects.count() == 2


def test_a_server_that_cannot_read_a_chunked_body_asks_for_a_length(live_server, machine):
    # Django's own server (runserver, the live server) hands the app none of a chunked body.
    address = urlsplit(live_server.url)
    response = _chunked_capture(address.hostname, address.port, machine)
    answer = json.loads(response.read())
    assert response.status == 411, answer
    assert answer["errors"][0]["field"] == "Transfer-Encoding"
    assert not CaptureJob.objects.exists()
