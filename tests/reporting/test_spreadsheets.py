import csv
import io

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from parkbrain.reporting import services
from parkbrain.reporting.models import ImportFile, MonthlyReport
from parkbrain.reporting.spreadsheets import (
    UploadRefused,
    read_upload,
    template_columns,
    template_workbook,
)

pytestmark = pytest.mark.django_db


def _workbook(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([c.header for c in template_columns()])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _firm_rows(firm, year, months, output=lambda m: m * 1_000_000):
    width = len(template_columns())
    rows = []
    for month in months:
        row = [firm.credit_code, firm.name, year, month] + [None] * (width - 4)
        row[4] = output(month)  # output_value comes first among the indicators
        rows.append(row)
    return rows


def test_template_has_chinese_headers_with_units_and_basis(demo):
    workbook = load_workbook(io.BytesIO(template_workbook([("91X", "某公司", 2026, 3)])))
    header = [c.value for c in workbook["月报"][1]]
    assert header[:4] == ["统一社会信用代码", "企业名称", "年份", "月份"]
    assert "工业总产值（当年价格）（元，1-本月累计）" in header
    assert "从业人员平均人数（人，本月）" in header
    assert not any("综合能源消费量" in h for h in header)  # computed, never filled in
    assert [c.value for c in workbook["月报"][2]][:4] == ["91X", "某公司", 2026, 3]
    assert workbook["填报说明"].max_row == len(header) - 4 + 1


def test_template_round_trips_through_the_reader(demo):
    rows = read_upload("t.xlsx", _workbook(_firm_rows(demo.firms["gear"], 2026, [1, 2]))).rows
    assert [(r.line, r.month, r.values["output_value"]) for r in rows] == [
        (2, 1, 1_000_000),
        (3, 2, 2_000_000),
    ]
    assert rows[0].labels["output_value"] == "工业总产值（当年价格）（元，1-本月累计）"


def test_formulas_are_refused_with_their_cells(demo):
    content = _workbook(_firm_rows(demo.firms["gear"], 2026, [1, 2]))
    workbook = load_workbook(io.BytesIO(content))
    workbook.active["E3"] = "=E2*2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        read_upload("t.xlsx", buffer.getvalue())
    assert "E3" in str(refused.value) and "formulas" in str(refused.value)


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("t.pdf", b"%PDF-1.7 not a sheet", "not a spreadsheet"),
        ("t.xlsx", b"PK\x03\x04garbage", "could not be read"),
        ("t.csv", b"", "empty"),
        ("t.xlsx", b"x" * (5 * 1024 * 1024 + 1), "limit is 5 MB"),
    ],
)
def test_files_that_cannot_be_trusted_are_refused(demo, name, content, words):
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        read_upload(name, content)
    assert words in str(refused.value)


def test_a_wrong_header_names_what_is_missing_and_unknown(demo):
    content = "统一社会信用代码,月份,产量\n91330483,1,5\n".encode()
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        read_upload("t.csv", content)
    assert "missing columns: 年份" in str(refused.value)
    assert "unknown columns: 产量" in str(refused.value)


def test_csv_in_gb18030_with_short_headers(demo):
    gear = demo.firms["gear"]
    header = "统一社会信用代码,年份,月份,工业总产值（当年价格）,用电量"
    text = f'{header}\n{gear.credit_code},2026,1,"1,200",300\n'
    rows = read_upload("t.csv", text.encode("gb18030")).rows
    assert rows[0].values == {"output_value": "1,200", "electricity": "300"}


def test_one_bad_row_among_hundreds_saves_nothing_and_lists_every_problem(demo):
    firms = [demo.firms[k] for k in ("gear", "ev", "cobalt", "glassfibre")]
    rows = []
    for firm in firms:
        for year in (2021, 2022, 2023, 2024, 2025):
            rows += _firm_rows(firm, year, range(1, 13))
    assert len(rows) == 240
    rows[100][4] = "一百万"  # Excel row 102
    rows[150][2] = 2031  # Excel row 152
    outcome = services.import_file("月报.xlsx", _workbook(rows), demo.user("analyst"))
    assert not outcome.record.saved
    assert [(p.row, p.value) for p in outcome.problems] == [(102, "一百万"), (152, "2031")]
    assert MonthlyReport.objects.count() == 0
    record = ImportFile.objects.get()
    assert (record.rows, record.problem_count, record.saved) == (240, 2, False)
    rows[100][4] = 5_000_000
    rows[150][2] = 2025
    rows[151][2] = 2025
    # Fixing the cells is not enough: row 152 now repeats a month of the same firm.
    outcome = services.import_file("月报.xlsx", _workbook(rows), demo.user("analyst"))
    assert not outcome.record.saved


def test_a_good_file_saves_and_a_second_upload_changes_nothing(demo):
    rows = _firm_rows(demo.firms["gear"], 2025, range(1, 13))
    content = _workbook(rows)
    first = services.import_file("a.xlsx", content, demo.user("gear"), submit=True)
    assert first.record.saved and first.result.reports_created == 12
    assert set(MonthlyReport.objects.values_list("status", flat=True)) == {"submitted"}
    second = services.import_file("a.xlsx", content, demo.user("gear"), submit=True)
    assert second.record.saved and second.result.unchanged
    assert ImportFile.objects.filter(enterprise=demo.firms["gear"]).count() == 2


def test_template_csv_opens_in_excel(demo):
    from parkbrain.reporting.spreadsheets import template_csv

    content = template_csv([("91X", "某公司", 2026, 3)])
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[1] == ["91X", "某公司", "2026", "3"]


def _template_csv_saved_by_excel_in(codec: str) -> bytes:
    """The template as Excel saves "CSV" on a system with this code page: characters the code
    page lacks become question marks."""
    from parkbrain.reporting.spreadsheets import template_csv

    return template_csv().decode("utf-8-sig").encode(codec, errors="replace")


@pytest.mark.parametrize("codec, name", [("cp950", "Big5"), ("cp932", "Shift-JIS")])
def test_a_csv_in_big5_or_shift_jis_is_refused_with_the_encoding_to_save_it_in(demo, codec, name):
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        read_upload("t.csv", _template_csv_saved_by_excel_in(codec))
    assert str(refused.value) == (
        f"The CSV file is in {name}, not UTF-8 or GB18030. Save it as "
        "“CSV UTF-8 (Comma delimited)” and upload it again."
    )


def test_a_big5_csv_with_traditional_headers_is_named_big5(demo):
    content = "統一社會信用代碼,年份,月份,用電量\n91330483,2026,1,300\n".encode("big5")
    with pytest.raises(UploadRefused) as refused:
        read_upload("t.csv", content)
    assert "Big5" in str(refused.value) and "CSV UTF-8" in str(refused.value)


def test_a_gb18030_csv_with_a_wrong_header_is_told_about_its_header(demo):
    content = "统一社会信用代码,月份,产量\n91330483,1,5\n".encode("gb18030")
    with translation.override("en"), pytest.raises(UploadRefused) as refused:
        read_upload("t.csv", content)
    assert "missing columns: 年份" in str(refused.value)
