"""Our EPCIS validation against the official GS1 schema and the OpenEPCIS invalid documents.

The GS1 schema is used here only, to cross-check: whatever it accepts we accept (but for the
documented refusals), and every document in the Invalid folder we refuse with a reason.
"""

import re
from datetime import datetime, timedelta, timezone

import pytest
from jsonschema import Draft7Validator, FormatChecker

from parkbrain.trace.validation import check_document, parse_timestamp, vocabulary_uri

from . import corpora

pytestmark = pytest.mark.skipif(not corpora.SHARED.is_dir(), reason="../shared is not present")

_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", re.IGNORECASE)
_checker = FormatChecker()


@_checker.checks("date-time")
def _date_time(value: object) -> bool:
    # jsonschema checks date-time only with an extra package; this is RFC 3339's shape.
    return not isinstance(value, str) or bool(_RFC3339.fullmatch(value))


@pytest.fixture(scope="module")
def gs1_schema():
    if not corpora.GS1_SCHEMA.exists():
        pytest.skip("GS1 schema not present")
    return Draft7Validator(corpora.load(corpora.GS1_SCHEMA), format_checker=_checker)


ALL_DOCUMENTS = corpora.gs1_documents() + corpora.openepcis_documents()


@pytest.mark.parametrize("path", ALL_DOCUMENTS, ids=corpora.ids(ALL_DOCUMENTS))
def test_what_the_official_schema_accepts_we_accept(path, gs1_schema):
    document = corpora.load(path)
    checked = check_document(document)
    if path.name in corpora.KNOWN_REFUSALS:
        field, words = corpora.KNOWN_REFUSALS[path.name]
        assert [(p.field, words in p.reason) for p in checked.problems] == [(field, True)]
        return
    if not gs1_schema.is_valid(document):
        # SensorData_with_combined_events: a sensorReport without type, fine for OpenEPCIS
        # and for us; the 2023 GS1 schema wants one.
        assert checked.problems == []
        return
    assert [p.as_dict() for p in checked.problems] == []
    assert len(checked.events) == checked.event_count > 0


@pytest.mark.parametrize(
    "path", corpora.openepcis_events(), ids=corpora.ids(corpora.openepcis_events())
)
def test_bare_events_are_valid_inside_a_document(path, gs1_schema):
    document = corpora.wrapped(corpora.load(path))
    assert gs1_schema.is_valid(document)
    assert check_document(document).problems == []


@pytest.mark.parametrize(
    "path", corpora.openepcis_invalid(), ids=corpora.ids(corpora.openepcis_invalid())
)
def test_every_invalid_document_is_refused_with_index_field_and_reason(path):
    checked = check_document(corpora.load(path))
    assert checked.problems, "an invalid document passed"
    for problem in checked.problems:
        assert problem.reason
        assert problem.field or problem.index is None
    # The invalid documents each make one point; check that we name it.
    expected = {
        "EPCISDocument_without_context.json": (None, "@context"),
        "ObjectEvent_with_ilmd_field_without_namespace.json": (0, "ilmd.materialType"),
        "ObjectEvent_with_invalid_action.json": (0, "action"),
        "ObjectEvent_with_invalid_eventTime_format.json": (0, "eventTime"),
        "ObjectEvent_with_non_standard_bizStep.json": (0, "bizStep"),
        "ObjectEvent_with_non_standard_bizStep_in_second_event.json": (1, "bizStep"),
        "ObjectEvent_with_non_standard_disposition.json": (0, "disposition"),
        "ObjectEvent_with_quantity_as_text.json": (0, "quantityList[0].quantity"),
        "ObjectEvent_with_unknown_field_in_quantityList.json": (0, "quantityList[0].weight"),
        "ObjectEvent_without_identifier_list.json": (0, "epcList"),
    }.get(path.name)
    if expected:
        assert expected in [(p.index, p.field) for p in checked.problems]


def _event(**fields) -> dict:
    event = {
        "type": "ObjectEvent",
        "eventTime": "2026-03-01T08:00:00+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "epcList": ["urn:epc:id:sgtin:0614141.107346.2017"],
    }
    event.update(fields)
    return {k: v for k, v in event.items() if v is not None}


