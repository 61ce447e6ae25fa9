"""Database session settings, a lookup some reads need, and faster timestamps on PostgreSQL."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, tzinfo
from functools import cache

from django.conf import settings
from django.db import connections, transaction
from django.db.models import CharField, Lookup

_active = ContextVar("lookup_plans", default=False)


@contextmanager
def lookup_plans(using: str = "default") -> Iterator[None]:
    """Plan the enclosed queries as the short index lookups they are (PostgreSQL; elsewhere a
    no-op): no parallel workers, no JIT compilation, no merge joins.

    A genealogy walk or recall scope runs a few such queries in a row. PostgreSQL planned one
    parallel on an over-estimate of its rows, and starting the worker took 5 ms of a 7 ms
    query; JIT compiling costs tens of milliseconds once an estimate passes jit_above_cost,
    which the crude row estimates of a recursive query can do on a large database. To cost a
    merge join the planner reads the ends of the joined keys' indexes, stepping over every
    dead entry there: after rolled-back captures (new events' keys are the highest), planning
    a walk's node events read 1,500 index pages and took 3.3 ms of a 13 ms trace (10 M
    events). Lookups this short never merge-join. The settings are local to the transaction
    opened here (or the caller's); nested uses add nothing.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or _active.get():
        yield
        return
    token = _active.set(True)
    try:
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('max_parallel_workers_per_gather', '0', true), "
                    "set_config('jit', 'off', true), set_config('enable_mergejoin', 'off', true)"
                )
            yield
    finally:
        _active.reset(token)


@CharField.register_lookup
class AnyOf(Lookup):
    """``field__any_of=[...]``: the field equals one of the values, sent as one parameter (a
    PostgreSQL array; JSON text that SQLite reads with json_each) rather than one per value.

    A trace looks up a few hundred identifiers at a time; as IN (%s, %s, ...) the statement
    took longer to build, send and plan than to run.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = [str(value) for value in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*lhs_params, json.dumps(values)]


def use_iso_timestamp_loader(sender, connection, **kwargs) -> None:
    """On each new PostgreSQL connection, read timestamptz values with ``fromisoformat``.

    Django loads them with a subclass of psycopg's pure-Python loader (to attach its time
    zone), so psycopg's C loader is never used: a genealogy walk that reads a thousand
    timestamps spent 2-3 ms of 16 parsing them (bench/trace.py). A value fromisoformat cannot
    read (infinity, BC dates) goes Django's way and fails or loads as it would there.
    """
    if connection.vendor == "postgresql" and settings.USE_TZ:
        loader = _iso_timestamp_loader(connection.timezone)
        connection.connection.adapters.register_loader("timestamptz", loader)


@cache
def _iso_timestamp_loader(zone: tzinfo) -> type:
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader

    class IsoTimestampLoader(BaseTzLoader):
        # Django compares this to its own zone before each cursor and keeps the loader.
        timezone = zone

        def load(self, data):
            try:
                return datetime.fromisoformat(bytes(data).decode()).astimezone(zone)
            except ValueError:
                return super().load(data)

    return IsoTimestampLoader
