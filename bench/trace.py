"""The gear plant's genealogy at scale (default 10 million events): capture throughput against
the floor, trace latency and recall scope latency.

(a) Capture: 500-event documents through ``capture_document`` (validation, Event Hash IDs,
    identifiers, genealogy edges, attributes), against the floor for the same documents: parsing
    the JSON with orjson plus one bare bulk insert of the rows capture wrote, again, once
    capture is rolled back. Target: capture at ≥ 40% of the floor's speed.
(b) Backward traces from random gear lots and forward traces from random steel heats, depth 6,
    over the whole dataset, as the gear maker sees it. Target: p95 ≤ 20 ms at 10 M events.
(c) The recall scope of the seeded incident (a furnace running cold for three days).
    Target: ≤ 200 ms.

The dataset is loaded through capture too (checking and hashing the next documents in a second
process, as the demo does), so every row is what capture writes; the load is timed. Capture is
timed after it, against the full database, on documents of a second plant.

Uses PARKBRAIN_DATABASE_URL when set, else a temporary SQLite file:
    .venv/bin/python bench/trace.py --events 1000000
A database that already holds the gear plant (``--keep`` names a SQLite file to keep, or a
PARKBRAIN_DATABASE_URL loaded before) is measured again without loading, so code changes can
be timed at 10 M events without the hour the load takes:
    .venv/bin/python bench/trace.py --keep /var/tmp/trace-10m.sqlite3
Loading 10 M events through capture into PostgreSQL takes hours on two cores; --from-sqlite
fills an empty PostgreSQL database instead by copying every row of a SQLite database this
bench loaded (so still the rows capture wrote), then measures as usual:
    PARKBRAIN_DATABASE_URL=postgres://… .venv/bin/python bench/trace.py \
        --from-sqlite /var/tmp/trace-10m.sqlite3
--warm reads the pages a walk reads before the traces are timed (see ``warm_walk_pages``).
"""

import argparse
import itertools
import os
import random
import sqlite3
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date

from common import django_with_scratch_database

if "--keep" in sys.argv[:-1]:
    os.environ["PARKBRAIN_DATABASE_URL"] = f"sqlite:///{sys.argv[sys.argv.index('--keep') + 1]}"
django_with_scratch_database()

import orjson  # noqa: E402
from django.apps import apps  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from parkbrain.core.bulk import analyse, collector_paused, insert_rows, json_text  # noqa: E402
from parkbrain.demo.builders import EXEMPLARS, build_demo  # noqa: E402
from parkbrain.demo.trace import checked_documents  # noqa: E402
from parkbrain.registry import services as registry_services  # noqa: E402
from parkbrain.registry.models import Enterprise  # noqa: E402
from parkbrain.trace import genealogy, recall, services  # noqa: E402
from parkbrain.trace.gearplant import EV, GEAR, GEAR_LOT, STEEL, GearPlant, lines_for  # noqa: E402
from parkbrain.trace.models import (  # noqa: E402
    EVENT_TABLES,
    CaptureJob,
    Event,
    EventAttribute,
    EventBody,
    EventIdentifier,
    GenealogyEdge,
)

AS_OF = date(2026, 11, 26)
DOCUMENT_EVENTS = 500
CAPTURE_SAMPLE = 40  # documents timed against the floor
TRACES = 100
DEPTH = 6
SAMPLE = 2000  # reservoir of start identifiers
CAPTURE_TARGET = 0.40
TRACE_P95_TARGET_MS = 20
RECALL_TARGET_MS = 200


@dataclass
class FloorRows:
    """The rows one capture wrote, as plain tuples for the floor to insert again."""

    events: list[tuple]
    event_ids: list[int]
    bodies: list[tuple]
    identifiers: list[tuple]
    edges: list[tuple]
    attributes: list[tuple]


