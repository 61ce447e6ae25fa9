"""Fixtures of the MES tests: a gear order as a plant's MES would send it."""

import json

import pytest

HEAT = "urn:epc:class:lgtin:6901234.011111.H2603-17"
FORGED = "urn:epc:class:lgtin:6901234.022222.F-1"
HARDENED = "urn:epc:class:lgtin:6901234.033333.HT-1"
FORGE = "urn:epc:id:sgln:6901234.00001.0"
FURNACE_LINE = "urn:epc:id:sgln:6901234.00003.0"
LAB = "urn:epc:id:sgln:6901234.00004.0"
STORE = "urn:epc:id:sgln:6901234.00002.0"
FURNACE = "urn:epc:id:giai:6901234.FURNACE-2"

ORDER = {
    "product_gtin": "06901234333336",
    "product_name": "斜齿轮 m3 z41",
    "planned_quantity": 100,
    "unit": "EA",
    "state": "released",
    "planned_start": "2026-03-01",
    "planned_end": "2026-03-05",
}
FORGING = {
    "step": "forging",
    "work_centre": "锻压线 2",
    "read_point": FORGE,
    "biz_location": STORE,
    "started_at": "2026-03-01T08:00:00+08:00",
    "finished_at": "2026-03-01T10:30:00+08:00",
    "consumed": [{"epc_class": HEAT, "quantity": 600.5, "unit": "KGM"}],
    "produced": [{"gtin": "06901234222227", "lot": "F-1", "quantity": 100}],
}
HEAT_TREATMENT = {
    "step": "heat_treating",
    "work_centre": "渗碳炉 2",
    "read_point": FURNACE_LINE,
    "started_at": "2026-03-02T08:00:00+08:00",
    "finished_at": "2026-03-02T16:00:00+08:00",
    "consumed": [{"epc_class": FORGED, "quantity": 100}],
    "produced": [{"gtin": "6901234333336", "lot": "HT-1", "quantity": 98}],
    "readings": [
        {"device": FURNACE, "time": "2026-03-02T09:00:00+08:00", "value": 925, "unit": "CEL"},
        {"device": FURNACE, "time": "2026-03-02T12:00:00+08:00", "value": 930.5, "unit": "CEL"},
    ],
}
INSPECTION = {
    "step": "inspecting",
    "work_centre": "计量室",
    "read_point": LAB,
    "inspections": [
        {
            "lot": {"epc_class": HARDENED},
            "inspector": "QC-07",
            "inspected_at": "2026-03-03T09:00:00+08:00",
            "measurements": [
                {
                    "characteristic": "tooth_profile_error",
                    "type": "Length",
                    "value": 6.2,
                    "unit": "4H",
                    "upper_limit": 8,
                },
                {
                    "characteristic": "surface_hardness",
                    "type": "Dimensionless",
                    "value": 63,
                    "lower_limit": 58,
                    "upper_limit": 62,
                },
            ],
        }
    ],
}


@pytest.fixture
def english(client, settings):
    """Answers in English, as chosen with the language switcher (the reasons are checked)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def put(client, path: str, body: dict, auth: dict | None = None):
    return client.put(path, data=json.dumps(body), content_type="application/json", **(auth or {}))


def order_path(firm, number: str = "WO-2026-001") -> str:
    return f"/api/mes/orders/{firm.credit_code}/{number}"


@pytest.fixture
def gear_order(client, demo, gear_token):
    """The gear maker's order WO-2026-001 with forging, heat treatment and inspection."""
    path = order_path(demo.firms["gear"])
    assert put(client, path, ORDER, gear_token).status_code == 201
    for sequence, operation in enumerate((FORGING, HEAT_TREATMENT, INSPECTION), start=1):
        response = put(client, f"{path}/operations/{sequence}", operation, gear_token)
        assert response.status_code == 201, response.json()
    return path
