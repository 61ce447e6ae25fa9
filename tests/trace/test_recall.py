"""Recall scope (ParkBrain extension): hand-built plants with known answers (split, merge,
rework, repacking, a shipment to the EV maker), the recall order and its execution, reports,
and the routes with their tenancy."""

import importlib
import io
import json
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import connection
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from parkbrain.trace import recall, recall_report, services
from parkbrain.trace.genealogy import TraceError
from parkbrain.trace.locations import save_locations
from parkbrain.trace.models import Event, GenealogyEdge, Recall

from .test_genealogy import _amount, _capture, _event, _pack, _transform

pytestmark = pytest.mark.django_db

# A module name that starts with a digit is imported by name.
executing_tokens = importlib.import_module(
    "parkbrain.trace.migrations.0009_recall_token"
).executing_tokens

HEAT = "urn:epc:class:lgtin:6901234.011111.HEAT-1"
F1 = "urn:epc:class:lgtin:6901234.022222.F-1"
F2 = "urn:epc:class:lgtin:6901234.022222.F-2"
GA = "urn:epc:class:lgtin:6901234.033333.G-A"
GB = "urn:epc:class:lgtin:6901234.033333.G-B"
BATCH = "urn:epc:class:lgtin:6901234.033333.HT-1"
S1, S2, S3, S4 = (f"urn:epc:id:sgtin:6901234.044444.{n}" for n in (1, 2, 3, 4))
OTHER_GEAR = "urn:epc:id:sgtin:6901234.044444.99"
DRIVE = "urn:epc:id:sgtin:6905555.055555.1"
CASE = "urn:epc:id:sscc:6901234.0000000001"
CASE_2 = "urn:epc:id:sscc:6901234.0000000002"
PALLET = "urn:epc:id:sscc:6901234.0000000009"
MACHINE_A = "urn:epc:id:sgln:6901234.00001.1"
WAREHOUSE = "urn:epc:id:sgln:6901234.00002.0"
EV_PARTY = "urn:epc:id:pgln:6905555.00000"
EV_DOCK = "urn:epc:id:sgln:6905555.00001.0"
PO = "urn:epcglobal:cbv:bt:6905555000004:PO-7"
DESADV = "urn:epcglobal:cbv:bt:6901234000003:ASN-12"
INSPECTION = "urn:uuid:g-inspect-gb"


def _at(event: dict, location: str) -> dict:
    return {**event, "bizLocation": {"id": location}}


