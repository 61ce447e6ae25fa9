"""Checks a batch of incoming monthly figures, whatever channel brought it, before anything
is written. Every problem names its row, column, value and reason."""

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from parkbrain.registry import tenancy, uscc
from parkbrain.registry.models import Enterprise

from . import units
from .choices import ReportStatus
from .models import Indicator, MonthlyReport, ReportValue

FIRST_YEAR = 2000
MAX_ABS_VALUE = Decimal("1e15")
MAX_ABS_INT = 10**15
# SQLite keeps decimals as binary floats: beyond 15 significant digits a figure would not
# come back as it was sent, and a repeated report would look changed.
MAX_SIGNIFICANT_DIGITS = 15
STORED_PLACES = 4  # ReportValue.value keeps four decimal places
FOUR_PLACES = Decimal("0.0001")
LOCKED = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


@dataclass
class IncomingRow:
    """One enterprise's figures for one month, as received (strings or numbers)."""

    credit_code: object
    year: object
    month: object
    values: dict[str, object]
    line: int | None = None  # the row number in a file, as a spreadsheet shows it
    labels: dict[str, str] = field(default_factory=dict)  # indicator code → column header
    clear: set[str] = field(default_factory=set)  # indicator codes whose value is removed


@dataclass
class Problem:
    row: int | None
    column: str
    value: str
    reason: str
    cell: str = ""  # where a spreadsheet shows it, such as D7; empty for the API and forms

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass
class CleanRow:
    line: int | None
    enterprise: Enterprise
    year: int
    month: int
    values: dict[str, Decimal]
    clear: set[str] = field(default_factory=set)
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, code: str, indicator: Indicator) -> str:
        """The column a problem with this indicator is reported under."""
        return self.labels.get(code, indicator.name)


def _column(row: IncomingRow, key: str, default: str) -> str:
    return row.labels.get(key, default)


def _integer(raw: object) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():
        return int(raw.strip())
    return None


def parse_number(raw: object) -> Decimal | None:
    """A finite number from a cell or JSON value; thousands separators are allowed in text."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | Decimal):
        number = Decimal(raw)
    elif isinstance(raw, float):
        number = Decimal(repr(raw))
    elif isinstance(raw, str) and len(raw) <= 64:
        try:
            number = Decimal(raw.strip().replace(",", "").replace("，", ""))
        except InvalidOperation:
            return None
    else:
        return None
    # Refuse NaN, infinities and exponents beyond any real figure before doing arithmetic.
    if not number.is_finite() or abs(number.adjusted()) > 40:
        return None
    return number


def _places_refusal(number: Decimal, indicator: Indicator) -> str | None:
    """Why a figure has more decimal places than its indicator keeps, or None.

    Rounding it would store another figure than the one sent (1e-30 yuan as 0.00), silently.
    """
    places = min(indicator.decimal_places, STORED_PLACES)
    if max(0, -number.normalize().as_tuple().exponent) <= places:
        return None
    rounded = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    if places == 0:
        return _("Figures in %(unit)s are whole numbers; rounding would make this %(rounded)s.") % {
            "unit": indicator.unit,
            "rounded": rounded,
        }
    return _(
        "Figures in %(unit)s have at most %(places)d decimal places; rounding would make "
        "this %(rounded)s."
    ) % {"unit": indicator.unit, "places": places, "rounded": rounded}


# (enterprise id, year) → month → indicator code → value on the indicator's own basis
Series = dict[tuple[int, int], dict[int, dict[str, Decimal]]]


@dataclass
class Checked:
    """The outcome of validation: clean rows only when there is no problem at all, and every
    touched enterprise-year's figures as they will be once the rows are saved."""

    clean: list[CleanRow]
    problems: list[Problem]
    after: Series = field(default_factory=dict)


