"""The demo zone's targets for the year: last year's reviewed full-year figures raised by the
growth the zone plans, for the zone and for each park's output, as a 管委会 sets them."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q, Sum

from parkbrain.cockpit import targets
from parkbrain.registry.choices import AreaKind
from parkbrain.registry.models import Park, Zone
from parkbrain.reporting.choices import ReportStatus
from parkbrain.reporting.models import Indicator, ReportValue

# The growth each target asks for on last year's figure.
PLANNED_GROWTH = {
    "output_value": Decimal("0.08"),
    "taxes": Decimal("0.06"),
    "investment": Decimal("0.10"),
}


def _last_year(zone: Zone, year: int, code: str, park: Park | None) -> Decimal | None:
    values = ReportValue.objects.filter(
        report__enterprise__zone=zone,
        report__year=year - 1,
        report__month=12,
        report__status=ReportStatus.ACCEPTED,
        indicator__code=code,
    )
    if park is not None:
        values = values.filter(
            Q(report__enterprise__park=park) | Q(report__enterprise__park__located_in=park)
        )
    return values.aggregate(total=Sum("value"))["total"]


def build_targets(zone: Zone, year: int) -> int:
    admin = get_user_model().objects.get(username="admin")
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=PLANNED_GROWTH)}
    scopes = [(None, code) for code in PLANNED_GROWTH] + [
        (park, "output_value") for park in Park.objects.filter(zone=zone, kind=AreaKind.PARK)
    ]
    made = 0
    for park, code in scopes:
        base = _last_year(zone, year, code, park)
        if base and base > 0:
            value = (base * (1 + PLANNED_GROWTH[code])).quantize(Decimal(1))
            targets.set_target(zone, year, indicators[code], park, value, admin)
            made += 1
    return made
