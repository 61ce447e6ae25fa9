"""Database session settings and a lookup some reads need."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, transaction
from django.db.models import CharField, Lookup

_active = ContextVar("lookup_plans", default=False)


@contextmanager
def lookup_plans(using: str = "default") -> Iterator[None]:
    """Plan the enclosed queries as the short index lookups they are (PostgreSQL; elsewhere a
    no-op): no parallel workers and no JIT compilation.

    A genealogy walk or recall scope runs a few such queries in a row. PostgreSQL planned one
    parallel on an over-estimate of its rows, and starting the worker took 5 ms of a 7 ms
    query; JIT compiling costs tens of milliseconds once an estimate passes jit_above_cost,
    which the crude row estimates of a recursive query can do on a large database. The
    settings are local to the transaction opened here (or the caller's); nested uses add
    nothing.
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
                    "set_config('jit', 'off', true)"
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
