"""SQLite planner statistics as a large database would have them, for EXPLAIN tests on the
small databases tests build."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def statistics_as_if(
    table: str, rows: int, per_value: dict[str, int], indexes: dict[str, str] | None = None
) -> Iterator[None]:
    """ANALYZE, then tell the planner `table` holds `rows` rows, `per_value[column]` of them
    per value of each index's leading column named there, and the given indexes' statistics
    as written (a partial index counts only its rows); taken back afterwards."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        for index, stat in cursor.fetchall():
            counts = [str(rows), *stat.split()[1:]]
            cursor.execute(f"PRAGMA index_info({connection.ops.quote_name(index)})")
            leading = cursor.fetchone()[2]
            if leading in per_value and len(counts) > 1:
                counts[1] = str(per_value[leading])
            written = (indexes or {}).get(index, " ".join(counts))
            cursor.execute(
                "UPDATE sqlite_stat1 SET stat = %s WHERE tbl = %s AND idx = %s",
                [written, table, index],
            )
        cursor.execute("ANALYZE sqlite_schema")  # reread the statistics
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1")
            cursor.execute("ANALYZE sqlite_schema")