def floor_rows(job: CaptureJob) -> FloorRows:
    """What `job` wrote to each table, read before the capture is rolled back."""
    columns = services.EVENT_FIELDS
    stored = list(Event.objects.filter(capture_job=job).order_by("id").values("id", *columns))
    return FloorRows(
        events=[tuple(json_text(e[c]) if c in _JSON else e[c] for c in columns) for e in stored],
        event_ids=[e["id"] for e in stored],
        bodies=[
            (pk, json_text(event), json_text(context))
            for pk, event, context in EventBody.objects.filter(event__capture_job=job)
            .order_by("event_id")
            .values_list(*services.BODY_FIELDS)
        ],
        identifiers=_written(EventIdentifier, services.IDENTIFIER_FIELDS, job),
        edges=_written(GenealogyEdge, services.EDGE_FIELDS, job),
        attributes=_written(EventAttribute, services.ATTRIBUTE_FIELDS, job),
    )


def _written(model, fields: tuple[str, ...], job: CaptureJob) -> list[tuple]:
    """The rows of `model` (one with an ``event`` key) that `job` wrote, in insert order."""
    return list(model.objects.filter(event__capture_job=job).order_by("id").values_list(*fields))


def floor_seconds(body: bytes, rows: FloorRows) -> float:
    """Parse `body` with orjson and insert `rows` again (events, their JSON, identifiers,
    edges, query attributes) as fast as the database takes them: plain tuples, one statement
    per table, for the same enterprise and capture job, rolled back afterwards. The capture
    that wrote them has been rolled back, so they land where capture's rows landed."""
    last = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with transaction.atomic():
        started = time.perf_counter()
        orjson.loads(body)
        insert_rows(Event, services.EVENT_FIELDS, rows.events, prepare=_TIMES)
        new_ids = dict(
            zip(
                rows.event_ids,
                Event.objects.filter(id__gt=last).order_by("id").values_list("id", flat=True),
                strict=True,
            )
        )
        insert_rows(
            EventBody, services.BODY_FIELDS, ((new_ids[row[0]], *row[1:]) for row in rows.bodies)
        )
        insert_rows(
            EventIdentifier,
            services.IDENTIFIER_FIELDS,
            ((new_ids[row[0]], *row[1:]) for row in rows.identifiers),
        )
        insert_rows(
            GenealogyEdge,
            services.EDGE_FIELDS,
            ((new_ids[row[0]], *row[1:]) for row in rows.edges),
            prepare=("event_time",),
        )
        insert_rows(
            EventAttribute,
            services.ATTRIBUTE_FIELDS,
            ((new_ids[row[0]], *row[1:]) for row in rows.attributes),
            prepare=("moment",),
        )
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


_JSON = ("error_declaration",)
_TIMES = ("event_time", "record_time")


def _percentiles(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p50 = statistics.median(ordered) * 1000
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] * 1000
    return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"


def _p95(seconds: list[float]) -> float:
    ordered = sorted(seconds)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def load(plant: GearPlant, principals: dict) -> dict[str, list[str]]:
    """Capture the whole dataset, checking and hashing in a second process as the demo does;
    returns reservoirs of gear lots and steel heats to start traces from."""
    rng = random.Random(6)
    reservoirs: dict[str, list[str]] = {GEAR_LOT: [], STEEL: []}
    seen = {GEAR_LOT: 0, STEEL: 0}
    events = 0
    started = time.perf_counter()
    for number, (owner, prepared) in enumerate(checked_documents(plant, DOCUMENT_EVENTS)):
        for item in prepared.incoming:
            for role, uri, _quantity, _uom in item.rows.identifiers:
                prefix = uri.rsplit(".", 1)[0] + "."
                if prefix not in reservoirs or role not in ("output_quantity", "quantity"):
                    continue
                seen[prefix] += 1
                if len(reservoirs[prefix]) < SAMPLE:
                    reservoirs[prefix].append(uri)
                elif (slot := rng.randrange(seen[prefix])) < SAMPLE:
                    reservoirs[prefix][slot] = uri
        with collector_paused():
            job = services.capture_checked(prepared, principals[owner])
        if job.events_saved != job.event_count:
            raise SystemExit(f"document {number} was not stored whole: {job.errors[:3]}")
        events += job.events_saved
        if number % 1000 == 0:
            rate = events / (time.perf_counter() - started)
            print(f"  {events:,} events loaded ({rate:,.0f} events/s)", flush=True)
    seconds = time.perf_counter() - started
    print(f"loaded {events:,} events in {seconds:.0f} s ({events / seconds:,.0f} events/s)")
    return reservoirs


