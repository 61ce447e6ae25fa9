"""Writing many rows at once where Django's bulk_create costs more than the database.

bulk_create builds a model instance per row and compiles one statement per batch; for the
tens of thousands of figures in one spreadsheet that is several times the cost of the insert
itself (bench/report_import.py). This writes plain tuples with one prepared statement.
"""

from collections.abc import Iterable, Sequence

from django.db import connections, models, router

BATCH = 5000


def insert_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence],
    prepare: Sequence[str] = (),
) -> int:
    """INSERT rows of values for `fields` (field names; a foreign key takes the related id).

    Values go to the driver as they are: ints, strings, Decimals (both backends take them)
    and None. Fields named in `prepare` (JSON, datetimes) pass through the field's own
    conversion for this database first. Returns the number of rows written.
    """
    alias = router.db_for_write(model)
    connection = connections[alias]
    converters = [
        (index, model._meta.get_field(name)) for index, name in enumerate(fields) if name in prepare
    ]
    if converters:
        rows = (_prepared(row, converters, connection) for row in rows)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(name).column) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
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


def _prepared(row: Sequence, converters: list, connection) -> list:
    values = list(row)
    for index, field in converters:
        values[index] = field.get_db_prep_save(values[index], connection)
    return values
