"""How long the full demo zone takes to build, against writing its enterprise rows alone.

Uses PARKBRAIN_DATABASE_URL when set (an empty database), else a temporary SQLite file.
"""

import statistics
import time

from common import django_with_scratch_database

django_with_scratch_database()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from parkbrain.demo.builders import build_demo  # noqa: E402
from parkbrain.registry.models import Enterprise, Park, Region, Zone  # noqa: E402
from parkbrain.reporting.models import MonthlyReport  # noqa: E402
from parkbrain.trace.models import (  # noqa: E402
    CaptureJob,
    Event,
    EventAttribute,
    EventIdentifier,
    GenealogyEdge,
)

TARGET_SECONDS = 60.0
ROUNDS = 3


def wipe_trace() -> None:
    """Remove the EPCIS events table by table (one DELETE each, not a cascade per event)."""
    with transaction.atomic():
        for model in (GenealogyEdge, EventAttribute, EventIdentifier, Event, CaptureJob):
            model.objects.all().delete()


def wipe() -> None:
    """Remove a built zone, children first (parks and regions are protected)."""
    wipe_trace()
    with transaction.atomic():
        get_user_model().objects.all().delete()
        MonthlyReport.objects.all().delete()
        Enterprise.objects.all().delete()
        Park.objects.filter(located_in__isnull=False).delete()
        Park.objects.all().delete()
        Zone.objects.all().delete()
        Region.objects.all().delete()


def main() -> None:
    print(f"database: {connection.vendor}")
    builds, floors = [], []
    for _ in range(ROUNDS):
        wipe()
        started = time.perf_counter()
        result = build_demo(seed=2024, trace_days=365)
        builds.append(time.perf_counter() - started)
        rows = list(Enterprise.objects.values())
        wipe_trace()
        with transaction.atomic():
            MonthlyReport.objects.all().delete()
            Enterprise.tags.through.objects.all().delete()
            Enterprise.objects.all().delete()
        started = time.perf_counter()
        with transaction.atomic():
            Enterprise.objects.bulk_create([Enterprise(**row) for row in rows], batch_size=2000)
        floors.append(time.perf_counter() - started)
    build, floor = statistics.median(builds), statistics.median(floors)
    print(
        f"enterprises: {result.enterprise_count:,}; monthly reports: {result.report_count:,}; "
        f"EPCIS events: {result.event_count:,}"
    )
    print(f"demo build (median of {ROUNDS}): {build:.2f} s")
    print(f"floor, bulk insert of the same enterprise rows: {floor:.2f} s")
    print(f"ratio build / floor: {build / floor:.1f}x")
    verdict = "met" if build < TARGET_SECONDS else "MISSED"
    print(f"target: under {TARGET_SECONDS:.0f} s -> {verdict} ({build / TARGET_SECONDS:.0%} of it)")


if __name__ == "__main__":
    main()
