"""Importing an Excel file of every above-size firm × 12 months, against reading the same file
with openpyxl alone (the floor). Target: the import within 3× the floor."""

import io
import random
import statistics
import time
from datetime import date

from common import django_with_scratch_database

django_with_scratch_database()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402

from parkbrain.demo.builders import build_demo  # noqa: E402
from parkbrain.registry.models import Enterprise  # noqa: E402
from parkbrain.reporting import services  # noqa: E402
from parkbrain.reporting.models import MonthlyReport  # noqa: E402
from parkbrain.reporting.spreadsheets import template_columns  # noqa: E402

ROUNDS = 5
YEAR = 2025


def workbook_bytes(firms: list[Enterprise]) -> bytes:
    rng = random.Random(1)
    columns = template_columns()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([c.header for c in columns])
    for firm in firms:
        running = [0] * (len(columns) - 4)
        for month in range(1, 13):
            row = [firm.credit_code, firm.name, YEAR, month]
            for index, column in enumerate(columns[4:]):
                step = rng.randint(1_000, 9_000_000)
                if column.key == "employees":
                    row.append(rng.randint(50, 900))
                    continue
                running[index] += step
                row.append(running[index])
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def read_floor(content: bytes) -> int:
    """What any import must do at least: open the file and visit every cell."""
    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    cells = 0
    for row in workbook.worksheets[0].iter_rows():
        for cell in row:
            cells += cell.value is not None and cell.data_type != "f"
    workbook.close()
    return cells


def main() -> None:
    build_demo(seed=2024, as_of=date(2026, 11, 26), reports=False)
    firms = list(Enterprise.objects.above_scale_in(YEAR).order_by("id"))
    analyst = get_user_model().objects.get(username="analyst")
    content = workbook_bytes(firms)
    print(
        f"database: {connection.vendor}; file: {len(firms)} firms × 12 months, "
        f"{len(content) / 1e6:.1f} MB"
    )
    floors, imports = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        read_floor(content)
        floors.append(time.perf_counter() - started)
        with transaction.atomic():
            MonthlyReport.objects.filter(year=YEAR).delete()
        started = time.perf_counter()
        outcome = services.import_file("bench.xlsx", content, analyst)
        imports.append(time.perf_counter() - started)
        assert outcome.record.saved, outcome.problems[:3] or outcome.refusal
    rounds = " ".join(f"{i / f:.2f}" for i, f in zip(imports, floors, strict=True))
    print(f"each round, import / floor: {rounds}")
    floor, full = statistics.median(floors), statistics.median(imports)
    print(
        f"reports written: {outcome.result.reports_created:,}, "
        f"values: {outcome.result.values_changed:,}"
    )
    print(f"floor, openpyxl read of every cell (median of {ROUNDS}): {floor:.2f} s")
    print(f"import: read, validate, write, history, warnings (median): {full:.2f} s")
    verdict = "met" if full <= 3 * floor else "MISSED"
    print(f"ratio import / floor: {full / floor:.2f}x  (target ≤ 3x: {verdict})")


if __name__ == "__main__":
    main()
