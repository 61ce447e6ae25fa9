"""Finding a lot without GS1 syntax: by lot number, work order, machine or place name, product
name or day; suggestions from the caller's own data; the genealogy page and recall use it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from parkbrain.demo.trace import build_trace
from parkbrain.trace import finder, gearplant
from parkbrain.trace.genealogy import TraceError
from parkbrain.trace.models import Event, EventIdentifier, Recall
from parkbrain.trace.services import capture_document
from parkbrain.trace.visible import sources_of
from tests.conftest import AS_OF

pytestmark = pytest.mark.django_db
PAGE = reverse("trace:genealogy")
SUGGEST = reverse("trace:suggest")
HOBBER = "滚齿机 HOB0001"


@pytest.fixture
def plant(demo):
    _stored, built = build_trace(AS_OF, seed=5, days=6, lines=1)
    return built


def _made(prefix: str) -> list[str]:
    rows = EventIdentifier.objects.filter(uri__startswith=prefix, role="output_quantity")
    return sorted(set(rows.values_list("uri", flat=True)))


def test_a_lot_number_finds_its_lot_and_a_urn_still_works(demo, plant):
    gear = sources_of(demo.user("gear"))
    lot = _made(gearplant.GEAR_LOT)[0]
    number = lot.rsplit(".", 1)[1]
    found = finder.find(number, gear)
    assert (found.kind, found.uris) == (finder.LOT, [lot])
    assert finder.find(f"  {lot} ", gear).uris == [lot]
    assert finder.find_one(number.lower(), gear) == lot


def test_a_machine_by_name_lists_what_it_made_newest_first(demo, plant):
    found = finder.find(HOBBER, sources_of(demo.user("gear")))
    assert found.kind == finder.PLACE
    assert set(found.uris) == set(_made(gearplant.MACHINED))
    times = [
        Event.objects.filter(identifiers__uri=u, identifiers__role="output_quantity")
        .values_list("event_time", flat=True)
        .get()
        for u in found.uris
    ]
    assert times == sorted(times, reverse=True)
    with pytest.raises(TraceError, match="请选一个"):
        finder.find_one(HOBBER, sources_of(demo.user("gear")))


def test_a_product_name_and_a_day_find_their_lots(demo, plant):
    gear = sources_of(demo.user("gear"))
    found = finder.find("锻坯", gear)
    assert found.kind == finder.PRODUCT
    assert set(found.uris) == set(_made(gearplant.BLANK))
    first = _made(gearplant.BLANK)[0]
    made = Event.objects.get(identifiers__uri=first, identifiers__role="output_quantity")
    day = timezone.localtime(made.event_time).date()
    by_day = finder.find(f"{day.year}年{day.month}月{day.day}日", gear)
    assert by_day.kind == finder.DATE and first in by_day.uris
    for uri in by_day.uris:
        times = Event.objects.filter(identifiers__uri=uri).values_list("event_time", flat=True)
        assert day in {timezone.localtime(t).date() for t in times}


def test_a_work_order_finds_the_lots_its_events_made(demo):
    order = "https://mes.demo.parkbrain.invalid/orders/X/WO-2611-007"
    lot = "urn:epc:class:lgtin:69234561.01003.WO7"
    event = {
        "type": "TransformationEvent",
        "eventTime": "2026-11-20T10:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "inputQuantityList": [
            {"epcClass": "urn:epc:class:lgtin:69234561.01002.IN7", "quantity": 5}
        ],
        "outputQuantityList": [{"epcClass": lot, "quantity": 5}],
        "bizTransactionList": [{"type": "prodorder", "bizTransaction": order}],
    }
    document = gearplant.document([event])
    assert capture_document(document, demo.user("gear")).success
    found = finder.find("WO-2611-007", sources_of(demo.user("gear")))
    assert (found.kind, found.uris) == (finder.ORDER, [lot])
    client_found = finder.suggest("WO-2611", sources_of(demo.user("gear")))
    assert {"value": "WO-2611-007", "label": "WO-2611-007", "kind": "工单"} in client_found
    assert finder.find("WO-2611-007", sources_of(demo.user("ev"))).uris == []


def test_suggestions_come_from_the_callers_own_data_only(client, demo, other_zone, plant):
    lot = _made(gearplant.GEAR_LOT)[0].rsplit(".", 1)[1]
    client.force_login(demo.user("gear"))
    answer = client.get(SUGGEST, {"q": "滚齿"}).json()["suggestions"]
    assert {"value": HOBBER, "label": HOBBER, "kind": "机台或地点"} in answer
    answer = client.get(SUGGEST, {"q": lot[:6]}).json()["suggestions"]
    assert any(s["value"] == lot and "渗碳淬火" in s["label"] for s in answer)
    for user in (other_zone["user"], demo.user("ev")):
        client.force_login(user)
        assert client.get(SUGGEST, {"q": "滚齿"}).json()["suggestions"] == []
        assert client.get(SUGGEST, {"q": "锻坯"}).json()["suggestions"] == []
        assert all(s["value"] != lot for s in client.get(SUGGEST, {"q": lot}).json()["suggestions"])
    client.logout()
    assert client.get(SUGGEST, {"q": "滚齿"}).status_code == 302


def test_the_page_traces_a_lot_number_and_lists_a_machines_lots(client, demo, plant):
    lot = _made(gearplant.GEAR_LOT)[0]
    client.force_login(demo.user("gear"))
    page = client.get(PAGE)
    assert page.context["placeholder"].startswith("例如 ")
    response = client.get(PAGE, {"epc": lot.rsplit(".", 1)[1], "direction": "backward"})
    assert response.context["trace"].start == lot
    listed = client.get(PAGE, {"epc": HOBBER})
    assert listed.context["trace"] is None
    assert {c.uri for c in listed.context["choices"]} == set(_made(gearplant.MACHINED))
    assert all(c.machine == HOBBER for c in listed.context["choices"])
    missing = client.get(PAGE, {"epc": "没有这个批次"})
    assert "没有这个批次" in missing.context["error"]
    client.force_login(demo.user("ev"))
    assert client.get(PAGE, {"epc": HOBBER}).context["choices"] is None


def test_recall_takes_a_lot_number_and_a_machine_name(client, demo, plant):
    lot = _made(gearplant.GEAR_LOT)[0]
    client.force_login(demo.user("gear"))
    by_number = client.get(
        reverse("trace:recall"), {"start": "identifier", "epc": lot.rsplit(".", 1)[1]}
    )
    assert by_number.context["error"] is None
    assert by_number.context["scope"].starts == [lot]
    several = client.get(reverse("trace:recall"), {"start": "identifier", "epc": HOBBER})
    error = several.context["error"]
    assert (error.field, several.context["scope"]) == ("epc", None)
    assert "12 个批次符合" in error.reason and "请选一个" in error.reason
    # Saved as a recall order, a lot number is stored as its identifier.
    saved = client.post(
        reverse("trace:recall"),
        {"start": "identifier", "epc": lot.rsplit(".", 1)[1], "reason": "硬度不足"},
    )
    assert saved.status_code == 302
    assert Recall.objects.get().criteria == {"start": "identifier", "epc": lot}