def _problems(*events) -> list[tuple]:
    document = corpora.wrapped(events[0])
    document["epcisBody"]["eventList"] = list(events)
    return [(p.index, p.field) for p in check_document(document).problems]


def test_field_dependencies_are_checked():
    aggregation = _event(type="AggregationEvent", action="ADD", epcList=None)
    assert (0, "parentID") in _problems({**aggregation, "childEPCs": ["urn:epc:id:sscc:0614141.1"]})
    association = _event(type="AssociationEvent", action="ADD", epcList=None, parentID="urn:x:1")
    assert _problems(association) == [(0, "childEPCs")]
    transformation = _event(
        type="TransformationEvent",
        action=None,
        epcList=None,
        inputEPCList=["urn:epc:id:sgtin:0614141.107346.1"],
    )
    assert _problems(transformation) == [(0, "outputEPCList")]
    assert _problems({**transformation, "transformationID": "urn:uuid:1"}) == []
    assert _problems({**transformation, "action": "ADD"}) == [(0, "action")]
    assert _problems(_event(action="ADD", epcList=[])) == [(0, "epcList")]
    assert _problems(_event(ilmd={"ex:lot": "1"})) == [(0, "ilmd")]
    assert _problems(_event(type="TransactionEvent")) == [(0, "bizTransactionList")]


def test_timestamps_need_an_offset_and_offsets_a_valid_form():
    assert _problems(_event(eventTime="2026-03-01T08:00:00")) == [(0, "eventTime")]
    assert _problems(_event(eventTimeZoneOffset="+8:00")) == [(0, "eventTimeZoneOffset")]
    assert _problems(_event(eventTimeZoneOffset="+15:00")) == [(0, "eventTimeZoneOffset")]
    assert parse_timestamp("2026-03-01T08:00:00.123456789+08:00").microsecond == 123456
    assert parse_timestamp("2026-02-30T08:00:00Z") is None
    # The C parser takes the usual spelling; RFC 3339's lower-case t and z go the long way.
    east = datetime(2026, 3, 1, 8, tzinfo=timezone(timedelta(hours=8)))
    assert parse_timestamp("2026-03-01T08:00:00+08:00") == east
    assert parse_timestamp(" 2026-03-01t00:00:00z ") == east
    assert parse_timestamp("2026-03-01T08:00:00+24:00") is None
    assert parse_timestamp("2026-03-01T08:00:60Z") is None
    assert parse_timestamp("2026-03-01T08:00:00.5") is None


def test_identifiers_are_checked_and_errors_name_the_position():
    bad = _event(
        epcList=["urn:epc:id:sgtin:0614141.107346.1", "https://id.gs1.org/01/09521141012340"]
    )
    assert _problems(bad) == [(0, "epcList[1]")]
    assert _problems(_event(epcList=["urn:epc:id:gid:95100000.12345.400"])) == []
    assert _problems(_event(readPoint={"id": "urn:epc:id:sgln:bad"})) == [(0, "readPoint.id")]


def test_cbv_words_and_uris():
    assert vocabulary_uri("shipping", "bizStep", {}) == "https://ref.gs1.org/cbv/BizStep-shipping"
    assert vocabulary_uri("urn:epcglobal:cbv:disp:recalled", "disposition", {}).endswith(
        "Disp-recalled"
    )
    assert vocabulary_uri("https://ref.gs1.org/cbv/BizStep-machining", "bizStep", {}) is None
    assert vocabulary_uri("https://gear.example.com/steps/hardening", "bizStep", {}) == (
        "https://gear.example.com/steps/hardening"
    )
    assert vocabulary_uri("ex:hardening", "bizStep", {"ex": "https://ex.com/"}) == (
        "https://ex.com/hardening"
    )
    assert _problems(_event(bizStep="machining")) == [(0, "bizStep")]
    assert _problems(_event(persistentDisposition={"set": ["quarantined"]})) == [
        (0, "persistentDisposition.set[0]")
    ]


def test_a_document_that_is_not_an_epcis_document_is_refused():
    assert [p.field for p in check_document([]).problems] == [""]
    assert [p.field for p in check_document({"type": "ObjectEvent"}).problems] == ["type"]
    document = corpora.wrapped(_event())
    del document["creationDate"]
    assert [(p.index, p.field) for p in check_document(document).problems] == [
        (None, "creationDate")
    ]
