"""Conversion of MES records into EPCIS 2.0 events: expected JSON written out by hand."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from parkbrain.mes import epcis
from parkbrain.mes.validation import (
    CleanInspection,
    CleanLot,
    CleanMeasurement,
    CleanOperation,
    CleanReading,
    LotRef,
    Rejected,
    check_operation,
)
from parkbrain.trace.hashing import document_hash_ids
from parkbrain.trace.validation import check_document

ORDER = epcis.OrderRef("91330483MA2B00001X", "WO 2026/001")
ORDER_URI = "https://parkbrain.invalid/ns/mes/orders/91330483MA2B00001X/WO%202026%2F001"
HEAT = LotRef("urn:epc:class:lgtin:6901234.011111.H2603-17", "06901234111118", "H2603-17")
FORGED = LotRef("urn:epc:class:lgtin:6901234.022222.F-1", "06901234222227", "F-1")
SCRAP = LotRef("urn:epc:class:lgtin:6901234.099999.S-1", "06901234999990", "S-1")
FURNACE = "urn:epc:id:giai:6901234.FURNACE-2"
FORGE = "urn:epc:id:sgln:6901234.00001.0"
STORE = "urn:epc:id:sgln:6901234.00002.0"


def _utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def _forging(**changes) -> CleanOperation:
    fields = {
        "step": "forging",
        "work_centre": "锻压线 2",
        "read_point": FORGE,
        "biz_location": STORE,
        "started_at": _utc(1, 0),
        "finished_at": _utc(1, 2, 30),
        "consumed": (CleanLot(HEAT, Decimal("600.5"), "KGM"),),
        "produced": (CleanLot(FORGED, Decimal("100"), "EA"),),
    }
    return CleanOperation(**{**fields, **changes})


def test_a_finished_operation_becomes_one_transformation_event():
    event = epcis.transformation_event(ORDER, 1, 0, _forging())
    assert event == {
        "type": "TransformationEvent",
        "eventTime": "2026-03-01T10:30:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "inputQuantityList": [
            {"epcClass": HEAT.epc_class, "quantity": 600.5, "uom": "KGM"},
        ],
        # A count (EA) is a quantity without uom.
        "outputQuantityList": [{"epcClass": FORGED.epc_class, "quantity": 100}],
        "bizStep": "commissioning",
        "readPoint": {"id": FORGE},
        "bizLocation": {"id": STORE},
        "bizTransactionList": [{"type": "prodorder", "bizTransaction": ORDER_URI}],
        "mes:step": "forging",
        "mes:operation": 1,
        "ilmd": {"mes:productionDate": "2026-03-01", "cbvmda:lotNumber": "F-1"},
    }


def test_an_unfinished_operation_states_nothing_yet():
    assert epcis.transformation_event(ORDER, 1, 0, _forging(finished_at=None)) is None
    assert epcis.operation_events(ORDER, 1, 0, _forging(finished_at=None)) == []


def test_two_outputs_keep_the_production_date_but_no_single_lot_number():
    operation = _forging(
        produced=(CleanLot(FORGED, Decimal(98), "EA"), CleanLot(SCRAP, Decimal("2.25"), "KGM")),
        biz_location="",
    )
    event = epcis.transformation_event(ORDER, 3, 2, operation)
    assert event["outputQuantityList"] == [
        {"epcClass": FORGED.epc_class, "quantity": 98},
        {"epcClass": SCRAP.epc_class, "quantity": 2.25, "uom": "KGM"},
    ]
    assert event["ilmd"] == {"mes:productionDate": "2026-03-01"}
    assert "bizLocation" not in event
    assert (event["mes:operation"], event["mes:revision"]) == (3, 2)


def test_furnace_readings_become_a_sensor_element_per_device_in_time_order():
    readings = (
        CleanReading("Temperature", FURNACE, _utc(1, 1), Decimal("860"), "CEL"),
        CleanReading("Temperature", FURNACE, _utc(1, 0, 30), Decimal("845.5"), "CEL"),
        CleanReading("Temperature", "", _utc(1, 0, 45), Decimal("20"), "CEL"),
    )
    event = epcis.transformation_event(
        ORDER, 2, 0, _forging(step="heat_treating", readings=readings)
    )
    assert event["bizStep"] == "commissioning"
    assert event["mes:step"] == "heat_treating"
    assert event["sensorElementList"] == [
        {
            "sensorReport": [
                {
                    "type": "gs1:Temperature",
                    "time": "2026-03-01T08:45:00.000+08:00",
                    "value": 20,
                    "uom": "CEL",
                }
            ]
        },
        {
            "sensorMetadata": {"deviceID": FURNACE},
            "sensorReport": [
                {
                    "type": "gs1:Temperature",
                    "time": "2026-03-01T08:30:00.000+08:00",
                    "value": 845.5,
                    "uom": "CEL",
                },
                {
                    "type": "gs1:Temperature",
                    "time": "2026-03-01T09:00:00.000+08:00",
                    "value": 860,
                    "uom": "CEL",
                },
            ],
        },
    ]


INSPECTION = CleanInspection(
    lot=FORGED,
    inspector="QC-07 王工",
    inspected_at=_utc(2, 6, 15),
    measurements=(
        CleanMeasurement("tooth_profile_error", "Length", Decimal("6.2"), "4H", None, Decimal("8")),
        CleanMeasurement(
            "surface_hardness", "Dimensionless", Decimal("61"), "", Decimal("58"), Decimal("62")
        ),
    ),
)


def test_an_inspection_becomes_an_observation_with_its_measurements():
    operation = _forging(step="inspecting", consumed=(), produced=(), inspections=(INSPECTION,))
    event = epcis.inspection_event(ORDER, 3, 0, operation, INSPECTION)
    assert event == {
        "type": "ObjectEvent",
        "eventTime": "2026-03-02T14:15:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "quantityList": [{"epcClass": FORGED.epc_class}],
        "bizStep": "inspecting",
        "disposition": "conformant",
        "readPoint": {"id": FORGE},
        "bizLocation": {"id": STORE},
        "bizTransactionList": [{"type": "prodorder", "bizTransaction": ORDER_URI}],
        "mes:step": "inspecting",
        "mes:operation": 3,
        "sensorElementList": [
            {
                "sensorMetadata": {
                    "time": "2026-03-02T14:15:00.000+08:00",
                    "mes:inspector": "QC-07 王工",
                },
                "sensorReport": [
                    {
                        "type": "gs1:Length",
                        "value": 6.2,
                        "uom": "4H",
                        "mes:characteristic": "tooth_profile_error",
                        "mes:upperLimit": 8,
                        "mes:result": "conformant",
                    },
                    {
                        "type": "gs1:Dimensionless",
                        "value": 61,
                        "mes:characteristic": "surface_hardness",
                        "mes:lowerLimit": 58,
                        "mes:upperLimit": 62,
                        "mes:result": "conformant",
                    },
                ],
            }
        ],
    }
    assert epcis.operation_events(ORDER, 3, 0, operation) == [(0, event)]


@pytest.mark.parametrize(
    ("value", "result"),
    [
        ("58", "conformant"),
        ("62", "conformant"),
        ("57.9", "non_conformant"),
        ("62.01", "non_conformant"),
    ],
)
def test_limits_are_inclusive_and_one_bad_measurement_fails_the_inspection(value, result):
    hardness = CleanMeasurement(
        "surface_hardness", "Dimensionless", Decimal(value), "", Decimal("58"), Decimal("62")
    )
    inspection = CleanInspection(
        FORGED, "QC-07", _utc(2, 6), (INSPECTION.measurements[0], hardness)
    )
    assert hardness.result == result
    assert inspection.result == result
    operation = _forging(inspections=(inspection,))
    event = epcis.inspection_event(ORDER, 3, 0, operation, inspection)
    assert event["disposition"] == result
    reports = event["sensorElementList"][0]["sensorReport"]
    assert [r["mes:result"] for r in reports] == ["conformant", result]


def test_the_events_pass_the_repositorys_validation_and_hash_the_same_every_time():
    operation = _forging(
        readings=(CleanReading("Temperature", FURNACE, _utc(1, 1), Decimal("860"), "CEL"),),
        inspections=(INSPECTION,),
    )
    events = [e for _i, e in epcis.operation_events(ORDER, 1, 0, operation)]
    first = epcis.document(events, _utc(5, 0))
    checked = check_document(first)
    assert checked.problems == []
    assert [e.event_type for e in checked.events] == ["TransformationEvent", "ObjectEvent"]
    # Another creation date, the same record: the same Event Hash IDs.
    again = epcis.document(
        [e for _i, e in epcis.operation_events(ORDER, 1, 0, operation)], _utc(9, 0)
    )
    assert document_hash_ids(again) == document_hash_ids(first)
    revised = epcis.document(
        [e for _i, e in epcis.operation_events(ORDER, 1, 1, operation)], _utc(9, 0)
    )
    assert set(document_hash_ids(revised)).isdisjoint(document_hash_ids(first))


def test_the_same_instant_in_another_offset_is_the_same_content():
    from datetime import timedelta, timezone

    eastern = timezone(timedelta(hours=8))
    base = {
        "step": "forging",
        "read_point": FORGE,
        "finished_at": datetime(2026, 3, 1, 10, 30, tzinfo=eastern),
        "consumed": [{"epc_class": HEAT.epc_class, "quantity": Decimal(600), "unit": "KGM"}],
        "produced": [{"gtin": "06901234222227", "lot": "F-1", "quantity": Decimal(100)}],
    }
    local = check_operation(1, base)
    utc = check_operation(1, {**base, "finished_at": _utc(1, 2, 30)})
    assert local.content() == utc.content()
    assert local.produced[0].lot == FORGED


def test_an_operation_with_lots_on_one_side_only_is_refused():
    with pytest.raises(Rejected) as refused:
        check_operation(
            1,
            {
                "step": "forging",
                "read_point": FORGE,
                "consumed": [{"epc_class": HEAT.epc_class, "quantity": Decimal(1), "unit": "KGM"}],
            },
        )
    assert [p["field"] for p in refused.value.problems] == ["produced"]
