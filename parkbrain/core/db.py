"""Database session settings some reads need."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections, transaction

_serial = ContextVar("serial_plans", default=False)


@contextmanager
def serial_plans(using: str = "default") -> Iterator[None]:
    """Plan the enclosed queries without parallel workers (PostgreSQL; elsewhere a no-op).

    For many short index lookups in a row, as a genealogy walk makes: PostgreSQL planned one
    level parallel on an over-estimate of its rows, and starting the worker took 5 ms of a
    7 ms query. SET LOCAL ends with the transaction opened here (or the caller's); nested
    uses add nothing.
    """
    connection = connections[using]
    if connection.vendor != "postgresql" or _serial.get():
        yield
        return
    token = _serial.set(True)
    try:
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            yield
    finally:
        _serial.reset(token)
