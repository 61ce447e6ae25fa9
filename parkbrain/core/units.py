"""UN/CEFACT Recommendation 20 unit codes as people read them. Data keeps the code (EPCIS
and the MES API carry it); pages show the symbol, so 6.2 µm rather than 6.2 4H."""

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
