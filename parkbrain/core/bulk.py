"""Writing many rows at once where Django's bulk_create costs more than the database.

bulk_create builds a model instance per row and compiles one statement per batch; for the
tens of thousands of figures in one spreadsheet that is several times the cost of the insert
itself (bench/report_import.py). This writes plain tuples with one prepared statement.
"""

import gc
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from django.db import connections, models, router

BATCH = 5000


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    prepare: Sequence[str] = (),
    ignore_conflicts: bool = False,
    upsert: tuple[Sequence[str], Sequence[str]] | None = None,
) -> int:
    """INSERT rows of values for `fields` (field names; a foreign key takes the related id).

    Values go to the driver as they are: ints, strings, Decimals (both backends take them)
    and None. Fields named in `prepare` (JSON, datetimes) pass through the field's own
    conversion for this database first. With `ignore_conflicts` a row that would break a
    unique constraint is skipped (ON CONFLICT DO NOTHING, on both backends); with `upsert`
    = (the unique fields, the fields to update) such a row updates the one there instead
    (ON CONFLICT … DO UPDATE, on both backends). Returns the number of rows sent.
    """
    alias = router.db_for_write(model)
    connection = connections[alias]
    converters = [
        (index, model._meta.get_field(name)) for index, name in enumerate(fields) if name in prepare
    ]
    if converters:
        last: dict[int, tuple] = {}
        rows = (_prepared(row, converters, connection, last) for row in rows)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    elif upsert is not None:
        unique, updated = upsert
        target = ", ".join(quote(model._meta.get_field(name).column) for name in unique)
        assignments = ", ".join(
            f"{quote(column)} = excluded.{quote(column)}"
            for column in (model._meta.get_field(name).column for name in updated)
        )
        sql += f" ON CONFLICT ({target}) DO UPDATE SET {assignments}"
    written = 0
    batch: list[Sequence] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def _prepared(row: Sequence, converters: list, connection, last: dict) -> list:
    values = list(row)
    for index, field in converters:
        raw = values[index]
        # The same object in the same column (one timestamp for a whole batch) is prepared once.
        seen = last.get(index)
        if seen is not None and seen[0] is raw:
            values[index] = seen[1]
        else:
            values[index] = field.get_db_prep_save(raw, connection)
            last[index] = (raw, values[index])
    return values


def json_text(value: Any) -> str | None:
    """A JSON column's value as insert_rows passes it: text serialised by orjson, several times
    faster than the json.dumps Django's JSONField uses (the text differs only in spacing). Both
    backends take text for a JSON column (psycopg sends a str as an untyped literal, which
    PostgreSQL casts to jsonb). None stays SQL NULL."""
    if value is None:
        return None
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # an integer beyond 64 bits, which JSON allows
        return json.dumps(value)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bounded batch (one upload).

    Such a batch keeps tens of thousands of small objects alive at once (cells, rows,
    decimals); the collector would rescan them again and again, a fifth of an import's time
    (bench/report_import.py). Reference counting still frees them; cycles wait until after.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def analyse(*written: type[models.Model]) -> None:
    """Refresh the planner's statistics of these tables after a bulk write. Without them
    PostgreSQL plans queries over freshly filled tables as if they were empty (minutes instead
    of milliseconds) until autovacuum gets to them."""
    for model in written:
        connection = connections[router.db_for_write(model)]
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
