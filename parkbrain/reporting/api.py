"""Monthly reports over the API: machines (one enterprise's token) and people (session)."""

import re
from decimal import Decimal

from django.db import IntegrityError
from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import StrictFloat, StrictInt, StrictStr

from parkbrain.core.api import ApiError, refusals
from parkbrain.registry import tenancy, uscc

from . import services
from .choices import Channel
from .models import Indicator, MonthlyReport, ReportValue
from .validation import IncomingRow

router = Router(tags=["reporting"])
PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


class IndicatorOut(Schema):
    code: str
    name: str
    name_en: str
    unit: str
    basis: str = Field(description="cumulative: year to date; monthly: the month alone")
    aggregation: str
    may_be_negative: bool
    derived: bool = Field(description="computed from other indicators; never sent")


class ReportIn(Schema):
    values: dict[str, StrictInt | StrictFloat | StrictStr | None] = Field(
        description=(
            "indicator code → value in the indicator's unit and basis; null removes a value. "
            "Send large or precise figures as strings: JSON numbers keep about 15 digits."
        )
    )
    submit: bool = Field(False, description="submit the report for review after saving")


class ReportWarningOut(Schema):
    """A plausibility warning stored with a report (not an early warning of /warnings)."""

    rule: str
    indicator: str | None
    message: str


class ReportOut(Schema):
    credit_code: str
    period: str
    status: str
    return_reason: str
    values: dict[str, Decimal]
    warnings: list[ReportWarningOut]

    @staticmethod
    def resolve_credit_code(obj: MonthlyReport) -> str:
        return obj.enterprise.credit_code

    @staticmethod
    def resolve_values(obj: MonthlyReport) -> dict[str, Decimal]:
        return {v.indicator.code: v.value for v in obj.values.all()}

    @staticmethod
    def resolve_warnings(obj: MonthlyReport) -> list[dict]:
        return [
            {
                "rule": w.rule,
                "indicator": w.indicator.code if w.indicator else None,
                "message": w.message,
            }
            for w in obj.warnings.all()
        ]


class SaveOut(Schema):
    report: ReportOut
    created: bool
    changed_values: int
    unchanged: bool = Field(description="true when the request repeated what was stored")
    submitted: bool


def _period(period: str) -> tuple[int, int]:
    match = PERIOD.match(period)
    if not match:
        raise ApiError(400, [{"column": "period", "value": period, "reason": "use YYYY-MM"}])
    return int(match.group(1)), int(match.group(2))


def _reports(request: HttpRequest):
    return tenancy.restrict(MonthlyReport.objects.all(), request.auth, via="enterprise")


def _with_details(queryset):
    return queryset.select_related("enterprise").prefetch_related(
        Prefetch("values", ReportValue.objects.select_related("indicator")),
        "warnings__indicator",
    )


@router.get(
    "/indicators",
    response={200: list[IndicatorOut], **refusals()},
    summary="The indicator catalogue",
)
def list_indicators(request: HttpRequest):
    return Indicator.objects.all()


@router.get(
    "/reports",
    response={200: list[ReportOut], **refusals(422)},
    summary="Reports the caller may see",
)
@paginate
def list_reports(request: HttpRequest, year: int | None = None, month: int | None = None):
    reports = _reports(request)
    if year:
        reports = reports.filter(year=year)
    if month:
        reports = reports.filter(month=month)
    return _with_details(reports.order_by("-year", "-month", "enterprise__credit_code"))


@router.get(
    "/reports/{credit_code}/{period}",
    response={200: ReportOut, **refusals(400, 404)},
    summary="One month's report",
)
def get_report(request: HttpRequest, credit_code: str, period: str):
    year, month = _period(period)
    return get_object_or_404(
        _with_details(_reports(request)),
        enterprise__credit_code=uscc.normalise(credit_code),
        year=year,
        month=month,
    )


@router.put(
    "/reports/{credit_code}/{period}",
    response={200: SaveOut, 201: SaveOut, **refusals(400, 403, 404, 413, 422)},
    summary="Create or update one month's report (idempotent)",
    description=(
        "Send the figures of one month. Sending the same figures again changes nothing and "
        "answers unchanged=true. A bad value refuses the whole request with 400 and a list of "
        "problems (column, value, reason); nothing is saved."
    ),
)
def put_report(request: HttpRequest, credit_code: str, period: str, payload: ReportIn):
    year, month = _period(period)
    code = uscc.normalise(credit_code)
    if not tenancy.visible_enterprises(request.auth).filter(credit_code=code).exists():
        raise HttpError(404, "Not Found")
    if not tenancy.writable_enterprises(request.auth).filter(credit_code=code).exists():
        raise HttpError(
            403, "Project managers read reports; the enterprise or the zone writes them."
        )
    values = {k: v for k, v in payload.values.items() if v is not None}
    clear = {k for k, v in payload.values.items() if v is None}
    row = IncomingRow(code, year, month, values, clear=clear)
    for attempt in (1, 2):
        try:
            result = services.save_reports([row], request.auth, Channel.API, submit=payload.submit)
            break
        except services.ReportsRejected as rejected:
            raise ApiError(400, [p.as_dict() for p in rejected.problems]) from rejected
        except IntegrityError:
            # Two first reports for the same month at once: the second sees the first's row.
            if attempt == 2:
                raise
    report = _with_details(MonthlyReport.objects.filter(pk=result.report_ids[0])).get()
    return Status(
        201 if result.reports_created else 200,
        {
            "report": report,
            "created": bool(result.reports_created),
            "changed_values": result.values_changed,
            "unchanged": result.unchanged,
            "submitted": bool(result.submitted),
        },
    )