#: Heat (1000 kg) split into two forgings, machined, merged in one hardening batch, four
#: gears marked; S1, S2 into CASE, S3, S4 into CASE_2. S2 leaves CASE before another gear goes
#: in and CASE goes onto the pallet, which is shipped to the EV maker. S4 is scrapped.
PLANT = [
    _transform(
        1,
        "forge-1",
        [_amount(HEAT, 600, "KGM")],
        {"outputQuantityList": [_amount(F1, 100)]},
        "forging",
    ),
    _transform(
        1,
        "forge-2",
        [_amount(HEAT, 400, "KGM")],
        {"outputQuantityList": [_amount(F2, 70)]},
        "forging",
    ),
    _transform(
        2, "machine-a", [_amount(F1, 100)], {"outputQuantityList": [_amount(GA, 98)]}, "machining"
    )
    | {"readPoint": {"id": MACHINE_A}},
    _transform(
        2, "machine-b", [_amount(F2, 70)], {"outputQuantityList": [_amount(GB, 69)]}, "machining"
    ),
    _event(
        "ObjectEvent",
        3,
        "inspect-gb",
        action="OBSERVE",
        quantityList=[_amount(GB, 5)],
        bizStep="inspecting",
        disposition="non_conformant",
    ),
    _transform(
        3,
        "harden",
        [_amount(GA, 40), _amount(GB, 40)],
        {"outputQuantityList": [_amount(BATCH, 80)]},
        "heat-treating",
    ),
    _transform(4, "mark", [_amount(BATCH, 4)], {"outputEPCList": [S1, S2, S3, S4]}, "marking"),
    _at(_pack(5, "case", CASE, [S1, S2]), WAREHOUSE),
    _at(_pack(5, "case-2", CASE_2, [S3, S4]), WAREHOUSE),
    _at(_pack(6, "unpack-s2", CASE, [S2], action="DELETE"), WAREHOUSE),
    _at(_pack(7, "repack", CASE, [OTHER_GEAR]), WAREHOUSE),
    _at(_pack(7, "pallet", PALLET, [CASE]), WAREHOUSE),
    _event(
        "ObjectEvent",
        8,
        "ship",
        action="OBSERVE",
        epcList=[PALLET],
        bizStep="shipping",
        disposition="in_transit",
        bizTransactionList=[
            {"type": "po", "bizTransaction": PO},
            {"type": "desadv", "bizTransaction": DESADV},
        ],
        destinationList=[
            {"type": "owning_party", "destination": EV_PARTY},
            {"type": "location", "destination": EV_DOCK},
        ],
    ),
    _at(
        _event("ObjectEvent", 9, "scrap", action="OBSERVE", epcList=[S4], disposition="destroyed"),
        WAREHOUSE,
    ),
]
#: The EV maker receives the pallet and builds gear S1 into a drive unit.
EV_PLANT = [
    _at(
        _event(
            "ObjectEvent", 10, "receive", action="OBSERVE", epcList=[PALLET], bizStep="receiving"
        ),
        EV_DOCK,
    ),
    _at(
        _event(
            "TransformationEvent",
            11,
            "assemble",
            inputEPCList=[S1],
            outputEPCList=[DRIVE],
            bizStep="assembling",
        ),
        EV_DOCK,
    ),
]
# Kilograms of the heat: GA holds all 600 of F1, GB all 400 of F2; the batch 40 of 98 and 40
# of 69 of them; each gear a quarter of the 4 of 80 marked from the batch.
KG_BATCH = Decimal(600) * 40 / 98 + Decimal(400) * 40 / 69
KG_GEAR = KG_BATCH * 4 / 80 / 4


@pytest.fixture
def plant(client, gear_token, ev_token):
    _capture(client, PLANT, gear_token)
    _capture(client, EV_PLANT, ev_token)
    return gear_token


def _scope_of(enterprise, **params) -> recall.Scope:
    return recall.scope(
        recall.parse_criteria(params),
        GenealogyEdge.objects.filter(enterprise=enterprise),
        Event.objects.filter(enterprise=enterprise),
    )


def _items(found: recall.Scope) -> dict[str, recall.Item]:
    return {i.uri: i for i in found.items}


def _close(value: Decimal, expected: Decimal) -> bool:
    return abs(value - expected) < Decimal("0.000001")


# -- the scope ------------------------------------------------------------------------------


