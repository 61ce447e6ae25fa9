"""The demo's gear plant genealogy: captured through capture for the gear and EV makers by
their own log-ins, counted in the command's summary, and absent unless asked for."""

import pytest
from django.core.management import call_command

from parkbrain.demo.builders import build_demo
from parkbrain.trace.gearplant import EV, GEAR, GearPlant
from parkbrain.trace.models import CaptureJob, Event, GenealogyEdge
from tests.conftest import AS_OF

pytestmark = pytest.mark.django_db


def test_the_demo_captures_the_gear_plant_when_asked(db):
    result = build_demo(
        seed=5, scale=0.02, as_of=AS_OF, reports=False, trace_days=20, trace_lines=2
    )
    plant = GearPlant(seed=5, start=result.gear_plant.start, days=20, lines=2)
    owners = [owner for owner, _event in plant.events()]
    assert result.event_count == len(owners) == Event.objects.count()
    by_owner = {
        name: Event.objects.filter(enterprise__name=name).count()
        for name in Event.objects.values_list("enterprise__name", flat=True).distinct()
    }
    assert sorted(by_owner.values()) == sorted([owners.count(EV), owners.count(GEAR)])
    # Each maker captured its own events, by its own log-in, in documents of 500 at most.
    for job in CaptureJob.objects.select_related("captured_by"):
        assert job.captured_by.username in ("gear", "ev")
        assert job.events_saved == job.event_count <= 500
    assert GenealogyEdge.objects.exists()
    last = Event.objects.order_by("-event_time").first().event_time.date()
    assert last <= AS_OF
    assert result.gear_plant.incident.lots == plant.incident.lots


def test_the_test_zone_has_no_genealogy(demo):
    assert demo.result.event_count == 0
    assert not Event.objects.exists()


def test_the_demo_command_says_how_many_events_it_captured(db, capsys):
    call_command("demo", "--scale", "0.02", "--as-of", "2026-11-26", "--trace-days", "10")
    out = capsys.readouterr().out
    count = Event.objects.count()
    assert count > 0
    assert f"{count:,} EPCIS events." in out


def test_the_gear_makers_work_orders_are_its_events_with_their_lots(client, db):
    from django.urls import reverse

    from parkbrain.mes.models import Lot, OperationEvent, ProductionOrder
    from parkbrain.trace import finder
    from parkbrain.trace.visible import sources_of

    build_demo(seed=5, scale=0.02, as_of=AS_OF, reports=False, trace_days=6, trace_lines=2)
    orders = ProductionOrder.objects.order_by("number")
    # One order per line and forging day: the six days' two lines.
    assert orders.count() == 12 and orders[0].number.startswith("WO-2611")
    assert {o.enterprise.name for o in orders} == {"嘉兴精环传动科技有限公司"}
    first = orders[0]
    steps = list(first.operations.values_list("step", flat=True))
    assert steps[:2] == ["forging", "forging"] and "heat_treating" in steps
    assert first.state == "completed" and first.product_name == "二挡从动齿轮（渗碳淬火）"
    forged = Lot.objects.filter(operation__order=first, operation__step="forging", role="produced")
    assert first.planned_quantity == sum(lot.quantity for lot in forged)
    # Each operation is the very event that names the order, and its lots are that event's.
    for link in OperationEvent.objects.filter(operation__order=first).select_related("event"):
        named = link.event.attributes.filter(kind="biz_transaction").values_list("text", flat=True)
        assert [t.rsplit("/", 1)[1] for t in named] == [first.number]
        lots = {lot.epc_class for lot in link.operation.lots.all()}
        assert lots == set(
            link.event.identifiers.filter(
                role__in=["input_quantity", "output_quantity"]
            ).values_list("uri", flat=True)
        )
    # The finder finds an order's lots by its number; the MES page lists it for the gear maker.
    gear = finder.find(first.number, sources_of(_user("gear")))
    assert gear.kind == finder.ORDER and set(gear.uris) >= {lot.epc_class for lot in forged}
    client.force_login(_user("gear"))
    assert first.number in client.get(reverse("mes:orders")).content.decode()
    client.force_login(_user("ev"))
    assert first.number not in client.get(reverse("mes:orders")).content.decode()


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)
