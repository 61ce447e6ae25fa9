"""A recall scope as a report: the same tables as an Excel workbook (text cells never formulas)
and as a PDF. The PDF uses reportlab's built-in CID font STSong-Light, which every PDF reader
carries, so Chinese prints without shipping a font file."""

import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from parkbrain.core.units import amount_text
from parkbrain.reporting.spreadsheets import append_text_row

from .finder import lot_number
from .graph import step_word
from .models import Recall
from .recall import (
    FINISHED,
    GONE,
    IN_STOCK,
    RECALLED,
    SHIPPED,
    START_IDENTIFIER,
    START_INSPECTION,
    START_INSPECTIONS,
    START_MACHINE,
    Item,
    Scope,
)
from .words import disposition_name, step_name

PDF_FONT = "STSong-Light"
Table = list[list[object]]


def amounts(values: dict[str, Decimal]) -> str:
    """Quantities per unit in words: 476.782 千克; a count has no unit code (件)."""
    return "; ".join(amount_text(amount, unit) for unit, amount in sorted(values.items()))


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def status_label(status: str) -> str:
    labels = {
        IN_STOCK: _("In stock"),
        SHIPPED: _("Shipped"),
        RECALLED: _("Recalled"),
        GONE: _("Destroyed or sold"),
    }
    return labels.get(status, _("No events"))


def kind_label(item: Item) -> str:
    return _("Finished") if item.kind == FINISHED else _("Remainder of a lot")


def criteria_rows(found: Scope, recall: Recall | None) -> Table:
    rows: Table = [[_("Field"), _("Value")]]
    if recall is not None:
        rows += [
            [_("Recall"), f"#{recall.pk}"],
            [_("Enterprise"), recall.enterprise.name],
            [_("Reason"), recall.reason],
            [_("State"), recall.get_state_display()],
            [_("Created at"), _when(recall.created_at)],
            [_("Executed at"), _when(recall.executed_at)],
        ]
    rows += [[name, value] for name, value in criteria_words(found)]
    rows.append([_("Suspect identifiers"), "\n".join(found.starts)])
    rows.append([_("Computed at"), _when(timezone.now())])
    return rows


START_NAMES = {
    START_IDENTIFIER: gettext_lazy("A suspect lot or serial"),
    START_MACHINE: gettext_lazy("A machine in a time window"),
    START_INSPECTION: gettext_lazy("A non-conformant inspection"),
    START_INSPECTIONS: gettext_lazy("Non-conformant inspections in a time window"),
}


def criteria_words(found: Scope) -> list[tuple[str, str]]:
    """A scope's criteria in words: where it starts, the lot by its number, the machine by
    its name, the window in local time."""
    criteria = found.criteria
    rows = [(_("Start from"), str(START_NAMES[criteria.start]))]
    if criteria.epc:
        rows.append((_("Lot or serial"), f"{lot_number(criteria.epc)}\n{criteria.epc}"))
    if criteria.read_point:
        rows.append((_("Machine"), _named(criteria.read_point, found)))
    if criteria.event:
        rows.append((_("Inspection event ID"), criteria.event))
    if criteria.since is not None:
        rows.append((_("From"), _when(criteria.since)))
    if criteria.until is not None:
        rows.append((_("To"), _when(criteria.until)))
    return rows


def step_words(uri: str) -> str:
    return step_name(step_word(uri)) if uri else ""


def disposition_words(item: Item) -> str:
    words = [disposition_name(d) for d in [item.disposition, *item.persistent] if d]
    return "、".join(words)


def summary_rows(found: Scope) -> Table:
    counts = found.counts()
    labels = [
        ("affected", _("Affected lots and serials")),
        ("finished", _("Finished (nothing made from them)")),
        ("remainder", _("Lots with a remainder")),
        ("shipped", _("Shipped")),
        ("customers", _("Customers")),
        ("inStock", _("In stock to quarantine")),
        ("recalled", _("Already recalled")),
        ("gone", _("Destroyed or sold")),
        ("unknown", _("No events")),
    ]
    return [[_("Figure"), _("Count")]] + [[label, counts[key]] for key, label in labels]