def test_from_the_heat_the_gear_maker_finds_gears_remainders_customer_and_stock(plant, demo):
    found = _scope_of(demo.firms["gear"], start="identifier", epc=HEAT)
    items = _items(found)
    # Finished: the four gears; remainders: 98-40 of GA, 69-40 of GB, 80-4 of the batch.
    assert {u: i.kind for u, i in items.items()} == {
        S1: "finished",
        S2: "finished",
        S3: "finished",
        S4: "finished",
        GA: "remainder",
        GB: "remainder",
        BATCH: "remainder",
    }
    assert (items[GA].remaining, items[GB].remaining, items[BATCH].remaining) == (58, 29, 76)
    assert OTHER_GEAR not in items and CASE not in items and PALLET not in items
    # S1 went out in its case on the pallet; S2 was unpacked first and stayed.
    assert (items[S1].status, items[S1].customer, items[S1].containers) == (
        "shipped",
        EV_PARTY,
        [CASE, PALLET],
    )
    assert items[S1].transactions == [f"po: {PO}", f"desadv: {DESADV}"]
    assert items[S1].last_step == "shipping" and items[S1].disposition == "in_transit"
    assert (items[S2].status, items[S2].containers, items[S2].location) == (
        "in_stock",
        [],
        WAREHOUSE,
    )
    assert items[S2].last_step == "unpacking"
    assert (items[S3].status, items[S3].containers) == ("in_stock", [CASE_2])
    assert (items[S4].status, items[S4].disposition) == ("gone", "destroyed")
    assert items[S1].holder == demo.firms["gear"].name
    # Kilograms of the heat carried into each lot and gear.
    assert items[GA].carried == {"KGM": Decimal(600)}
    assert items[GB].carried == {"KGM": Decimal(400)}
    assert _close(items[BATCH].carried["KGM"], KG_BATCH)
    assert _close(items[S1].carried["KGM"], KG_GEAR)
    assert [c.party for c in found.customers] == [EV_PARTY]
    customer = found.customers[0]
    assert customer.items == [S1] and customer.quantities == {"": 1}
    assert _close(customer.carried["KGM"], KG_GEAR)
    assert {i.uri for i in found.in_stock} == {S2, S3, GA, GB, BATCH}
    assert found.counts() == {
        "affected": 7,
        "finished": 4,
        "remainder": 3,
        "shipped": 1,
        "customers": 1,
        "inStock": 5,
        "recalled": 0,
        "gone": 1,
        "unknown": 0,
    }


def test_the_analyst_follows_the_gear_into_the_ev_makers_drive_unit(plant, demo):
    zone = demo.firms["gear"].zone
    found = recall.scope(
        recall.parse_criteria({"epc": HEAT}),
        GenealogyEdge.objects.filter(enterprise__zone=zone),
        Event.objects.filter(enterprise__zone=zone),
    )
    items = _items(found)
    # S1 was built into the drive unit: the unit is the affected finished item, at the EV maker.
    assert S1 not in items
    drive = items[DRIVE]
    assert (drive.status, drive.location, drive.holder) == (
        "in_stock",
        EV_DOCK,
        demo.firms["ev"].name,
    )
    assert _close(drive.carried["KGM"], KG_GEAR)
    # The EV maker sees none of the gear maker's genealogy: from the heat it finds nothing known.
    ev = _scope_of(demo.firms["ev"], epc=HEAT)
    assert [(i.uri, i.status) for i in ev.items] == [(HEAT, "unknown")]
    # From the gear it received, it finds its own drive unit.
    ev = _scope_of(demo.firms["ev"], epc=S1)
    assert [(i.uri, i.status, i.holder) for i in ev.items] == [
        (DRIVE, "in_stock", demo.firms["ev"].name)
    ]


def test_a_non_conformant_inspection_starts_from_the_lot_it_found(plant, demo):
    gear = demo.firms["gear"]
    found = _scope_of(gear, start="inspection", event=INSPECTION)
    assert found.starts == [GB]
    items = _items(found)
    assert set(items) == {GB, BATCH, S1, S2, S3, S4}
    # 40 of GB went into the batch; each gear holds 40 x 4/80 / 4 of them.
    assert items[BATCH].carried == {"": Decimal(40)}
    assert _close(items[S2].carried[""], Decimal("0.5"))
    by_window = _scope_of(
        gear, start="inspections", **{"from": "2026-03-02T12:00:00+08:00", "to": "2026-03-04"}
    )
    assert by_window.starts == [GB]
    assert (
        _scope_of(gear, start="inspections", **{"from": "2026-03-04", "to": "2026-03-05"}).items
        == []
    )
    with pytest.raises(TraceError) as refused:
        _scope_of(gear, start="inspection", event="urn:uuid:g-harden")
    assert refused.value.field == "event"