def copy_from_sqlite(path: str, events: int | None) -> None:
    """Copy every row of the SQLite database at `path` into this empty, migrated PostgreSQL
    database (COPY, one transaction), then move its sequences past the copied ids. With
    `events`, only the first that many events (in capture order) and their rows are copied:
    the first months of the plant's year."""
    if connection.vendor != "postgresql":
        raise SystemExit("--from-sqlite fills a PostgreSQL database")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    last = None
    if events:
        found = source.execute(
            f"SELECT id FROM {Event._meta.db_table} ORDER BY id LIMIT 1 OFFSET ?", (events - 1,)
        ).fetchone()
        last = found[0] if found else None
    per_event = {m._meta.db_table for m in EVENT_TABLES if m is not Event}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        # SQLite holds datetimes as UTC text without an offset.
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        # A bulk load: the rows come from a consistent database, so foreign keys are not
        # checked row by row, and the plain indexes are built once at the end.
        cursor.execute("SET LOCAL session_replication_role = replica")
        tables = [t for t in connection.introspection.table_names() if t != "django_migrations"]
        cursor.execute(f"TRUNCATE {', '.join(map(connection.ops.quote_name, tables))} CASCADE")
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
            "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conname = i.indexname)",
            [sorted(per_event | {Event._meta.db_table})],
        )
        deferred = cursor.fetchall()
        for name, _definition in deferred:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        for table in tables:
            present = {row[1] for row in source.execute(f'PRAGMA table_info("{table}")')}
            description = connection.introspection.get_table_description(cursor, table)
            quote = connection.ops.quote_name
            columns = ", ".join(quote(c.name) for c in description if c.name in present)
            where = ""
            if last is not None and table == Event._meta.db_table:
                where = f" WHERE id <= {int(last)}"
            elif last is not None and table in per_event:
                where = f" WHERE event_id <= {int(last)}"
            rows = 0
            with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
                for row in source.execute(f'SELECT {columns} FROM "{table}"{where}'):
                    copy.write_row(row)
                    rows += 1
            if rows > 100_000:
                print(f"  {table}: {rows:,} rows copied", flush=True)
        for _name, definition in deferred:
            cursor.execute(definition)
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)
    print(f"copied {path} in {time.perf_counter() - started:.0f} s")


def stored_reservoirs(gear: Enterprise) -> dict[str, list[str]]:
    """Start identifiers drawn from a database loaded before: the ends of edges picked at
    random by id (a prefix search would scan tens of millions of identifiers)."""
    rng = random.Random(6)
    last = GenealogyEdge.objects.order_by("-id").values_list("id", flat=True).first() or 1
    reservoirs: dict[str, list[str]] = {GEAR_LOT: [], STEEL: []}
    for _round in range(50):
        if min(map(len, reservoirs.values())) >= SAMPLE:
            break
        ids = [rng.randint(1, last) for _ in range(10_000)]  # under SQLite's variable limit
        picked = GenealogyEdge.objects.filter(id__in=ids, enterprise=gear)
        for start, end in picked.values_list("from_uri", "to_uri"):
            for uri in (start, end):
                prefix = uri.rsplit(".", 1)[0] + "."
                if prefix in reservoirs and len(reservoirs[prefix]) < SAMPLE:
                    reservoirs[prefix].append(uri)
        reservoirs = {prefix: list(dict.fromkeys(uris)) for prefix, uris in reservoirs.items()}
    return reservoirs