def validate(
    rows: list[IncomingRow],
    principal: object,
    today: date,
    progress: Callable[[int, int, str], None] | None = None,
) -> Checked:
    """Check every row; `progress(done, total, step)` hears how far the check has come."""
    indicators = {i.code: i for i in Indicator.objects.all()}
    codes = {uscc.normalise(str(row.credit_code or "")) for row in rows}
    visible = {
        e.credit_code: e
        for e in tenancy.writable_enterprises(principal).filter(credit_code__in=codes)
    }
    reportable = {code for code, indicator in indicators.items() if not indicator.derived}
    problems: list[Problem] = []
    clean: list[CleanRow] = []
    seen: dict[tuple[int, int, int], int | None] = {}
    credit_code_title = _("credit code")
    step = _("Checking the rows")
    for index, row in enumerate(rows):
        if progress is not None and index % 1000 == 0:
            progress(index, len(rows), step)
        row_problems: list[Problem] = []
        code_label = _column(row, "credit_code", credit_code_title)
        code = uscc.normalise(str(row.credit_code or ""))
        enterprise = visible.get(code)
        if enterprise is None:
            checked = uscc.check(code)
            reason = (
                "; ".join(checked.errors)
                if checked.errors
                else _("No enterprise with this credit code is registered in your scope.")
            )
            row_problems.append(Problem(row.line, code_label, str(row.credit_code), reason))
        year, month = _integer(row.year), _integer(row.month)
        if year is None or not FIRST_YEAR <= year <= today.year:
            row_problems.append(
                Problem(
                    row.line,
                    _column(row, "year", _("year")),
                    str(row.year),
                    _("The year must be a whole number from %(first)d to %(last)d.")
                    % {"first": FIRST_YEAR, "last": today.year},
                )
            )
        if month is None or not 1 <= month <= 12:
            row_problems.append(
                Problem(
                    row.line,
                    _column(row, "month", _("month")),
                    str(row.month),
                    _("The month must be a whole number from 1 to 12."),
                )
            )
        elif year is not None and year == today.year and month >= today.month:
            row_problems.append(
                Problem(
                    row.line,
                    _column(row, "month", _("month")),
                    f"{year}-{month:02d}",
                    _("Only months that are over can be reported."),
                )
            )
        values: dict[str, Decimal] = {}
        for key, raw in row.values.items():
            indicator = indicators.get(key)
            # Most spreadsheet cells are plain whole numbers in range: taken without the
            # general parse.
            if type(raw) is int and 0 <= raw < MAX_ABS_INT and key in reportable:
                values[key] = Decimal(raw).quantize(FOUR_PLACES)
                continue
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            label = _column(row, key, key)
            if indicator is None:
                row_problems.append(
                    Problem(row.line, label, str(raw), _("There is no indicator with this code."))
                )
                continue
            if indicator.derived:
                row_problems.append(
                    Problem(
                        row.line,
                        label,
                        str(raw),
                        _("This figure is computed from the energy figures; leave it empty."),
                    )
                )
                continue
            number = parse_number(raw)
            if number is None:
                row_problems.append(Problem(row.line, label, str(raw), _("Not a number.")))
            elif number < 0 and not indicator.may_be_negative:
                row_problems.append(
                    Problem(row.line, label, str(raw), _("This figure cannot be negative."))
                )
            elif abs(number) >= MAX_ABS_VALUE:
                row_problems.append(
                    Problem(
                        row.line,
                        label,
                        str(raw),
                        _("Too large for %(unit)s; check the unit.") % {"unit": indicator.unit},
                    )
                )
            elif len(number.as_tuple().digits) > MAX_SIGNIFICANT_DIGITS and (
                len(number.normalize().as_tuple().digits) > MAX_SIGNIFICANT_DIGITS
            ):
                row_problems.append(
                    Problem(
                        row.line,
                        label,
                        str(raw),
                        _("More than %(n)d significant digits; round the figure.")
                        % {"n": MAX_SIGNIFICANT_DIGITS},
                    )
                )
            elif reason := _places_refusal(number, indicator):
                row_problems.append(Problem(row.line, label, str(raw), reason))
            else:
                values[key] = number.quantize(FOUR_PLACES)
        clear = set()
        for key in row.clear:
            indicator = indicators.get(key)
            if indicator is None or indicator.derived:
                row_problems.append(
                    Problem(
                        row.line,
                        _column(row, key, key),
                        "",
                        _("There is no indicator with this code."),
                    )
                )
            else:
                clear.add(key)
        if not values and not clear and not row_problems:
            row_problems.append(
                Problem(
                    row.line,
                    _column(row, "month", _("month")),
                    f"{year}-{month:02d}" if year and month else "",
                    _("The row carries no figures."),
                )
            )
        if enterprise and year and month and not row_problems:
            key3 = (enterprise.id, year, month)
            if key3 in seen:
                first = seen[key3]
                row_problems.append(
                    Problem(
                        row.line,
                        code_label,
                        f"{code} {year}-{month:02d}",
                        _("The same enterprise and month appear again (first on row %(row)s).")
                        % {"row": first if first is not None else "—"},
                    )
                )
            else:
                seen[key3] = row.line
        if row_problems:
            problems.extend(row_problems)
        else:
            clean.append(CleanRow(row.line, enterprise, year, month, values, clear, row.labels))
    after: Series = {}
    if clean:
        stored_problems, after = _against_stored(clean, indicators, principal)
        problems.extend(stored_problems)
    if problems:
        return Checked([], problems)
    return Checked(clean, problems, after)