def test_a_machine_and_window_start_from_what_it_made(plant, demo):
    gear = demo.firms["gear"]
    found = _scope_of(
        gear,
        start="machine",
        readPoint=MACHINE_A,
        **{"from": "2026-03-02T00:00:00+08:00", "to": "2026-03-03T00:00:00+08:00"},
    )
    assert found.starts == [GA]
    assert set(_items(found)) == {GA, BATCH, S1, S2, S3, S4}
    assert _items(found)[GA].remaining == 58
    # The window's end is exclusive: machining at 08:00 is outside a window ending then.
    early = _scope_of(
        gear,
        start="machine",
        readPoint=MACHINE_A,
        **{"from": "2026-03-02T00:00:00+08:00", "to": "2026-03-02T08:00:00+08:00"},
    )
    assert early.starts == [] and early.items == []


def test_a_rework_loop_ends_and_leaves_the_lot_remainder(client, gear_token, demo):
    lot, rework = GA, "urn:epc:class:lgtin:6901234.033333.RW"
    _capture(
        client,
        [
            _transform(
                1,
                "make",
                [_amount(F1, 10)],
                {"outputQuantityList": [_amount(lot, 10)]},
                "machining",
            ),
            _transform(
                2,
                "rw-out",
                [_amount(lot, 3)],
                {"outputQuantityList": [_amount(rework, 3)]},
                "rework",
            ),
            _transform(
                3,
                "rw-in",
                [_amount(rework, 3)],
                {"outputQuantityList": [_amount(lot, 3)]},
                "rework",
            ),
        ],
        gear_token,
    )
    found = _scope_of(demo.firms["gear"], epc=F1)
    # The lot was made 10 + 3 and 3 went to rework: 10 left; the rework lot is used up.
    assert [(i.uri, i.kind, i.remaining) for i in found.items] == [(lot, "remainder", 10)]
    assert found.items[0].carried == {}  # a cycle: what each holds is not known


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "everything"}, "start"),
        ({"start": "identifier"}, "epc"),
        ({"epc": "urn:epc:idpat:sgtin:6901234.044444.*"}, "epc"),
        ({"start": "machine", "from": "2026-03-01", "to": "2026-03-02"}, "readPoint"),
        ({"start": "machine", "readPoint": MACHINE_A, "to": "2026-03-02"}, "from"),
        (
            {"start": "machine", "readPoint": MACHINE_A, "from": "2026-03-03", "to": "2026-03-02"},
            "to",
        ),
        ({"start": "inspections", "from": "yesterday", "to": "2026-03-02"}, "from"),
        ({"start": "inspection"}, "event"),
    ],
)
def test_bad_criteria_name_the_field(params, field):
    with pytest.raises(TraceError) as refused:
        recall.parse_criteria(params)
    assert refused.value.field == field and refused.value.reason


# -- the recall order -----------------------------------------------------------------------


def test_executing_marks_the_stock_recalled_once(plant, demo, client):
    gear = demo.firms["gear"]
    user = demo.user("gear")
    order = recall.create_recall(user, "Heat HEAT-1 failed the hardness test", {"epc": HEAT})
    assert (order.state, order.affected_count, order.in_stock_count, order.shipped_count) == (
        "draft",
        7,
        5,
        1,
    )
    before = Event.objects.filter(enterprise=gear).count()
    done = recall.execute_recall(order, user)
    assert (done.state, done.marked_count, done.executed_by) == ("executed", 5, user)
    marks = Event.objects.filter(enterprise=gear, capture_job=done.capture_job)
    assert marks.count() == 2  # one per business location: the warehouse, and none stated
    assert Event.objects.filter(enterprise=gear).count() == before + 2
    for event in marks:
        assert event.body.event_json["persistentDisposition"] == {"set": ["recalled"]}
        assert event.disposition.endswith("Disp-recalled")
    after = _items(recall.recall_scope(done))
    assert {u for u, i in after.items() if i.status == "recalled"} == {S2, S3, GA, GB, BATCH}
    assert after[S1].status == "shipped"
    # A second execution stores nothing; the same events built again are already stored.
    again = recall.execute_recall(order, user)
    assert again.capture_job_id == done.capture_job_id
    assert Event.objects.filter(enterprise=gear).count() == before + 2
    rebuilt = recall.marking_document(
        [
            recall.Item(S2, "finished", 0, location=WAREHOUSE),
            recall.Item(S3, "finished", 0, location=WAREHOUSE),
            recall.Item(GA, "remainder", 0),
            recall.Item(GB, "remainder", 0),
            recall.Item(BATCH, "remainder", 0),
        ],
        done.executed_at,
    )
    job = services.capture_document(rebuilt, user)
    assert (job.events_saved, job.events_duplicate) == (0, 2)


