"""Checks what a plant's MES sends before anything is written, and gives it one clean form.

Every problem names its field as a path with list indexes (``consumed[1].gtin``), the value and
the reason, so one answer lists everything to fix. Identifiers come out in the repository's
canonical form (EPC URNs), times in UTC, quantities as Decimals, so equal content compares equal
whatever form the sender chose.
"""

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from django.utils.translation import gettext as _

from parkbrain.trace import identifiers

from .choices import MeasurementType, OrderState, Result, StepCode

UNIT = re.compile(r"^[A-Z0-9]{2,3}$")
ORDER_NUMBER = re.compile(r"^[^\s/?#%\\]{1,40}$")
COUNT_UNIT = "EA"
MAX_QUANTITY = Decimal("1e17")
MAX_LOTS = 100
MAX_READINGS = 1000
MAX_INSPECTIONS = 200
MAX_MEASUREMENTS = 50


class Rejected(Exception):
    """The request cannot be recorded; ``problems`` lists every reason."""

    def __init__(self, problems: list[dict]) -> None:
        super().__init__(problems)
        self.problems = problems


# -- clean forms ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LotRef:
    epc_class: str
    gtin: str
    lot_number: str


@dataclass(frozen=True)
class CleanLot:
    lot: LotRef
    quantity: Decimal
    unit: str


@dataclass(frozen=True)
class CleanReading:
    measurement_type: str
    device: str
    recorded_at: datetime
    value: Decimal
    unit: str


def within(value: Decimal, lower: Decimal | None, upper: Decimal | None) -> str:
    """The verdict of one value against its tolerance; limits are inclusive, absent ones open."""
    if (lower is not None and value < lower) or (upper is not None and value > upper):
        return Result.NON_CONFORMANT
    return Result.CONFORMANT


@dataclass(frozen=True)
class CleanMeasurement:
    characteristic: str
    measurement_type: str
    value: Decimal
    unit: str
    lower_limit: Decimal | None
    upper_limit: Decimal | None

    @property
    def result(self) -> str:
        return within(self.value, self.lower_limit, self.upper_limit)


@dataclass(frozen=True)
class CleanInspection:
    lot: LotRef
    inspector: str
    inspected_at: datetime
    measurements: tuple[CleanMeasurement, ...]

    @property
    def result(self) -> str:
        if all(m.result == Result.CONFORMANT for m in self.measurements):
            return Result.CONFORMANT
        return Result.NON_CONFORMANT


@dataclass(frozen=True)
class CleanOperation:
    step: str
    work_centre: str
    read_point: str
    biz_location: str
    started_at: datetime | None
    finished_at: datetime | None
    consumed: tuple[CleanLot, ...] = ()
    produced: tuple[CleanLot, ...] = ()
    readings: tuple[CleanReading, ...] = ()
    inspections: tuple[CleanInspection, ...] = ()

    def content(self) -> dict:
        """The operation as JSON, for history and to tell a repeat from a change."""
        return _jsonable(asdict(self))


@dataclass(frozen=True)
class CleanOrder:
    product_gtin: str
    product_name: str
    planned_quantity: Decimal
    unit: str
    state: str
    planned_start: date | None
    planned_end: date | None
    actual_start: datetime | None
    actual_end: datetime | None

    def content(self) -> dict:
        return _jsonable(asdict(self))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


# -- the checker ----------------------------------------------------------------------------


