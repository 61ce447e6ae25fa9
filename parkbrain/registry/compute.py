"""Figures about the zone computed from registry rows."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum

from .choices import IN_BUSINESS, AreaKind
from .models import MU_PER_KM2, AboveScaleYear, Enterprise, Park, RegionYear, Zone


@dataclass(frozen=True)
class Share:
    """A part of a whole, with both terms kept so a page can show how it was computed."""

    numerator: Decimal
    denominator: Decimal
    unit: str

    @property
    def ratio(self) -> float | None:
        return float(self.numerator / self.denominator) if self.denominator else None


@dataclass(frozen=True)
class ZoneLand:
    """The zone's land and people: the sum over its parks (centres lie inside parks)."""

    area_km2: Decimal
    population: int
    park_count: int
    centre_count: int
    baseline_year: int | None
    area_share: Share | None
    population_share: Share | None


def latest_above_scale_year(zone: Zone | None) -> int | None:
    if zone is None:
        return None
    return AboveScaleYear.objects.filter(enterprise__zone=zone).aggregate(year=Max("year"))["year"]


def above_scale_years_of(zone: Zone) -> list[int]:
    """The years for which the zone has determined its above-size list."""
    return list(
        AboveScaleYear.objects.filter(enterprise__zone=zone)
        .values_list("year", flat=True)
        .distinct()
        .order_by("year")
    )


def above_scale_counts(enterprises: QuerySet[Enterprise]) -> dict[int, int]:
    """Year → number of enterprises above designated size that year."""
    rows = (
        AboveScaleYear.objects.filter(enterprise__in=enterprises)
        .values("year")
        .annotate(n=Count("id"))
        .order_by("year")
    )
    return {row["year"]: row["n"] for row in rows}


def market_entity_count(enterprises: QuerySet[Enterprise]) -> int:
    """Market entities still in business (operating or suspended) in the zone."""
    return enterprises.filter(status__in=IN_BUSINESS).count()


def zone_land(zone: Zone) -> ZoneLand:
    parks = Park.objects.filter(zone=zone)
    totals = parks.aggregate(
        mu=Sum("area_mu", filter=Q(kind=AreaKind.PARK)),
        people=Sum("population", filter=Q(kind=AreaKind.PARK)),
        parks=Count("id", filter=Q(kind=AreaKind.PARK)),
        centres=Count("id", filter=Q(kind=AreaKind.CENTRE)),
    )
    area_km2 = (totals["mu"] or Decimal(0)) / MU_PER_KM2
    population = totals["people"] or 0
    baseline = RegionYear.objects.filter(region_id=zone.region_id).order_by("-year").first()
    return ZoneLand(
        area_km2=area_km2,
        population=population,
        park_count=totals["parks"],
        centre_count=totals["centres"],
        baseline_year=baseline.year if baseline else None,
        area_share=Share(area_km2, baseline.area_km2, "km²") if baseline else None,
        population_share=Share(Decimal(population), Decimal(baseline.population), "人")
        if baseline
        else None,
    )


def park_figures(zone: Zone, enterprises: QuerySet[Enterprise], year: int | None) -> list[Park]:
    """Parks, then centres, each with `enterprise_count` and `above_scale_count` over the
    given enterprises; a park's figures include the centres inside it."""
    parks = list(
        Park.objects.filter(zone=zone)
        .select_related("located_in")
        .annotate(own_count=Count("enterprises", filter=Q(enterprises__in=enterprises)))
    )
    above = counts_by(enterprises.above_scale_in(year), "park") if year else []
    above_by_park = {row["park_id"]: row["n"] for row in above}
    by_id = {park.id: park for park in parks}
    for park in parks:
        park.enterprise_count = park.own_count
        park.above_scale_count = above_by_park.get(park.id, 0)
    for park in parks:
        if park.located_in_id in by_id:
            by_id[park.located_in_id].enterprise_count += park.own_count
            by_id[park.located_in_id].above_scale_count += above_by_park.get(park.id, 0)
    return sorted(parks, key=lambda park: (park.kind != AreaKind.PARK, park.sort_order))


def counts_by(enterprises: QuerySet[Enterprise], field: str) -> list[dict]:
    """Enterprise counts grouped by a related field's id and name, largest first."""
    return list(
        enterprises.values(f"{field}_id", f"{field}__name")
        .annotate(n=Count("id"))
        .order_by("-n", f"{field}__name")
    )