def test_include_shipped_also_marks_what_went_to_the_customer(plant, demo):
    user = demo.user("gear")
    order = recall.create_recall(user, "Recall all", {"epc": HEAT}, include_shipped=True)
    done = recall.execute_recall(order, user)
    assert done.marked_count == 6  # five in stock and S1
    assert _items(recall.recall_scope(done))[S1].status == "recalled"


def test_only_the_owning_enterprise_creates_and_executes(plant, demo):
    with pytest.raises(recall.RecallRefused):
        recall.create_recall(demo.user("analyst"), "why", {"epc": HEAT})
    order = recall.create_recall(demo.user("gear"), "why", {"epc": HEAT})
    for other in (demo.user("analyst"), demo.user("ev")):
        with pytest.raises(recall.RecallRefused):
            recall.execute_recall(order, other)
    assert Recall.objects.get(pk=order.pk).state == "draft"
    with pytest.raises(TraceError) as refused:
        recall.create_recall(demo.user("gear"), "   ", {"epc": HEAT})
    assert refused.value.field == "reason"


# -- reports --------------------------------------------------------------------------------


EV_NAME = "桐乡启行新能源汽车有限公司"


def test_the_reports_list_criteria_counts_items_customers_and_stock(plant, demo):
    save_locations(demo.firms["gear"], [{"id": EV_PARTY, "name": EV_NAME}])
    save_locations(demo.firms["gear"], [{"id": WAREHOUSE, "name": "成品仓库"}])
    order = recall.create_recall(demo.user("gear"), '=HYPERLINK("x")', {"epc": HEAT})
    found = recall.recall_scope(order)
    with translation.override("en"):
        workbook, document = recall_report.xlsx(found, order), recall_report.pdf(found, order)
    book = load_workbook(io.BytesIO(workbook))
    assert book.sheetnames == [
        "Criteria",
        "Summary",
        "Affected",
        "Customers",
        "Stock to quarantine",
    ]
    criteria = {row[0]: row[1] for row in book["Criteria"].iter_rows(values_only=True)}
    assert criteria["Reason"] == '=HYPERLINK("x")'
    assert book["Criteria"]["B4"].data_type == "s"  # text, never a formula
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    assert summary["Affected lots and serials"] == 7 and summary["In stock to quarantine"] == 5
    affected = list(book["Affected"].iter_rows(values_only=True))
    assert {row[0] for row in affected[1:]} == {S1, S2, S3, S4, GA, GB, BATCH}
    gear_row = next(row for row in affected if row[0] == S1)
    assert gear_row[2] == "Shipped" and gear_row[8] == f"{CASE}, {PALLET}"
    customers = list(book["Customers"].iter_rows(values_only=True))
    assert customers[1][:4] == (EV_PARTY, EV_NAME, 1, "1 pieces")
    stock = {row[0]: row[1] for row in book["Stock to quarantine"].iter_rows(values_only=True)}
    assert set(stock) == {"Identifier", S2, S3, GA, GB, BATCH}
    assert stock[S2] == f"成品仓库\n{WAREHOUSE}"
    reader = PdfReader(io.BytesIO(document))
    text = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 1
    for expected in (S2, EV_PARTY, "Stock to quarantine", "=HYPERLINK"):
        assert expected in text.replace("\n", ""), expected