def measure_capture(lines: int, principal) -> None:
    """Capture documents of another plant (new events) into the loaded database, each timed
    against the floor for the same document: the rows capture wrote, inserted again after
    capture is rolled back. Neither is committed: the database stays as loaded, to be
    measured again.

    Each document goes twice. The first pass is the plain comparison; but the floor runs
    after capture and inserts the same keys into the index pages capture has just brought
    in, so when the database outgrows memory it favours the floor. The second pass repeats
    both with those pages in memory for each."""
    other = GearPlant(seed=99, start=date(2025, 11, 1), days=365, lines=lines)
    documents = (d for owner, d in other.documents(DOCUMENT_EVENTS) if owner == GEAR)
    passes: dict[str, tuple[list[float], list[float]]] = {"first": ([], []), "again": ([], [])}
    for document in itertools.islice(documents, CAPTURE_SAMPLE):
        body = orjson.dumps(document)
        for captured, floors in passes.values():
            with transaction.atomic():
                begun = time.perf_counter()
                with collector_paused():
                    job = services.capture_document(orjson.loads(body), principal)
                captured.append(time.perf_counter() - begun)
                rows = floor_rows(job)
                transaction.set_rollback(True)
            floors.append(floor_seconds(body, rows))
    for name, (captured, floors) in passes.items():
        capture, floor = sum(captured), sum(floors)
        ratio = floor / capture
        verdict = "met" if ratio >= CAPTURE_TARGET else "MISSED"
        print(
            f"capture of {len(captured)} documents × {DOCUMENT_EVENTS} events, {name}: "
            f"{capture:.2f} s ({len(captured) * DOCUMENT_EVENTS / capture:,.0f} events/s); floor "
            f"(orjson parse + bulk insert of the same rows): {floor:.2f} s; capture runs at "
            f"{ratio:.0%} of the floor (target ≥ {CAPTURE_TARGET:.0%}: {verdict})",
            flush=True,
        )


def measure_traces(gear: Enterprise, reservoirs: dict[str, list[str]]) -> None:
    """Whole traces (the edges, then the events naming each node, as the API answers), timed
    on a first visit to each start (its pages may have to come from disk) and again; then the
    walk over edges alone, which is what the trace's own indexes decide."""
    edges = GenealogyEdge.objects.filter(enterprise=gear)
    rng = random.Random(7)
    for label, prefix, direction in (
        ("backward from gear lots", GEAR_LOT, genealogy.BACKWARD),
        ("forward from steel heats", STEEL, genealogy.FORWARD),
    ):
        starts = rng.sample(reservoirs[prefix], min(TRACES, len(reservoirs[prefix])))
        genealogy.walk(starts[0], direction, edges, None, depth=DEPTH)  # connection, statements
        for part, events in (
            ("whole trace, first visit", Event.objects.filter(enterprise=gear)),
            ("whole trace, again", Event.objects.filter(enterprise=gear)),
            ("edges only", None),
        ):
            seconds, sizes = [], []
            for start in starts:
                begun = time.perf_counter()
                trace = genealogy.walk(start, direction, edges, events, depth=DEPTH)
                seconds.append(time.perf_counter() - begun)
                sizes.append(len(trace.edges))
            verdict = "met" if _p95(seconds) * 1000 <= TRACE_P95_TARGET_MS else "MISSED"
            print(
                f"trace {label}, depth {DEPTH}, {len(starts)} starts, {part}: "
                f"{_percentiles(seconds)} (median {statistics.median(sizes):.0f} edges; "
                f"target p95 ≤ {TRACE_P95_TARGET_MS} ms: {verdict})",
                flush=True,
            )


def warm_walk_pages() -> None:
    """Read every page of what a walk reads (events, edges and their indexes, the identifier
    index) once, so first visits find them in memory, as on a server that has been answering
    for a while; prints their size. SQLite reads them through dbstat, PostgreSQL with
    pg_prewarm into the system's cache. SQLite keeps every table in one file, where capture
    interleaves their pages; until VACUUM rewrites the file, these reads also bring in
    neighbours that crowd the cache."""
    names = [
        Event._meta.db_table,
        GenealogyEdge._meta.db_table,
        "trace_edge_from",
        "trace_edge_to",
        "trace_ident_uri_role_event",
    ]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names += [f"{Event._meta.db_table}_pkey", f"{GenealogyEdge._meta.db_table}_pkey"]
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            cursor.execute(
                "SELECT sum(pg_prewarm(name::regclass, 'read')), "
                "sum(pg_relation_size(name::regclass)) FROM unnest(%s::text[]) name",
                [names],
            )
            _blocks, size = cursor.fetchone()
        else:
            cursor.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name IN (SELECT value FROM json_each(%s))",
                [json_text(names)],
            )
            (size,) = cursor.fetchone()
    print(
        f"read what a walk reads ({int(size) / 1e9:.1f} GB) in "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )


