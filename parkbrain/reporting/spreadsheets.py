"""Report files: the template enterprises fill in, and reading an upload (xlsx or csv) into
rows for the one validation path. Files are refused whole when they cannot be trusted."""

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .choices import Basis
from .models import Indicator
from .validation import IncomingRow

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A workbook is a zip: a small file may unpack to gigabytes, and a sheet may claim a million
# empty rows. These bound what one upload may make the server hold.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 64
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIXED_COLUMNS = [
    ("credit_code", "统一社会信用代码"),
    ("name", "企业名称"),
    ("year", "年份"),
    ("month", "月份"),
]
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadRefused(Exception):
    """The file as a whole is refused: too large, not a spreadsheet, formulas, no header."""


@dataclass(frozen=True)
class Column:
    key: str  # "credit_code", "name", "year", "month" or an indicator code
    header: str


def text_cell(value: object) -> object:
    """A value safe to put in a file others open in Excel: text that Excel would read as a
    formula (a company named "=HYPERLINK(…)") gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def append_text_row(sheet, values: Iterable[object]) -> None:
    """Append a row whose text cells stay text, never formulas."""
    empty = sheet.max_row == 1 and sheet.max_column == 1 and sheet.cell(1, 1).value is None
    row = 1 if empty else sheet.max_row + 1
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row=row, column=column)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"


def header_for(indicator: Indicator) -> str:
    basis = "1-本月累计" if indicator.basis == Basis.CUMULATIVE else "本月"
    return f"{indicator.name}（{indicator.unit}，{basis}）"


def template_columns() -> list[Column]:
    reportable = Indicator.objects.filter(derived=False)
    return [Column(k, h) for k, h in FIXED_COLUMNS] + [
        Column(i.code, header_for(i)) for i in reportable
    ]


def _header_index() -> dict[str, str]:
    """Every header text a column may carry → its key: the template's header, the Chinese
    name alone, or the code."""
    index = {header: key for key, header in FIXED_COLUMNS}
    index.update({key: key for key, _h in FIXED_COLUMNS})
    for indicator in Indicator.objects.all():
        for text in (header_for(indicator), indicator.name, indicator.code):
            index[text] = indicator.code
    return index


def template_workbook(prefill: Iterable[tuple[str, str, int, int]] = ()) -> bytes:
    """The upload template: one row per enterprise and month, a sheet explaining each column."""
    columns = template_columns()
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "月报"
    append_text_row(sheet, [c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1456D8")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for credit_code, name, year, month in prefill:
        append_text_row(sheet, [credit_code, name, year, month])
    for index in range(1, len(columns) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 24 if index <= 2 else 18
    sheet.row_dimensions[1].height = 42
    sheet.freeze_panes = "E2"
    notes = workbook.create_sheet("填报说明")
    append_text_row(notes, ["列", "代码", "单位", "口径", "说明"])
    for indicator in Indicator.objects.filter(derived=False):
        append_text_row(
            notes,
            [
                header_for(indicator),
                indicator.code,
                indicator.unit,
                "1-本月累计" if indicator.basis == Basis.CUMULATIVE else "本月",
                indicator.description or "数值，不要填公式；没有的项目留空",
            ],
        )
    notes.column_dimensions["A"].width = 40
    notes.column_dimensions["E"].width = 50
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_csv(prefill: Iterable[tuple[str, str, int, int]] = ()) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.header for c in template_columns()])
    for row in prefill:
        writer.writerow([text_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")  # Excel opens UTF-8 CSV only with the BOM


def size_refusal(size: int) -> str:
    return _("The file is %(size).1f MB; the limit is %(limit)d MB.") % {
        "size": size / 1e6,
        "limit": MAX_UPLOAD_BYTES // 1_000_000,
    }


@dataclass
class Upload:
    rows: list[IncomingRow]
    skipped: int  # rows with no figures at all, such as unfilled template rows
    letters: dict[str, str] = field(default_factory=dict)  # column header → column letter

    def locate(self, problems: list) -> None:
        """Name the cell of each problem (column letter and row), as the spreadsheet shows it."""
        for problem in problems:
            letter = self.letters.get(problem.column)
            if letter and problem.row:
                problem.cell = f"{letter}{problem.row}"


def read_upload(name: str, content: bytes) -> Upload:
    """Rows of an uploaded xlsx or csv file; UploadRefused when the file itself is unusable."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise UploadRefused(size_refusal(len(content)))
    if not content:
        raise UploadRefused(_("The file is empty."))
    if content[:4] == b"PK\x03\x04":
        table = _xlsx_rows(content)
    elif name.lower().endswith(".csv"):
        table = _csv_rows(content)
    else:
        raise UploadRefused(
            _("This is not a spreadsheet: upload the .xlsx template or a .csv file.")
        )
    return _to_rows(table)


def _unreadable() -> UploadRefused:
    return UploadRefused(_("The file could not be read as an .xlsx workbook."))