# -- routes ---------------------------------------------------------------------------------

SCOPE = "api:epcis_recall_scope"


def test_the_scope_route_answers_with_tenancy(client, plant, ev_token, demo, other_zone):
    answer = client.get(reverse(SCOPE), {"epc": HEAT}, **plant).json()
    assert answer["summary"]["affected"] == 7
    assert set(answer["inStock"]) == {S2, S3, GA, GB, BATCH}
    gear = next(i for i in answer["items"] if i["uri"] == S1)
    assert gear["customer"] == EV_PARTY and gear["containers"] == [CASE, PALLET]
    assert abs(gear["carried"]["KGM"] - float(KG_GEAR)) < 1e-6
    assert answer["customers"][0]["bizTransactions"] == [f"desadv: {DESADV}", f"po: {PO}"]
    # The EV maker does not see the gear maker's genealogy.
    ev = client.get(reverse(SCOPE), {"epc": HEAT}, **ev_token).json()
    assert [i["status"] for i in ev["items"]] == ["unknown"]
    client.force_login(demo.user("analyst"))
    assert DRIVE in {i["uri"] for i in client.get(reverse(SCOPE), {"epc": HEAT}).json()["items"]}
    client.force_login(other_zone["user"])
    assert client.get(reverse(SCOPE), {"epc": HEAT}).json()["items"][0]["status"] == "unknown"
    client.logout()
    assert client.get(reverse(SCOPE), {"epc": HEAT}).status_code == 401


def test_customers_and_locations_carry_the_names_the_callers_own_master_data_gives(
    client, plant, ev_token, demo
):
    for auth, names in (
        (plant, {EV_PARTY: EV_NAME, WAREHOUSE: "成品仓库"}),
        (ev_token, {EV_PARTY: "本公司", WAREHOUSE: "供应商仓库"}),
    ):
        stated = [{"id": uri, "name": name} for uri, name in names.items()]
        response = client.post(
            reverse("api:epcis_locations"),
            data=json.dumps(stated),
            content_type="application/json",
            **auth,
        )
        assert response.status_code == 200, response.content
    answer = client.get(reverse(SCOPE), {"epc": HEAT}, **plant).json()
    assert [(c["party"], c["name"]) for c in answer["customers"]] == [(EV_PARTY, EV_NAME)]
    kept = next(i for i in answer["items"] if i["uri"] == S2)
    assert (kept["bizLocation"], kept["bizLocationName"]) == (WAREHOUSE, "成品仓库")
    # Where nothing names it, the identifier stands alone.
    unnamed = [i for i in answer["items"] if i["bizLocation"] != WAREHOUSE]
    assert unnamed and all(i["bizLocationName"] is None for i in unnamed)
    # The page shows the names, the identifiers in the cells' titles.
    client.force_login(demo.user("gear"))
    page = client.get(reverse("trace:recall"), {"epc": HEAT}).content.decode()
    assert f'title="{EV_PARTY}">{EV_NAME}<' in page and "成品仓库" in page
    assert "供应商仓库" not in page and "本公司" not in page


