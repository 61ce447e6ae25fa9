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
