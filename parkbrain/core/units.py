"""UN/CEFACT Recommendation 20 unit codes as people read them. Data keeps the code (EPCIS
and the MES API carry it); pages show the symbol, so 6.2 µm rather than 6.2 4H."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

SYMBOLS = {
    "KGM": "kg",
    "GRM": "g",
    "TNE": "t",
    "MTR": "m",
    "MMT": "mm",
    "4H": "µm",
    "CEL": "℃",
    "KEL": "K",
    "HUR": "h",
    "MIN": "min",
    "SEC": "s",
    "LTR": "L",
    "KWH": "kWh",
    "BAR": "bar",
    "NEW": "N",
    "DD": "°",
    "P1": "%",
    "EA": _("pcs"),
    "H87": _("pcs"),
    "C62": _("pcs"),
}


def unit_symbol(code: str) -> str:
    """The symbol of a unit code, an unknown code as it is, nothing for no code (a scale such
    as HRC has none; a caller that means a count passes EA)."""
    return str(SYMBOLS.get(code, code)) if code else ""


#: Units as words, for quantities of goods in traces and recall reports (千克, 件, 米).
WORDS = {
    "KGM": _("kilograms"),
    "GRM": _("grams"),
    "TNE": _("tonnes"),
    "MTR": _("metres"),
    "MMT": _("millimetres"),
    "4H": _("micrometres"),
    "LTR": _("litres"),
    "MTK": _("square metres"),
    "MTQ": _("cubic metres"),
    "CEL": _("degrees Celsius"),
    "HUR": _("hours"),
    "KWH": _("kilowatt hours"),
    "EA": _("pieces"),
    "H87": _("pieces"),
    "C62": _("pieces"),
    "SET": _("sets"),
    "PR": _("pairs"),
    "BX": _("boxes"),
    "CT": _("cartons"),
    "PX": _("pallets"),
}


def unit_word(code: str) -> str:
    """A unit code as a word; no code is a count (EPCIS leaves the unit out for pieces); an
    unknown code as it is."""
    return str(WORDS.get(code or "EA", code))


def amount_text(amount: Decimal | None, code: str) -> str:
    """A quantity in words: 476.782 千克, 1200 件; nothing when the amount is not known."""
    if amount is None:
        return ""
    number = f"{amount.quantize(Decimal('0.001')).normalize():f}"
    return f"{number} {unit_word(code)}"