def test_a_bad_scope_parameter_is_400_naming_it(client, gear_token):
    response = client.get(
        reverse(SCOPE), {"start": "machine", "readPoint": MACHINE_A}, **gear_token
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["from"]


def test_recall_routes_create_execute_and_report_for_the_owner_only(
    client, plant, ev_token, demo, other_zone
):
    body = {"reason": "hardness", "criteria": {"epc": HEAT}}
    created = client.post(
        reverse("api:epcis_recall_create"), json.dumps(body), "application/json", **plant
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["counts"] == {
        "affected": 7,
        "shipped": 1,
        "customers": 1,
        "inStock": 5,
        "marked": 0,
    }
    bad = client.post(
        reverse("api:epcis_recall_create"),
        json.dumps({"reason": "x", "criteria": {"start": "machine"}}),
        "application/json",
        **plant,
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "from"
    one = reverse("api:epcis_recall", kwargs={"recall_id": pk})
    execute = reverse("api:epcis_recall_execute", kwargs={"recall_id": pk})
    report = reverse("api:epcis_recall_report", kwargs={"recall_id": pk, "fmt": "xlsx"})
    # The EV maker and another zone: not found; the analyst reads but does not execute.
    for auth in (ev_token,):
        assert client.get(one, **auth).status_code == 404
        assert client.post(execute, **auth).status_code == 404
        assert client.get(report, **auth).status_code == 404
        assert client.get(reverse("api:epcis_recalls"), **auth).json()["recalls"] == []
    client.force_login(other_zone["user"])
    assert client.get(one).status_code == 404
    client.force_login(demo.user("analyst"))
    assert client.get(one).json()["scope"]["summary"]["inStock"] == 5
    assert client.post(execute).status_code == 403
    assert (
        client.post(
            reverse("api:epcis_recall_create"), json.dumps(body), "application/json"
        ).status_code
        == 403
    )
    assert client.get(report).status_code == 200
    client.logout()
    assert client.get(one).status_code == 401
    done = client.post(execute, **plant)
    assert done.status_code == 200 and done.json()["state"] == "executed"
    assert done.json()["counts"]["marked"] == 5
    assert client.post(execute, **plant).json() == done.json()
    pdf = client.get(
        reverse("api:epcis_recall_report", kwargs={"recall_id": pk, "fmt": "pdf"}), **plant
    )
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    wrong = reverse("api:epcis_recall_report", kwargs={"recall_id": pk, "fmt": "doc"})
    assert client.get(wrong, **plant).status_code == 400
    listed = client.get(reverse("api:epcis_recalls"), **plant).json()["recalls"]
    assert [r["id"] for r in listed] == [pk]


def test_the_routes_are_documented_as_an_extension(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    recall_paths = [p for p in paths if p.startswith("/api/epcis/recall")]
    assert len(recall_paths) == 5
    for path in recall_paths:
        for operation in paths[path].values():
            assert operation["description"].startswith("ParkBrain extension, not part of EPCIS")


# -- pages ----------------------------------------------------------------------------------

PAGE = reverse("trace:recall")


def test_the_page_computes_the_scope_and_the_enterprise_saves_and_executes(client, plant, demo):
    client.force_login(demo.user("gear"))
    response = client.get(PAGE, {"start": "identifier", "epc": HEAT})
    assert response.status_code == 200 and response.context["can_recall"]
    assert response.context["scope"].counts()["inStock"] == 5
    content = response.content.decode()
    assert 'data-testid="recall-create"' in content and S2 in content
    saved = client.post(PAGE, {"start": "identifier", "epc": HEAT, "reason": "hardness"})
    order = Recall.objects.get()
    assert saved.status_code == 302 and saved["Location"] == reverse(
        "trace:recall_detail", kwargs={"pk": order.pk}
    )
    refused = client.post(PAGE, {"start": "identifier", "epc": HEAT, "reason": ""})
    assert refused.context["error"].field == "reason" and Recall.objects.count() == 1
    detail = reverse("trace:recall_detail", kwargs={"pk": order.pk})
    assert client.get(detail).context["can_execute"]
    client.post(detail)
    assert Recall.objects.get().state == "executed" and Recall.objects.get().marked_count == 5
    for fmt, start in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        report = client.get(reverse("trace:recall_report", kwargs={"pk": order.pk, "fmt": fmt}))
        assert report.status_code == 200 and report.content.startswith(start)
        scope_report = client.get(
            reverse("trace:recall_scope_report", kwargs={"fmt": fmt}), {"epc": HEAT}
        )
        assert scope_report.status_code == 200 and scope_report.content.startswith(start)


def test_the_pages_keep_each_enterprise_to_its_own(client, plant, demo, other_zone):
    order = recall.create_recall(demo.user("gear"), "hardness", {"epc": HEAT})
    detail = reverse("trace:recall_detail", kwargs={"pk": order.pk})
    report = reverse("trace:recall_report", kwargs={"pk": order.pk, "fmt": "xlsx"})
    scope_report = reverse("trace:recall_scope_report", kwargs={"fmt": "xlsx"})
    for user in (demo.user("ev"), other_zone["user"], other_zone["admin"]):
        client.force_login(user)
        assert client.get(detail).status_code == 404
        assert client.post(detail).status_code == 404
        assert client.get(report).status_code == 404
        page = client.get(PAGE, {"epc": HEAT})
        assert list(page.context["recalls"]) == []
        assert [i.status for i in page.context["scope"].items] == ["unknown"]
        book = load_workbook(io.BytesIO(client.get(scope_report, {"epc": HEAT}).content))
        assert S2 not in {row[0] for sheet in book for row in sheet.iter_rows(values_only=True)}
    client.force_login(demo.user("analyst"))
    page = client.get(PAGE, {"epc": HEAT})
    assert not page.context["can_recall"] and list(page.context["recalls"]) == [order]
    assert not client.get(detail).context["can_execute"]
    client.post(detail)
    assert Recall.objects.get().state == "draft"
    client.logout()
    for url in (PAGE, detail, report, scope_report):
        assert client.get(url).status_code == 302
    client.force_login(demo.user("gear"))
    bad = client.get(scope_report, {"start": "machine"})
    assert bad.status_code == 400 and b"from" in bad.content
    assert (
        client.get(reverse("trace:recall_scope_report", kwargs={"fmt": "doc"})).status_code == 404
    )


def test_a_recall_a_machine_created_and_executed_shows_its_token(client, plant, demo):
    created = client.post(
        reverse("api:epcis_recall_create"),
        json.dumps({"reason": "hardness", "criteria": {"epc": HEAT}}),
        "application/json",
        **plant,
    )
    order = Recall.objects.get(pk=created.json()["id"])
    assert (order.created_by, order.created_by_token.name) == (None, "mes")
    detail = reverse("trace:recall_detail", kwargs={"pk": order.pk})
    client.force_login(demo.user("gear"))
    page = client.get(detail)
    assert page.status_code == 200
    assert "API 令牌 mes" in page.content.decode().split('data-testid="recall-created"')[1][:80]
    client.post(reverse("api:epcis_recall_execute", kwargs={"recall_id": order.pk}), **plant)
    page = client.get(detail).content.decode()
    assert "API 令牌 mes" in page.split('data-testid="recall-executed"')[1][:80]
    # Recalls executed before the column existed get the token their marking capture records.
    Recall.objects.filter(pk=order.pk).update(executed_by_token=None)
    executing_tokens(apps, None)
    assert Recall.objects.get(pk=order.pk).executed_by_token.name == "mes"


def test_the_genealogy_page_links_each_node_to_its_recall(client, plant, demo):
    client.force_login(demo.user("gear"))
    response = client.get(reverse("trace:genealogy"), {"epc": S1, "direction": "backward"})
    link = f'href="{PAGE}?start=identifier&amp;epc={quote(HEAT, safe="/")}"'
    assert link in response.content.decode()


def test_the_scope_queries_per_level_and_batch_not_per_item(plant, demo, django_assert_num_queries):
    # The walk: every edge within reach, then the removals among them, then the IDs of their
    # events (3); made lots (1); what arrived of the suspect lot no transformation made (1);
    # the events naming items and containers, columns then JSON (2); holders (1). PostgreSQL
    # adds the savepoint around the lookup plans settings (3).
    with django_assert_num_queries(8 + (3 if connection.vendor == "postgresql" else 0)):
        found = _scope_of(demo.firms["gear"], epc=HEAT)
    assert len(found.items) == 7
