"""Annual targets against what is done: the year to date's completion rate beside the share of
the year gone (the monthly meeting's 时间过半、任务过半 check from June on), and the month's
figure with its change on the month before (环比) and on the same month last year (同比).

Everything is computed from the same counted reports as the cockpit; `progress` reads them once
per scope (the zone, or one park) and the rest are pure functions over the rows."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from parkbrain.monitoring.choices import DataBasis
from parkbrain.monitoring.counting import Counting
from parkbrain.registry import tenancy
from parkbrain.registry.choices import Role
from parkbrain.registry.models import Park, Zone
from parkbrain.reporting.models import Indicator

from . import compute
from .choices import PeriodKind
from .compute import FirmRows, Period
from .models import AnnualTarget

# Targets are set for the cockpit's year-to-date sums.
TARGET_CODES = compute.HEADLINE_CODES
HALF_YEAR = 6


class TargetRefused(Exception):
    """The target cannot be set; the message says why."""


@dataclass
class Progress:
    target: AnnualTarget
    done: Decimal | None  # year to date, in the indicator's unit
    growth: Decimal | None  # 累计增速, a fraction
    completion: Decimal | None  # done ÷ target
    time_share: Decimal  # months over ÷ 12
    month_value: Decimal | None  # the month itself (当月)
    month_on_month: Decimal | None  # 环比, a fraction
    month_on_year: Decimal | None  # 当月同比, a fraction
    firms: int  # enterprises in the year-to-date figure
    held_out: int  # reports of the month left out (awaiting review or failing a check)

    @property
    def ahead(self) -> Decimal | None:
        """Completion minus the share of the year gone: positive is ahead of time."""
        return None if self.completion is None else self.completion - self.time_share

    @property
    def ahead_points(self) -> Decimal | None:
        """How far ahead of (or behind) time, in percentage points."""
        return None if self.ahead is None else abs(self.ahead) * 100

    @property
    def half_check(self) -> bool | None:
        """From June on, whether at least half the target is done; None before June."""
        if self.time_share < Decimal(HALF_YEAR) / 12 or self.completion is None:
            return None
        return self.completion >= Decimal("0.5")


def month_total(rows: FirmRows, code: str, year_index: int, month: int) -> dict[int, Decimal]:
    """Each enterprise's figure for the month alone (year-to-date difference; January is its
    own month), in the year of `year_index` (0 this year, 1 the year before)."""
    months = rows.get(code, {})
    now = months.get(month, {})
    before = months.get(month - 1, {}) if month > 1 else None
    result = {}
    for firm, pair in now.items():
        value = pair[year_index]
        if value is None:
            continue
        if before is None:
            result[firm] = value
            continue
        previous = before.get(firm, (None, None))[year_index]
        if previous is not None:
            result[firm] = value - previous
    return result


def change(now: dict[int, Decimal], then: dict[int, Decimal]) -> Decimal | None:
    """The comparable change of a sum: the firms with both figures, now over then, minus 1."""
    both = now.keys() & then.keys()
    base = sum((then[f] for f in both), Decimal(0))
    if not both or base <= 0:
        return None
    return sum((now[f] for f in both), Decimal(0)) / base - 1


def measure(target: AnnualTarget, rows: FirmRows, period: Period, held_out: int) -> Progress:
    code = target.indicator.code
    ytd = compute.period_values(rows, period, code)
    figure = compute.total(
        code, target.indicator.name, target.indicator.unit, ytd, period, timezone.localdate()
    )
    month = period.month
    this_month = month_total(rows, code, 0, month)
    if month > 1:
        previous = month_total(rows, code, 0, month - 1)
    else:  # January's month before is last December
        previous = month_total(rows, code, 1, 12)
    return Progress(
        target=target,
        done=figure.value,
        growth=figure.growth,
        completion=None if figure.value is None else figure.value / target.value,
        time_share=Decimal(month) / 12,
        month_value=sum(this_month.values(), Decimal(0)) if this_month else None,
        month_on_month=change(this_month, previous),
        month_on_year=change(this_month, month_total(rows, code, 1, month)),
        firms=figure.provenance.firms,
        held_out=held_out,
    )


def progress(zone: Zone, year: int, month: int, basis: str = DataBasis.REVIEWED) -> list[Progress]:
    """Every target of the zone's year, measured at the end of `month`."""
    period = Period(PeriodKind.YTD, year, month)
    targets = list(
        AnnualTarget.objects.filter(zone=zone, year=year).select_related("indicator", "park")
    )
    ids = dict(Indicator.objects.filter(code__in=TARGET_CODES).values_list("code", "pk"))
    counting = Counting.for_zone(zone, basis)
    months = {month, month - 1, month - 2} - {0, -1} if month > 1 else {1, 11, 12}
    result = []
    for park in {t.park for t in targets}:
        scope = Q(report__enterprise__zone=zone)
        if park is not None:
            scope &= Q(report__enterprise__park=park) | Q(report__enterprise__park__located_in=park)
        mine = [t for t in targets if t.park == park]
        codes = {t.indicator.code for t in mine}
        loaded = compute.load_firm_rows(scope, period, codes, months, ids, counting)
        for target in mine:
            held = {
                r
                for r, h in loaded.held.get(target.indicator.code, {}).items()
                if h.year == year and h.month == month
            }
            result.append(measure(target, loaded.rows, period, len(held)))
    order = {code: i for i, code in enumerate(TARGET_CODES)}
    return sorted(
        result,
        key=lambda p: (
            p.target.park is not None,
            p.target.park_id or 0,
            order[p.target.indicator.code],
        ),
    )


@transaction.atomic
def set_target(
    zone: Zone, year: int, indicator: Indicator, park: Park | None, value: Decimal, actor
) -> AnnualTarget:
    """Set (or change) a target; the zone's administrators only."""
    scope = tenancy.scope_of(actor)
    if scope.role != Role.ZONE_ADMIN or tenancy.zone_of(actor) != zone:
        raise TargetRefused(_("Only the zone's administrators set its targets."))
    if indicator.code not in TARGET_CODES:
        raise TargetRefused(_("Targets are set for the cockpit's year-to-date figures."))
    if park is not None and park.zone_id != zone.pk:
        raise TargetRefused(_("The park belongs to another zone."))
    if not value > 0:
        raise TargetRefused(_("A target is a positive amount."))
    target, _created = AnnualTarget.objects.update_or_create(
        zone=zone,
        year=year,
        indicator=indicator,
        park=park,
        defaults={"value": value, "set_by": actor},
    )
    return target
