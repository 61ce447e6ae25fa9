"""Early warnings over the API, read-only: people and machine tokens see what they may."""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from parkbrain.core.api import filtered, refusals
from parkbrain.registry import tenancy

from . import compute, services
from .filters import AlertFilter
from .models import Alert, AlertEvent

router = Router(tags=["monitoring"])


class WarningQuery(Schema):
    state: str | None = Field(
        None, description="open, acknowledged, resolved, cleared, live (default) or all"
    )
    rule: str | None = Field(None, description="rule code, e.g. output_ytd_decline")
    severity: str | None = Field(None, description="info, warning or critical")
    park: int | None = Field(None, description="park or centre id; a park includes its centres")
    month: str | None = Field(None, description="YYYY-MM: warnings whose condition held then")


class EventOut(Schema):
    kind: str
    at: datetime
    by: str | None
    note: str
    month: date | None

    @staticmethod
    def resolve_by(obj: AlertEvent) -> str | None:
        return obj.by.get_username() if obj.by else None


class WarningOut(Schema):
    id: int
    rule: str = Field(description="rule code")
    rule_name: str
    severity: str
    enterprise_id: int
    credit_code: str
    state: str
    first_month: date = Field(description="first day of the first month the condition held")
    last_month: date = Field(description="first day of the latest month the condition held")
    measured_value: Decimal | None
    compared_value: Decimal | None
    tested_value: Decimal | None = Field(description="what the rule's threshold was compared with")
    message: str

    @staticmethod
    def resolve_rule(obj: Alert) -> str:
        return obj.rule.code

    @staticmethod
    def resolve_rule_name(obj: Alert) -> str:
        return obj.rule.name

    @staticmethod
    def resolve_severity(obj: Alert) -> str:
        return obj.rule.severity

    @staticmethod
    def resolve_credit_code(obj: Alert) -> str:
        return obj.enterprise.credit_code


class WarningDetailOut(WarningOut):
    events: list[EventOut]

    @staticmethod
    def resolve_events(obj: Alert) -> list[AlertEvent]:
        return list(obj.events.select_related("by"))


class CountsOut(Schema):
    open: int
    acknowledged: int
    by_severity: dict[str, int] = Field(description="live warnings by severity")


def _alerts(request: HttpRequest):
    return services.visible_alerts(request.auth).select_related(
        "rule", "rule__indicator", "rule__other_indicator", "enterprise"
    )


@router.get(
    "/warnings",
    response={200: list[WarningOut], **refusals(400, 422)},
    summary="Warnings the caller may see",
)
@paginate
def list_warnings(request: HttpRequest, filters: Query[WarningQuery]):
    filterset = AlertFilter(
        {key: value for key, value in filters.dict().items() if value is not None},
        queryset=_alerts(request),
        zone=tenancy.zone_of(request.auth),
    )
    return filtered(filterset)


@router.get(
    "/warnings/counts",
    response={200: CountsOut, **refusals()},
    summary="Live warnings the caller may see",
)
def warning_counts(request: HttpRequest):
    counts = compute.open_warning_counts(tenancy.visible_enterprises(request.auth))
    return {
        "open": counts.open,
        "acknowledged": counts.acknowledged,
        "by_severity": counts.by_severity,
    }


@router.get(
    "/warnings/{warning_id}",
    response={200: WarningDetailOut, **refusals(404, 422)},
    summary="One warning",
)
def get_warning(request: HttpRequest, warning_id: int):
    return get_object_or_404(_alerts(request), pk=warning_id)
