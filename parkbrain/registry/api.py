"""Read access to the registry for people (session) and machines (bearer token)."""

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from parkbrain.core.api import filtered, refusals

from . import tenancy
from .compute import latest_above_scale_year
from .filters import EnterpriseFilter
from .models import Enterprise, Industry, Park

router = Router(tags=["registry"])


class EnterpriseOut(Schema):
    id: int
    credit_code: str = Field(description="Unified social credit code (GB 32100)")
    name: str
    legal_representative: str
    founded_on: date
    settled_on: date | None
    registered_capital_yuan: Decimal
    industry_code: str = Field(description="GB/T 4754-2017 class code")
    industry_code_name: str
    industry: str | None = Field(description="Key of the zone industry (3+1)")
    park_id: int | None
    park: str | None
    land_area_mu: Decimal
    ownership: str
    status: str
    tags: list[str]
    above_scale_years: list[int] = Field(description="Years the enterprise was above size")

    @staticmethod
    def resolve_industry_code(obj: Enterprise) -> str:
        return obj.industry_code.code

    @staticmethod
    def resolve_industry_code_name(obj: Enterprise) -> str:
        return obj.industry_code.name

    @staticmethod
    def resolve_industry(obj: Enterprise) -> str | None:
        return obj.industry.slug if obj.industry else None

    @staticmethod
    def resolve_park(obj: Enterprise) -> str | None:
        return obj.park.name if obj.park else None

    @staticmethod
    def resolve_tags(obj: Enterprise) -> list[str]:
        return [tag.slug for tag in obj.tags.all()]

    @staticmethod
    def resolve_above_scale_years(obj: Enterprise) -> list[int]:
        return sorted(row.year for row in obj.above_scale_years.all())


class EnterpriseQuery(Schema):
    q: str | None = Field(None, description="Part of the name, or the start of the credit code")
    park: int | None = Field(None, description="Park or centre id (a park includes its centres)")
    industry: str | None = Field(None, description="Zone industry key")
    above_scale: str | None = Field(None, pattern="^(yes|no)$")
    year: int | None = Field(None, description="Year for above_scale; default the latest")
    tag: str | None = None
    ownership: str | None = None
    status: str | None = None
    sort: str | None = Field(
        None, description="name, credit_code, founded_on, capital, land; - for descending"
    )


class ParkOut(Schema):
    id: int
    name: str
    kind: str
    located_in_id: int | None
    area_mu: Decimal
    area_km2: Decimal
    population: int
    focus: str
    outline: dict | None = Field(description="GeoJSON geometry, WGS 84")


class IndustryOut(Schema):
    slug: str
    name: str
    name_en: str
    codes: list[str] = Field(description="GB/T 4754-2017 codes at any level")

    @staticmethod
    def resolve_codes(obj: Industry) -> list[str]:
        return sorted(code.code for code in obj.codes.all())


class MeOut(Schema):
    kind: str = Field(description="user or token")
    role: str | None
    zone: str | None
    enterprise_ids: list[int] | None = Field(description="null when the whole zone is visible")


def _enterprises(request: HttpRequest):
    return (
        tenancy.visible_enterprises(request.auth)
        .select_related("industry_code", "industry", "park")
        .prefetch_related("tags", "above_scale_years")
    )


@router.get(
    "/me", response={200: MeOut, **refusals()}, summary="Who the caller is and what it may see"
)
def me(request: HttpRequest):
    scope = tenancy.scope_of(request.auth)
    zone = tenancy.zone_of(request.auth)
    return {
        "kind": "user" if hasattr(request.auth, "is_authenticated") else "token",
        "role": scope.role,
        "zone": zone.name if zone else None,
        "enterprise_ids": None if scope.sees_whole_zone else sorted(scope.enterprise_ids),
    }


@router.get(
    "/enterprises",
    response={200: list[EnterpriseOut], **refusals(400, 422)},
    summary="Enterprises the caller may see",
)
@paginate
def list_enterprises(request: HttpRequest, filters: Query[EnterpriseQuery]):
    zone = tenancy.zone_of(request.auth)
    filterset = EnterpriseFilter(
        {key: value for key, value in filters.dict().items() if value is not None},
        queryset=_enterprises(request),
        zone=zone,
        default_year=latest_above_scale_year(zone),
    )
    return filtered(filterset)


@router.get(
    "/enterprises/{enterprise_id}",
    response={200: EnterpriseOut, **refusals(404, 422)},
    summary="One enterprise",
)
def get_enterprise(request: HttpRequest, enterprise_id: int):
    return get_object_or_404(_enterprises(request), pk=enterprise_id)


@router.get(
    "/parks",
    response={200: list[ParkOut], **refusals()},
    summary="The zone's parks and centres",
)
def list_parks(request: HttpRequest):
    return Park.objects.filter(zone=tenancy.zone_of(request.auth))


@router.get(
    "/parks/{park_id}",
    response={200: ParkOut, **refusals(404, 422)},
    summary="One park or centre",
)
def get_park(request: HttpRequest, park_id: int):
    return get_object_or_404(Park, zone=tenancy.zone_of(request.auth), pk=park_id)


@router.get(
    "/industries",
    response={200: list[IndustryOut], **refusals()},
    summary="The zone's industries (3+1)",
)
def list_industries(request: HttpRequest):
    return Industry.objects.filter(zone=tenancy.zone_of(request.auth)).prefetch_related("codes")