def _against_stored(
    clean: list[CleanRow], indicators: dict[str, Indicator], principal: object
) -> tuple[list[Problem], Series]:
    """Checks that need what is already stored: year-to-date sums never fall within a year,
    and enterprises cannot change reports that are submitted or accepted. Also returns the
    figures of every enterprise-year read, with the rows applied."""
    problems: list[Problem] = []
    enterprise_ids = {row.enterprise.id for row in clean}
    years = {row.year for row in clean}
    stored: dict[tuple[int, int], dict[int, dict[str, Decimal]]] = defaultdict(dict)
    status: dict[tuple[int, int, int], str] = {}
    for report in MonthlyReport.objects.filter(enterprise_id__in=enterprise_ids, year__in=years):
        status[(report.enterprise_id, report.year, report.month)] = report.status
    for enterprise_id, year, month, code, value in ReportValue.objects.filter(
        report__enterprise_id__in=enterprise_ids, report__year__in=years
    ).values_list(
        "report__enterprise_id", "report__year", "report__month", "indicator__code", "value"
    ):
        stored[(enterprise_id, year)].setdefault(month, {})[code] = value

    staff = tenancy.scope_of(principal).sees_whole_zone  # type: ignore[arg-type]
    for row in clean:
        key = (row.enterprise.id, row.year, row.month)
        before = stored[(row.enterprise.id, row.year)].get(row.month, {})
        changes = {k: v for k, v in row.values.items() if before.get(k) != v}
        changes.update({k: None for k in row.clear if k in before})
        if not staff and status.get(key) in LOCKED and changes:
            problems.append(
                Problem(
                    row.line,
                    _("month"),
                    f"{row.year}-{row.month:02d}",
                    _("This month's report is %(status)s; ask the zone to return it first.")
                    % {"status": ReportStatus(status[key]).label},
                )
            )
    merged: Series = {(e, y): {} for e in enterprise_ids for y in years}
    for (enterprise_id, year), months in stored.items():
        for month, values in months.items():
            merged[(enterprise_id, year)][month] = dict(values)
    incoming: dict[tuple[int, int, int], CleanRow] = {}
    for row in clean:
        month_values = merged[(row.enterprise.id, row.year)].setdefault(row.month, {})
        month_values.update(row.values)
        for code in row.clear:
            month_values.pop(code, None)
        incoming[(row.enterprise.id, row.year, row.month)] = row
    for (enterprise_id, year), months in merged.items():
        for code, indicator in indicators.items():
            if not indicator.never_falls:
                continue
            series = sorted((m, v[code]) for m, v in months.items() if code in v)
            for (m1, v1), (m2, v2) in itertools.pairwise(series):
                if v2 >= v1:
                    continue
                later = incoming.get((enterprise_id, year, m2))
                earlier = incoming.get((enterprise_id, year, m1))
                if later and code in later.values:
                    problems.append(
                        Problem(
                            later.line,
                            later.label(code, indicator),
                            str(v2),
                            _(
                                "A year-to-date figure cannot fall: %(value)s is less than "
                                "%(before)s for month %(month)d."
                            )
                            % {
                                "value": units.amount_text(v2, indicator.unit),
                                "before": units.amount_text(v1, indicator.unit),
                                "month": m1,
                            },
                        )
                    )
                elif earlier and code in earlier.values:
                    problems.append(
                        Problem(
                            earlier.line,
                            earlier.label(code, indicator),
                            str(v1),
                            _(
                                "A year-to-date figure cannot fall: %(value)s is more than "
                                "the %(after)s already reported for month %(month)d."
                            )
                            % {
                                "value": units.amount_text(v1, indicator.unit),
                                "after": units.amount_text(v2, indicator.unit),
                                "month": m2,
                            },
                        )
                    )
    return problems, merged