def item_rows(found: Scope) -> Table:
    rows: Table = [
        [
            _("Identifier"),
            _("Kind"),
            _("Status"),
            _("Last step"),
            _("Last event"),
            _("Location"),
            _("Disposition"),
            _("Holder"),
            _("In case or pallet"),
            _("Suspect material held"),
            _("Remaining"),
        ]
    ]
    for item in found.items:
        remaining = amounts({item.remaining_uom: item.remaining}) if item.remaining else ""
        rows.append(
            [
                item.uri,
                kind_label(item),
                status_label(item.status),
                step_words(item.last_step),
                _when(item.last_time),
                _named(item.location, found),
                disposition_words(item),
                item.holder,
                ", ".join(item.containers),
                amounts(item.carried),
                remaining,
            ]
        )
    return rows


def _named(uri: str, found: Scope) -> str:
    """A location with the name master data gives it, if any."""
    name = found.name(uri)
    return f"{name}\n{uri}" if name else uri


def customer_name(party: str, found: Scope) -> str:
    """The name master data gives a customer, or plainly that it gives none."""
    if not party:
        return ""
    return found.name(party) or _("No name registered")


def customer_rows(found: Scope) -> Table:
    rows: Table = [
        [
            _("Customer"),
            _("Name"),
            _("Items"),
            _("Quantity"),
            _("Suspect material"),
            _("Business transactions"),
            _("Identifiers"),
        ]
    ]
    for customer in found.customers:
        rows.append(
            [
                customer.party or _("(not stated)"),
                customer_name(customer.party, found),
                len(customer.items),
                amounts(customer.quantities),
                amounts(customer.carried),
                "\n".join(customer.transactions),
                "\n".join(customer.items),
            ]
        )
    return rows


def stock_rows(found: Scope) -> Table:
    rows: Table = [[_("Identifier"), _("Location"), _("Holder"), _("Quantity"), _("Last step")]]
    for item in found.in_stock:
        quantity = (
            amounts({item.remaining_uom: item.remaining})
            if item.remaining
            else amounts({item.uom: item.quantity})
            if item.quantity is not None
            else ""
        )
        place = _named(item.location, found)
        rows.append([item.uri, place, item.holder, quantity, step_words(item.last_step)])
    return rows


def sections(found: Scope, recall: Recall | None) -> list[tuple[str, Table]]:
    return [
        (_("Criteria"), criteria_rows(found, recall)),
        (_("Summary"), summary_rows(found)),
        (_("Affected"), item_rows(found)),
        (_("Customers"), customer_rows(found)),
        (_("Stock to quarantine"), stock_rows(found)),
    ]


def xlsx(found: Scope, recall: Recall | None) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sections(found, recall):
        sheet = workbook.create_sheet(title[:31])
        for row in rows:
            append_text_row(sheet, row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf(found: Scope, recall: Recall | None) -> bytes:
    if PDF_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    body = ParagraphStyle("body", fontName=PDF_FONT, fontSize=7, leading=9, wordWrap="CJK")
    heading = ParagraphStyle("heading", fontName=PDF_FONT, fontSize=11, leading=15, spaceAfter=4)
    title = ParagraphStyle("title", fontName=PDF_FONT, fontSize=16, leading=20, spaceAfter=8)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=_("Recall scope"),
    )
    story: list = [Paragraph(_("Recall scope"), title)]
    style = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#c5ccd6")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    for name, rows in sections(found, recall):
        story.append(Paragraph(name, heading))
        cells = [[Paragraph(_escaped(cell), body) for cell in row] for row in rows]
        # Identifiers are the long column: the first gets twice the width of the others.
        unit = document.width / (len(rows[0]) + 1)
        widths = [2 * unit] + [unit] * (len(rows[0]) - 1)
        # A customer's row lists every identifier it got: split inside a row taller than a page.
        table = LongTable(cells, colWidths=widths, repeatRows=1, splitInRow=1, hAlign="LEFT")
        table.setStyle(style)
        story += [table, Spacer(1, 6 * mm)]
    document.build(story)
    return buffer.getvalue()


def _escaped(value: object) -> str:
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\n", "<br/>")