class _Checker:
    def __init__(self) -> None:
        self.problems: list[dict] = []

    def problem(self, path: str, value: Any, reason: str) -> None:
        shown = "" if value is None else str(value)[:200]
        self.problems.append({"field": path, "value": shown, "reason": reason})

    def text(self, path: str, value: Any, limit: int, required: bool = True) -> str:
        text = (value or "").strip() if isinstance(value, str) else ""
        if required and not text:
            self.problem(path, value, _("required"))
        elif len(text) > limit:
            self.problem(path, value, _("at most %(limit)d characters") % {"limit": limit})
        return text

    def choice(self, path: str, value: Any, choices: type, default: str | None = None) -> str:
        if value in (None, "") and default is not None:
            return default
        if value not in choices.values:
            self.problem(
                path, value, _("use one of %(values)s") % {"values": ", ".join(choices.values)}
            )
            return ""
        return value

    def unit(self, path: str, value: Any, required: bool = True) -> str:
        unit = (value or "").strip() if isinstance(value, str) else ""
        if not unit and not required:
            return ""
        if not UNIT.match(unit):
            self.problem(
                path, value, _("not a UN/CEFACT Rec. 20 unit code (e.g. KGM, EA, CEL, 4H)")
            )
        return unit

    def number(self, path: str, value: Decimal | None, required: bool = True) -> Decimal | None:
        if value is None:
            if required:
                self.problem(path, value, _("required"))
            return None
        if not value.is_finite() or abs(value) >= MAX_QUANTITY:
            self.problem(path, value, _("not a finite number below 10^17"))
            return None
        if value != value.quantize(Decimal("0.000001")):
            self.problem(path, value, _("at most 6 decimal places"))
            return None
        return value

    def quantity(self, path: str, value: Decimal | None, unit: str) -> Decimal:
        amount = self.number(path, value)
        if amount is None:
            return Decimal(0)
        if amount <= 0:
            self.problem(path, value, _("must be more than zero"))
        elif unit == COUNT_UNIT and amount != amount.to_integral_value():
            self.problem(path, value, _("a count (EA) is a whole number"))
        return amount

    def moment(self, path: str, value: datetime | None, required: bool = True) -> datetime | None:
        if value is None:
            if required:
                self.problem(path, value, _("required"))
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            self.problem(path, value, _("give the time zone, e.g. 2026-03-01T08:00:00+08:00"))
            return None
        return value.astimezone(UTC)

    def gtin(self, path: str, value: Any) -> str:
        digits = (value or "").strip() if isinstance(value, str) else ""
        if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
            self.problem(path, value, _("a GTIN has 8, 12, 13 or 14 digits"))
            return ""
        digits = digits.zfill(14)
        expected = identifiers.gs1_check_digit(digits[:-1])
        if digits[-1] != expected:
            self.problem(
                path, value, _("wrong check digit; expected %(digit)s") % {"digit": expected}
            )
            return ""
        return digits

    def location(self, path: str, value: Any, required: bool = True) -> str:
        raw = (value or "").strip() if isinstance(value, str) else ""
        if not raw:
            if required:
                self.problem(path, value, _("required"))
            return ""
        try:
            uri = identifiers.canonical(raw)
        except identifiers.IdentifierError as exc:
            self.problem(path, value, str(exc))
            return ""
        if not uri.startswith("urn:epc:id:sgln:"):
            self.problem(
                path,
                value,
                _("a location is an SGLN (urn:epc:id:sgln:… or a GS1 Digital Link with AI 414)"),
            )
            return ""
        return uri

    def lot(self, path: str, item: Mapping[str, Any]) -> LotRef | None:
        epc_class = (item.get("epc_class") or "").strip()
        gtin, number = item.get("gtin") or "", (item.get("lot") or "").strip()
        if epc_class and (gtin or number):
            self.problem(path, epc_class, _("give either epc_class or gtin and lot, not both"))
            return None
        if not epc_class:
            if not gtin or not number:
                self.problem(path, "", _("give gtin and lot, or epc_class"))
                return None
            gtin = self.gtin(f"{path}.gtin", gtin)
            if not gtin:
                return None
            raw = f"{identifiers.GS1_DL_ORIGIN}/01/{gtin}/10/{quote(number, safe='')}"
            where = f"{path}.lot"
        else:
            raw, where = epc_class, f"{path}.epc_class"
        try:
            uri = identifiers.canonical(raw)
            key = identifiers.gs1_key(uri)
        except identifiers.IdentifierError as exc:
            self.problem(where, number or epc_class, str(exc))
            return None
        if not uri.startswith("urn:epc:class:lgtin:") or key is None:
            self.problem(
                where, epc_class, _("a lot is a GTIN with a lot number (urn:epc:class:lgtin:…)")
            )
            return None
        lot_number = key.qualifier("10") or ""
        if len(lot_number) > 20:
            self.problem(where, lot_number, _("a lot number has at most 20 characters"))
            return None
        return LotRef(uri, key.value, lot_number)