def measure_recall(plant: GearPlant, gear: Enterprise) -> None:
    incident = plant.incident
    criteria = recall.Criteria(
        recall.START_MACHINE,
        read_point=incident.furnace,
        since=incident.window_start,
        until=incident.window_end,
    )
    edges = GenealogyEdge.objects.filter(enterprise=gear)
    events = Event.objects.filter(enterprise=gear)
    recall.scope(criteria, edges, events)
    seconds = []
    for _ in range(7):
        begun = time.perf_counter()
        found = recall.scope(criteria, edges, events)
        seconds.append(time.perf_counter() - begun)
    median = statistics.median(seconds) * 1000
    items = {item.uri for item in found.items}
    expected = set(incident.lots)
    print(
        f"recall scope of the seeded incident ({len(expected)} lots carburised cold): "
        f"median {median:.0f} ms of 7, {len(found.items)} items, "
        f"{'all' if expected <= items else 'NOT all'} seeded lots found "
        f"(target ≤ {RECALL_TARGET_MS} ms: {'met' if median <= RECALL_TARGET_MS else 'MISSED'})"
    )


def refresh_statistics() -> None:
    """After a bulk load: the planner's statistics of the tables capture writes."""
    started = time.perf_counter()
    analyse(*EVENT_TABLES)
    print(f"statistics refreshed in {time.perf_counter() - started:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000, help="about this many events")
    parser.add_argument("--keep", metavar="FILE", help="SQLite file to load into, or measure again")
    parser.add_argument("--from-sqlite", metavar="FILE", help="PostgreSQL: copy a loaded SQLite")
    parser.add_argument(
        "--copy-events", type=int, metavar="N", help="with --from-sqlite: the first N events only"
    )
    parser.add_argument(
        "--only",
        choices=("traces", "recall", "capture"),
        action="append",
        help="measure only this (repeatable); default all",
    )
    parser.add_argument(
        "--warm",
        action="store_true",
        help="read what a walk reads into memory first, as a server that has been answering",
    )
    options = parser.parse_args()
    lines = lines_for(options.events)
    plant = GearPlant(seed=2024, start=date(2025, 11, 1), days=365, lines=lines)
    print(
        f"database: {connection.vendor}; gear plant: {lines} lines × 365 days "
        f"(about {options.events:,} events)"
    )
    if options.from_sqlite and not Event.objects.exists():
        copy_from_sqlite(options.from_sqlite, options.copy_events)
        refresh_statistics()
    parts = options.only or ("traces", "recall", "capture")
    loaded = Enterprise.objects.exists()
    if not loaded:
        build_demo(seed=7, scale=0.03, as_of=AS_OF, reports=False)
    firms = {spec["key"]: Enterprise.objects.get(name=spec["name"]) for spec in EXEMPLARS}
    gear, ev = firms["gear"], firms["ev"]
    principals = {
        owner: registry_services.issue_api_token(firm, "bench")[0]
        for owner, firm in ((GEAR, gear), (EV, ev))
    }
    if loaded:
        events = Event.objects.count()
        print(f"measuring again: {events:,} events already loaded")
        reservoirs = stored_reservoirs(gear) if "traces" in parts else {}
        if "recall" in parts:
            for _event in plant.events():  # fills in the seeded incident's lots
                pass
    else:
        reservoirs = load(plant, principals)
        refresh_statistics()
    if options.warm:
        warm_walk_pages()
    if "traces" in parts:
        measure_traces(gear, reservoirs)
    if "recall" in parts:
        measure_recall(plant, gear)
    if "capture" in parts:
        measure_capture(lines, principals[GEAR])


if __name__ == "__main__":
    main()
