"""The gear plant generator: deterministic, valid EPCIS that captures cleanly, materially
consistent, and with its seeded incident exactly where it says."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from parkbrain.trace import gearplant, identifiers, recall
from parkbrain.trace.gearplant import EV, GEAR, GEAR_LOT, GearPlant
from parkbrain.trace.locations import save_locations
from parkbrain.trace.models import CaptureJob, Event, GenealogyEdge, Location
from parkbrain.trace.services import capture_document
from parkbrain.trace.validation import check_document

START = date(2026, 3, 2)
# Twenty days of two lines: about 560 events, with the incident in the middle and time after
# it for the lots that passed inspection to be shipped.
SMALL = {"seed": 11, "start": START, "days": 20, "lines": 2}


@pytest.fixture(scope="module")
def plant() -> GearPlant:
    return GearPlant(**SMALL)


@pytest.fixture(scope="module")
def events(plant) -> list[tuple[str, dict]]:
    return list(plant.events())


def _classes(event: dict, *lists: str) -> list[dict]:
    return [item for name in lists for item in event.get(name, [])]


def _time(event: dict) -> str:
    return event["eventTime"]


def test_the_same_seed_gives_the_same_events_and_another_seed_others(events):
    again = list(GearPlant(**SMALL).events())
    assert again == events
    other = list(GearPlant(**{**SMALL, "seed": 12}).events())
    assert other != events
    assert len(events) > 500


def test_a_plant_scales_by_lines_and_days():
    week = sum(1 for _ in GearPlant(seed=1, start=START, days=7, lines=1).events())
    wider = sum(1 for _ in GearPlant(seed=1, start=START, days=7, lines=4).events())
    assert 3.2 * week < wider < 4.8 * week
    # The demo's year is realistic in size: over 200,000 events.
    year = sum(1 for _ in GearPlant(seed=2024, start=START, days=365).events())
    assert year >= 200_000
    assert gearplant.lines_for(year) == gearplant.YEAR_LINES


def test_documents_split_each_owner_in_order_with_at_most_the_size(plant, events):
    documents = list(plant.documents(size=100))
    assert all(len(d["epcisBody"]["eventList"]) <= 100 for _o, d in documents)
    for owner in (GEAR, EV):
        joined = [e for o, d in documents if o == owner for e in d["epcisBody"]["eventList"]]
        assert joined == [e for o, e in events if o == owner]


def test_every_document_is_valid_epcis(plant):
    for _owner, document in plant.documents():
        checked = check_document(document)
        assert checked.problems == []
        assert len(checked.events) == checked.event_count


def test_gs1_keys_carry_the_published_company_prefix_lengths_and_check_digits(events):
    for gcp in (gearplant.GEAR_GCP, gearplant.EV_GCP, gearplant.MILL_GCP):
        assert identifiers.published_gcp_length(gcp.ljust(13, "0")) == len(gcp)
    received = [e for o, e in events if o == EV]
    links = [uri for e in received for uri in e["epcList"]]
    assert links and all(uri.startswith("https://id.gs1.org/00/") for uri in links)
    # A Digital Link carries the check digit; canonical() refuses a wrong one.
    shipped = {uri for o, e in events if e.get("bizStep") == "shipping" for uri in e["epcList"]}
    assert {identifiers.canonical(uri) for uri in links} <= shipped
    # 692345610000: 3×(0+0+1+5+3+9) + (0+0+6+4+2+6) = 72, so the check digit is 8.
    assert gearplant.gln("69234561", "0000") == "6923456100008"


def test_every_input_was_made_or_received_before_and_quantities_balance(events):
    made: dict[str, Decimal] = defaultdict(Decimal)  # pieces or kg of each class made so far
    used: dict[str, Decimal] = defaultdict(Decimal)
    first_made: dict[str, str] = {}
    cased: dict[str, str] = {}
    palletised: dict[str, str] = {}
    shipped: dict[str, str] = {}
    for owner, event in events:
        moment = _time(event)
        for item in _classes(event, "inputQuantityList"):
            uri = item["epcClass"]
            assert first_made.get(uri, "~") < moment, uri
            used[uri] += Decimal(str(item["quantity"]))
            assert used[uri] <= made[uri] + Decimal("0.05"), uri
        outputs = _classes(event, "outputQuantityList")
        if event.get("bizStep") == "gp:forging":
            kg = sum(Decimal(str(i["quantity"])) for i in event["inputQuantityList"])
            pieces = outputs[0]["quantity"]
            yield_share = pieces * Decimal(str(gearplant.BLANK_KG)) / kg
            assert Decimal("0.919") < yield_share < Decimal("0.941")  # 6-8% flash and scale
        if event.get("bizStep") in ("gp:hobbing", "gp:carburising"):
            pieces_in = sum(i["quantity"] for i in event["inputQuantityList"])
            pieces_out = sum(i["quantity"] for i in outputs)
            assert pieces_in - 6 <= pieces_out <= pieces_in
        if event.get("bizStep") == "receiving" and owner == GEAR:
            outputs = event["quantityList"]
        for item in outputs:
            made[item["epcClass"]] += Decimal(str(item["quantity"]))
            first_made.setdefault(item["epcClass"], moment)
        for serial in event.get("outputEPCList", []):
            first_made[serial] = moment
        if event["type"] == "AggregationEvent" and event["action"] == "ADD":
            parent, children = event["parentID"], event.get("childEPCs", [])
            if parent.startswith(gearplant.SSCC + "1"):  # a pallet of cases
                assert all(cased[case] < moment for case in children)
                palletised.setdefault(parent, moment)
            else:  # a case of lots or of serialised gears
                for item in _classes(event, "childQuantityList"):
                    assert first_made[item["epcClass"]] < moment
                    used[item["epcClass"]] += item["quantity"]
                    assert used[item["epcClass"]] <= made[item["epcClass"]]
                assert all(first_made[serial] < moment for serial in children)
                cased[parent] = moment
        if event.get("bizStep") == "shipping":
            for pallet in event["epcList"]:
                assert palletised[pallet] < moment
                shipped[pallet] = moment
        if owner == EV:
            for link in event["epcList"]:
                assert shipped[identifiers.canonical(link)] < moment
    assert shipped and cased and palletised


def test_the_incident_is_where_the_generator_says(plant, events):
    incident = plant.incident
    assert incident.furnace == "urn:epc:id:sgln:69234561.0013.F002"
    runs = [e for _o, e in events if e.get("bizStep") == "gp:carburising"]
    cold = []
    for run in runs:
        readings = [r["value"] for r in run["sensorElementList"][0]["sensorReport"]]
        in_window = (
            run["readPoint"]["id"] == incident.furnace
            and incident.window_start.isoformat() <= run["eventTime"]
            and run["eventTime"] < incident.window_end.isoformat()
        )
        low, high = incident.temperature_band_cel
        if in_window:
            cold.append(run["outputQuantityList"][0]["epcClass"])
            assert max(readings) < low
        else:
            assert all(low <= value <= high for value in readings)
    assert cold == incident.lots
    assert incident.passed_lots and incident.held_lots
    assert sorted(incident.passed_lots + incident.held_lots) == sorted(incident.lots)
    inspections = {
        e["quantityList"][0]["epcClass"]: e for _o, e in events if e.get("bizStep") == "inspecting"
    }
    for lot in incident.lots:
        hardness = inspections[lot]["sensorElementList"][0]["sensorReport"][0]["value"]
        held = lot in incident.held_lots
        assert inspections[lot]["disposition"] == ("non_conformant" if held else "conformant")
        assert (hardness < incident.hardness_min_hrc) == held
    packed = {
        i["epcClass"]
        for _o, e in events
        if e["type"] == "AggregationEvent"
        for i in e.get("childQuantityList", [])
    }
    assert not packed & set(incident.held_lots)
    assert incident.shipped_lots and incident.shipped_lots <= set(incident.passed_lots)
    assert incident.shipped_pallets and incident.shipped_pallets <= incident.pallets
    assert {lot for lots in incident.cases.values() for lot in lots} == set(incident.passed_lots)


@pytest.mark.django_db
def test_a_small_plant_captures_whole_and_recall_finds_the_seeded_lots(demo):
    plant = GearPlant(**SMALL)
    principals = {GEAR: demo.user("gear"), EV: demo.user("ev")}
    expected = 0
    for owner, document in plant.documents():
        job = capture_document(document, principals[owner])
        assert (job.state, job.errors) == ("succeeded", [])
        expected += job.event_count
    gear, ev = demo.firms["gear"], demo.firms["ev"]
    assert Event.objects.count() == expected
    assert Event.objects.filter(enterprise=ev).count() == sum(
        1 for o, _e in plant.events() if o == EV
    )
    assert CaptureJob.objects.filter(enterprise=gear).exists()
    # Capturing the same documents again stores nothing new.
    owner, document = next(iter(plant.documents()))
    assert capture_document(document, principals[owner]).events_duplicate == 500
    assert Event.objects.count() == expected

    incident = plant.incident
    criteria = recall.Criteria(
        recall.START_MACHINE,
        read_point=incident.furnace,
        since=incident.window_start,
        until=incident.window_end,
    )
    found = recall.scope(
        criteria,
        GenealogyEdge.objects.filter(enterprise=gear),
        Event.objects.filter(enterprise=gear),
    )
    assert sorted(found.starts) == sorted(incident.lots)
    lots = {item.uri for item in found.items if item.uri.startswith(GEAR_LOT)}
    assert lots == set(incident.lots)


@pytest.mark.django_db
@pytest.mark.parametrize("lines", [2, 9])
def test_master_data_names_every_place_and_party_each_owner_names(demo, lines):
    plant = GearPlant(**{**SMALL, "lines": lines, "days": 4})
    data = plant.master_data({GEAR: "齿轮厂", EV: "整车厂"})
    for owner in (GEAR, EV):
        # Valid as POST /locations takes it: parents first, none twice, all canonical.
        save_locations(demo.firms[owner.lower()], data[owner])
    named = {
        owner: {entry["id"]: entry["name"] for entry in entries} for owner, entries in data.items()
    }
    used: dict[str, set[str]] = defaultdict(set)
    for owner, event in plant.events():
        for key in ("readPoint", "bizLocation"):
            if key in event:
                used[owner].add(event[key]["id"])
        for pair in event.get("sourceList", []) + event.get("destinationList", []):
            used[owner].add(pair.get("source") or pair.get("destination"))
    for owner in (GEAR, EV):
        assert used[owner] <= set(named[owner]), used[owner] - set(named[owner])
    assert named[GEAR][plant.furnace(0)] == "渗碳炉 F001"
    assert named[GEAR][gearplant.EV_PARTY] == "整车厂"
    assert Location.objects.filter(enterprise=demo.firms["gear"]).count() == len(data[GEAR])
