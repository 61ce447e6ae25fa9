"""The units people enter and read figures in. Money is stored exactly in 元 (as the API and
files carry it) but a clerk thinks in 万元, as every Chinese statistics form does."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from . import validation

# stored unit → (the unit people use, how many stored units make one of it)
PEOPLE_UNITS = {"元": (_("ten-thousand yuan"), Decimal(10_000))}


def people_unit(unit: str) -> str:
    return str(PEOPLE_UNITS.get(unit, (unit, Decimal(1)))[0])


def _factor(unit: str) -> Decimal:
    return PEOPLE_UNITS.get(unit, (unit, Decimal(1)))[1]


def to_people(value: Decimal | None, unit: str) -> Decimal | None:
    return None if value is None else Decimal(value) / _factor(unit)


def entry_text(value: Decimal | None, unit: str) -> str:
    """A stored figure as a form shows it: in the people's unit, grouped, exact."""
    if value is None:
        return ""
    shown = (Decimal(value) / _factor(unit)).normalize()
    return f"{shown:,f}"


def from_entry(text: str, unit: str) -> str:
    """What a person typed, in the stored unit and exact; text that is not a number is passed
    on as it is, for validation to say what is wrong with it."""
    number = validation.parse_number(text)
    if number is None:
        return text
    return format((number * _factor(unit)).normalize(), "f")


def amount_text(value: Decimal | None, unit: str) -> str:
    """A figure for a sentence or a table: in the people's unit, grouped, with the unit."""
    if value is None:
        return "—"
    shown = Decimal(value) / _factor(unit)
    digits = 2 if abs(shown) >= 100 else 4
    text = f"{shown:,.{digits}f}".rstrip("0").rstrip(".")
    label = people_unit(unit)
    # 1,234.57万元, but 1,234.57 ten-thousand yuan
    return f"{text} {label}" if label[:1].isascii() else f"{text}{label}"