def _xlsx_rows(content: bytes) -> list[tuple[int, list]]:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise _unreadable() from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise UploadRefused(
            _("The workbook unpacks to %(size)d MB; the limit is %(limit)d MB.")
            % {"size": unpacked // 1_000_000, "limit": MAX_UNPACKED_BYTES // 1_000_000}
        )
    rows, formulas = [], []
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        if not workbook.worksheets:
            raise _unreadable()
        sheet = workbook.worksheets[0]
        # The sheet's own claim about its size is not trusted: read only the rows it has.
        sheet.reset_dimensions()
        for number, cells in enumerate(sheet.iter_rows(), start=1):
            if number > MAX_ROWS:
                raise UploadRefused(
                    _("The file has more than %(rows)d rows; split it.") % {"rows": MAX_ROWS}
                )
            values = []
            for cell in cells[:MAX_COLUMNS]:
                if cell.data_type == "f":
                    formulas.append(cell.coordinate)
                values.append(cell.value)
            rows.append((number, values))
        workbook.close()
    except UploadRefused:
        raise
    except Exception as exc:  # openpyxl parses lazily and raises many kinds of errors
        raise _unreadable() from exc
    if formulas:
        shown = "、".join(formulas[:10]) + ("……" if len(formulas) > 10 else "")
        raise UploadRefused(
            _(
                "Cells %(cells)s hold formulas. Paste them as values (Paste Special → Values) "
                "and upload again."
            )
            % {"cells": shown}
        )
    return rows


# What Excel writes a CSV in when told "CSV" rather than "CSV UTF-8": the system's code page.
# GB18030 decodes nearly any bytes, Big5's and Shift-JIS's too, into other characters.
LEGACY_ENCODINGS = (("GB18030", "gb18030"), ("Big5", "cp950"), ("Shift-JIS", "cp932"))


def _csv_text(content: bytes) -> str:
    """The text of a CSV file in UTF-8 or GB18030; UploadRefused naming any other encoding.

    Not UTF-8, the file is read in the encoding whose reading of its first line holds the most
    characters of the template's headers (年份, 月份, 信用代码…): in a wrong one they come out
    as other characters.
    """
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    header_characters = {char for header in _header_index() for char in header if ord(char) > 127}
    first_line = content.split(b"\n", 1)[0]
    matches: dict[str, int] = {}
    for name, codec in LEGACY_ENCODINGS:
        try:
            matches[name] = sum(char in header_characters for char in first_line.decode(codec))
        except UnicodeDecodeError:
            continue
    best = max(matches, key=matches.__getitem__, default=None)  # GB18030 wins a tie
    if best is not None and best != "GB18030":
        raise UploadRefused(
            _(
                "The CSV file is in %(encoding)s, not UTF-8 or GB18030. Save it as "
                "“CSV UTF-8 (Comma delimited)” and upload it again."
            )
            % {"encoding": best}
        )
    try:
        return content.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise UploadRefused(
            _(
                "The CSV file is neither UTF-8 nor GB18030 text. Save it as "
                "“CSV UTF-8 (Comma delimited)” and upload it again."
            )
        ) from exc


def _csv_rows(content: bytes) -> list[tuple[int, list]]:
    text = _csv_text(content)
    if "\x00" in text:
        raise UploadRefused(
            _("This is not a spreadsheet: upload the .xlsx template or a .csv file.")
        )
    rows = []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if number > MAX_ROWS:
                raise UploadRefused(
                    _("The file has more than %(rows)d rows; split it.") % {"rows": MAX_ROWS}
                )
            rows.append((number, row[:MAX_COLUMNS]))
    except csv.Error as exc:
        raise UploadRefused(_("The CSV file is malformed: %(error)s.") % {"error": exc}) from exc
    return rows


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _to_rows(table: list[tuple[int, list]]) -> Upload:
    table = [(n, cells) for n, cells in table if not all(_blank(c) for c in cells)]
    if not table:
        raise UploadRefused(_("The file has no rows."))
    header_number, header = table[0]
    index = _header_index()
    keys: list[str | None] = []
    unknown, repeated = [], []
    for cell in header:
        text = "" if cell is None else str(cell).strip()
        key = index.get(text)
        if text and key is None:
            unknown.append(text)
        if key is not None and key in keys:
            repeated.append(text)
        keys.append(key)
    missing = [title for key, title in FIXED_COLUMNS if key != "name" and key not in keys]
    if missing or unknown or repeated:
        parts = []
        if missing:
            parts.append(_("missing columns: %(columns)s") % {"columns": "、".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(columns)s") % {"columns": "、".join(unknown)})
        if repeated:
            parts.append(_("columns given twice: %(columns)s") % {"columns": "、".join(repeated)})
        raise UploadRefused(
            _("Row %(row)d is not the template's header (%(problems)s). Download the template.")
            % {"row": header_number, "problems": "; ".join(parts)}
        )
    labels = {key: str(header[i]).strip() for i, key in enumerate(keys) if key}
    letters = {labels[key]: get_column_letter(i + 1) for i, key in enumerate(keys) if key}
    fixed = {key: i for i, key in enumerate(keys) if key in ("credit_code", "year", "month")}
    figures = [
        (i, key)
        for i, key in enumerate(keys)
        if key and key not in ("credit_code", "name", "year", "month")
    ]
    rows, skipped = [], 0
    for number, cells in table[1:]:
        width = len(cells)
        values = {}
        for i, key in figures:
            if i < width:
                value = cells[i]
                # _blank inlined: this runs for every cell of the file
                if value is not None and (type(value) is not str or value.strip()):
                    values[key] = value
        if not values:
            skipped += 1
            continue
        rows.append(
            IncomingRow(
                credit_code=cells[fixed["credit_code"]] if fixed["credit_code"] < width else None,
                year=cells[fixed["year"]] if fixed["year"] < width else None,
                month=cells[fixed["month"]] if fixed["month"] < width else None,
                values=values,
                line=number,
                labels=labels,
            )
        )
    if not rows:
        raise UploadRefused(_("No row carries any figure."))
    return Upload(rows, skipped, letters)