def check_order(number: str, data: Mapping[str, Any]) -> CleanOrder:
    """The order in clean form, or ``Rejected`` with every problem."""
    c = _Checker()
    if not ORDER_NUMBER.match(number or ""):
        c.problem("number", number, _("1-40 characters without spaces, /, ?, # or %"))
    unit = c.unit("unit", data.get("unit") or COUNT_UNIT)
    order = CleanOrder(
        product_gtin=c.gtin("product_gtin", data.get("product_gtin")),
        product_name=c.text("product_name", data.get("product_name"), 200, required=False),
        planned_quantity=c.quantity("planned_quantity", data.get("planned_quantity"), unit),
        unit=unit,
        state=c.choice("state", data.get("state"), OrderState, default=OrderState.RELEASED),
        planned_start=data.get("planned_start"),
        planned_end=data.get("planned_end"),
        actual_start=c.moment("actual_start", data.get("actual_start"), required=False),
        actual_end=c.moment("actual_end", data.get("actual_end"), required=False),
    )
    if order.planned_start and order.planned_end and order.planned_end < order.planned_start:
        c.problem("planned_end", order.planned_end, _("before the planned start"))
    if order.actual_start and order.actual_end and order.actual_end < order.actual_start:
        c.problem("actual_end", data.get("actual_end"), _("before the actual start"))
    if c.problems:
        raise Rejected(c.problems)
    return order


def _listed(c: _Checker, data: Mapping[str, Any], name: str, limit: int) -> list:
    items = data.get(name) or []
    if len(items) > limit:
        c.problem(name, len(items), _("at most %(limit)d entries") % {"limit": limit})
        return []
    return list(items)


def _lots(c: _Checker, data: Mapping[str, Any], name: str) -> tuple[CleanLot, ...]:
    lots: list[CleanLot] = []
    seen: set[str] = set()
    for i, item in enumerate(_listed(c, data, name, MAX_LOTS)):
        path = f"{name}[{i}]"
        ref = c.lot(path, item)
        unit = c.unit(f"{path}.unit", item.get("unit") or COUNT_UNIT)
        quantity = c.quantity(f"{path}.quantity", item.get("quantity"), unit)
        if ref is None:
            continue
        if ref.epc_class in seen:
            c.problem(path, ref.epc_class, _("this lot is listed twice; add the quantities"))
        seen.add(ref.epc_class)
        lots.append(CleanLot(ref, quantity, unit))
    return tuple(lots)


def _readings(c: _Checker, data: Mapping[str, Any]) -> tuple[CleanReading, ...]:
    readings = []
    for i, item in enumerate(_listed(c, data, "readings", MAX_READINGS)):
        path = f"readings[{i}]"
        device = c.text(f"{path}.device", item.get("device"), 500, required=False)
        if device and not re.match(r"^[A-Za-z][A-Za-z0-9+.\-_]*:\S+$", device):
            c.problem(f"{path}.device", device, _("a device is named by a URI (scheme:…)"))
        readings.append(
            CleanReading(
                measurement_type=c.choice(
                    f"{path}.type", item.get("type"), MeasurementType, MeasurementType.TEMPERATURE
                ),
                device=device,
                recorded_at=c.moment(f"{path}.time", item.get("time")),  # type: ignore[arg-type]
                value=c.number(f"{path}.value", item.get("value")) or Decimal(0),
                unit=c.unit(f"{path}.unit", item.get("unit")),
            )
        )
    return tuple(readings)


def _measurements(c: _Checker, path: str, items: list) -> tuple[CleanMeasurement, ...]:
    if not items:
        c.problem(f"{path}.measurements", "", _("an inspection needs at least one measurement"))
    if len(items) > MAX_MEASUREMENTS:
        c.problem(
            f"{path}.measurements",
            len(items),
            _("at most %(limit)d entries") % {"limit": MAX_MEASUREMENTS},
        )
        return ()
    found, seen = [], set()
    for j, item in enumerate(items):
        where = f"{path}.measurements[{j}]"
        name = c.text(f"{where}.characteristic", item.get("characteristic"), 64)
        if name in seen:
            c.problem(f"{where}.characteristic", name, _("measured twice in one inspection"))
        seen.add(name)
        lower = c.number(f"{where}.lower_limit", item.get("lower_limit"), required=False)
        upper = c.number(f"{where}.upper_limit", item.get("upper_limit"), required=False)
        if lower is not None and upper is not None and lower > upper:
            c.problem(f"{where}.upper_limit", upper, _("below the lower limit"))
        found.append(
            CleanMeasurement(
                characteristic=name,
                measurement_type=c.choice(f"{where}.type", item.get("type"), MeasurementType),
                value=c.number(f"{where}.value", item.get("value")) or Decimal(0),
                unit=c.unit(f"{where}.unit", item.get("unit"), required=False),
                lower_limit=lower,
                upper_limit=upper,
            )
        )
    return tuple(found)


def _inspections(c: _Checker, data: Mapping[str, Any]) -> tuple[CleanInspection, ...]:
    inspections, seen = [], set()
    for i, item in enumerate(_listed(c, data, "inspections", MAX_INSPECTIONS)):
        path = f"inspections[{i}]"
        ref = c.lot(f"{path}.lot", item.get("lot") or {})
        inspector = c.text(f"{path}.inspector", item.get("inspector"), 100)
        inspected_at = c.moment(f"{path}.inspected_at", item.get("inspected_at"))
        measurements = _measurements(c, path, list(item.get("measurements") or []))
        if ref is None or inspected_at is None:
            continue
        if (ref.epc_class, inspected_at) in seen:
            c.problem(path, ref.epc_class, _("this lot is already inspected at this time"))
        seen.add((ref.epc_class, inspected_at))
        inspections.append(CleanInspection(ref, inspector, inspected_at, measurements))
    return tuple(inspections)


def check_operation(sequence: int, data: Mapping[str, Any]) -> CleanOperation:
    """The operation in clean form, or ``Rejected`` with every problem."""
    c = _Checker()
    if not 1 <= sequence <= 9999:
        c.problem("sequence", sequence, _("use a whole number from 1 to 9999"))
    operation = CleanOperation(
        step=c.choice("step", data.get("step"), StepCode),
        work_centre=c.text("work_centre", data.get("work_centre"), 100, required=False),
        read_point=c.location("read_point", data.get("read_point")),
        biz_location=c.location("biz_location", data.get("biz_location"), required=False),
        started_at=c.moment("started_at", data.get("started_at"), required=False),
        finished_at=c.moment("finished_at", data.get("finished_at"), required=False),
        consumed=_lots(c, data, "consumed"),
        produced=_lots(c, data, "produced"),
        readings=_readings(c, data),
        inspections=_inspections(c, data),
    )
    if (
        operation.started_at
        and operation.finished_at
        and operation.finished_at < operation.started_at
    ):
        c.problem("finished_at", data.get("finished_at"), _("before the start"))
    if bool(data.get("consumed")) != bool(data.get("produced")):
        missing = "produced" if data.get("consumed") else "consumed"
        c.problem(
            missing,
            "",
            _("an operation with lots lists what it consumed and what it produced"),
        )
    both = {lot.lot.epc_class for lot in operation.consumed} & {
        lot.lot.epc_class for lot in operation.produced
    }
    for uri in sorted(both):
        c.problem("produced", uri, _("a lot cannot be consumed and produced by one operation"))
    if c.problems:
        raise Rejected(c.problems)
    return operation
