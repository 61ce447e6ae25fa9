"""Pages: an enterprise's reports and the month form, uploads, the analyst's completeness view."""

import csv
import io
from collections import Counter, defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from parkbrain.core.people import person_name
from parkbrain.registry import tenancy
from parkbrain.registry.choices import Role
from parkbrain.registry.filters import EnterpriseFilter
from parkbrain.registry.models import Assignment

from . import compute, imports, obligations, services, units
from .choices import Basis, Channel, EnergyConvention, ReportStatus
from .models import ImportFile, Indicator, MonthlyReport, ReportRevision, ReportWarning
from .periods import last_complete_month, months_over
from .spreadsheets import (
    MAX_UPLOAD_BYTES,
    XLSX_CONTENT_TYPE,
    append_text_row,
    size_refusal,
    template_csv,
    template_workbook,
    text_cell,
)
from .validation import FIRST_YEAR, IncomingRow

PROBLEMS_SHOWN = 500
LAST_YEAR = 2100  # the last year a page may be asked for


def _can_edit(user, report: MonthlyReport | None) -> bool:
    scope = tenancy.scope_of(user)
    if scope.sees_whole_zone:
        return True
    if scope.role != Role.ENTERPRISE:
        return False
    return report is None or report.status in services.EDITABLE


def _year_param(request: HttpRequest, default: int) -> int:
    """The year asked for, or `default` when it is not a year reports can be about."""
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    # The URL of a month and the database's small integers take no other years.
    return year if FIRST_YEAR <= year <= LAST_YEAR else default


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    scope = tenancy.scope_of(request.user)
    if scope.role == Role.ENTERPRISE:
        return redirect("reporting:enterprise", pk=next(iter(scope.enterprise_ids)))
    return redirect("reporting:completeness")


@login_required
def enterprise_reports(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = tenancy.get_visible_enterprise(request.user, pk)
    today = timezone.localdate()
    year = _year_param(request, last_complete_month(today)[0])
    reports = {
        r.month: r
        for r in MonthlyReport.objects.filter(enterprise=enterprise, year=year).prefetch_related(
            "warnings"
        )
    }
    monthly = services.monthly_by_report(
        {enterprise.id}, {year, year - 1}, compute.CoefficientTable.load()
    )
    over = months_over(year, today)
    months = []
    for month in range(1, 13):
        report = reports.get(month)
        this = monthly.get((enterprise.id, year, month), {})
        months.append(
            {
                "month": month,
                "report": report,
                "over": month in over,
                "output": this.get("output_value"),
                "warnings": len(report.warnings.all()) if report else 0,
            }
        )
    chart = {
        "labels": [f"{m}月" for m in range(1, 13)],
        "series": [
            {
                "name": str(y),
                "values": [
                    _wan(monthly.get((enterprise.id, y, m), {}).get("output_value"))
                    for m in range(1, 13)
                ],
            }
            for y in (year - 1, year)
        ],
        "unit": _("ten-thousand yuan"),
    }
    return render(
        request,
        "reporting/enterprise.html",
        {
            "enterprise": enterprise,
            "year": year,
            "years": list(range(today.year, today.year - 6, -1)),
            "months": months,
            "chart": chart,
            "warnings": ReportWarning.objects.filter(
                report__enterprise=enterprise, report__year=year
            )
            .select_related("report", "indicator")
            .order_by("report__month"),
            "history": _revisions(enterprise),
            "uploads": ImportFile.objects.filter(enterprise=enterprise)
            .select_related("job")
            .defer("job__payload")[:10],
            "can_upload": _can_edit(request.user, None),
        },
    )


def _revisions(enterprise, limit: int = 12) -> list[dict]:
    """The latest savings of this enterprise's reports, each with its changed figures named."""
    named = {
        code: (name, unit)
        for code, name, unit in Indicator.objects.values_list("code", "name", "unit")
    }
    revisions = ReportRevision.objects.filter(report__enterprise=enterprise).select_related(
        "report", "changed_by", "token"
    )[:limit]

    def change(code: str, old: str | None, new: str | None) -> tuple:
        name, unit = named.get(code, (code, ""))
        shown = [None if v is None else units.amount_text(Decimal(v), unit) for v in (old, new)]
        return (name, *shown)

    return [
        {
            "revision": revision,
            "changes": [change(code, old, new) for code, (old, new) in revision.changes.items()],
        }
        for revision in revisions
    ]


def _wan(value: Decimal | None) -> float | None:
    return None if value is None else round(float(value) / 10_000, 1)


@login_required
def report_month(request: HttpRequest, pk: int, year: int, month: int) -> HttpResponse:
    enterprise = tenancy.get_visible_enterprise(request.user, pk)
    today = timezone.localdate()
    if month not in months_over(year, today):
        raise Http404
    report = MonthlyReport.objects.filter(enterprise=enterprise, year=year, month=month).first()
    indicators = list(Indicator.objects.all())
    errors: dict[str, str] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action in ("accept", "return"):
            return _review(request, report, action)
        if action == "withdraw":
            return _withdraw(request, report)
        if not _can_edit(request.user, report):
            raise PermissionDenied
        posted = {i.code: request.POST.get(i.code, "") for i in indicators if not i.derived}
        units_of = {i.code: i.unit for i in indicators}
        stored_codes = set(
            report.values.values_list("indicator__code", flat=True) if report else ()
        )
        # An emptied field removes the figure it held.
        row = IncomingRow(
            enterprise.credit_code,
            year,
            month,
            {
                code: units.from_entry(text, units_of[code])
                for code, text in posted.items()
                if text.strip()
            },
            labels={i.code: i.code for i in indicators},
            clear={code for code, text in posted.items() if not text.strip()} & stored_codes,
        )
        try:
            result = services.save_reports(
                [row], request.user, Channel.FORM, submit=action == "submit"
            )
        except services.ReportsRejected as rejected:
            for problem in rejected.problems:
                errors[problem.column] = problem.reason
        else:
            if result.unchanged:
                messages.info(request, _("Nothing changed."))
            elif result.submitted:
                messages.success(request, _("Saved and submitted for review."))
            else:
                messages.success(request, _("Saved as a draft."))
            return redirect("reporting:month", pk=enterprise.pk, year=year, month=month)
    stored = dict(report.values.values_list("indicator__code", "value")) if report else {}
    convention = request.GET.get("convention", EnergyConvention.EQUIVALENT)
    if convention not in EnergyConvention.values:
        convention = EnergyConvention.EQUIVALENT
    monthly = services.monthly_by_report(
        {enterprise.id}, {year, year - 1}, compute.CoefficientTable.load(), convention=convention
    )
    this, last_year = (
        monthly.get((enterprise.id, year, month), {}),
        monthly.get((enterprise.id, year - 1, month), {}),
    )
    fields = [
        {
            "indicator": indicator,
            "unit": units.people_unit(indicator.unit),
            "value": posted.get(
                indicator.code, units.entry_text(stored.get(indicator.code), indicator.unit)
            ),
            "error": errors.get(indicator.code),
            "month_value": units.to_people(this.get(indicator.code), indicator.unit),
            "last_year": units.to_people(last_year.get(indicator.code), indicator.unit),
            "cumulative": indicator.basis == Basis.CUMULATIVE,
        }
        for indicator in indicators
    ]
    scope = tenancy.scope_of(request.user)
    return render(
        request,
        "reporting/month.html",
        {
            "enterprise": enterprise,
            "year": year,
            "month": month,
            "report": report,
            "fields": fields,
            "form_errors": [
                e for key, e in errors.items() if key not in stored and key not in posted
            ],
            "can_edit": _can_edit(request.user, report),
            "can_withdraw": scope.role == Role.ENTERPRISE
            and report is not None
            and report.status == ReportStatus.SUBMITTED,
            "convention": convention,
            "conventions": EnergyConvention.choices,
            "can_review": scope.sees_whole_zone,
            "status_history": report.status_changes.select_related("changed_by") if report else [],
            "warnings": report.warnings.select_related("indicator") if report else [],
        },
    )


def _withdraw(request: HttpRequest, report: MonthlyReport | None) -> HttpResponse:
    if report is None:
        raise Http404
    if tenancy.scope_of(request.user).role != Role.ENTERPRISE:
        raise PermissionDenied
    try:
        services.withdraw_report(report, request.user, Channel.FORM)
        messages.success(request, _("Withdrawn: the report is a draft again, to correct."))
    except services.ReviewRefused as refused:
        messages.error(request, str(refused))
    return redirect(
        "reporting:month", pk=report.enterprise_id, year=report.year, month=report.month
    )


def _review(request: HttpRequest, report: MonthlyReport | None, action: str) -> HttpResponse:
    if report is None:
        raise Http404
    try:
        if action == "accept":
            services.accept_report(report, request.user)
            messages.success(request, _("Report accepted."))
        else:
            services.return_report(report, request.user, request.POST.get("reason", ""))
            messages.success(request, _("Report returned to the enterprise."))
    except services.ReviewRefused as refused:
        messages.error(request, str(refused))
    return redirect(
        "reporting:month", pk=report.enterprise_id, year=report.year, month=report.month
    )


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    scope = tenancy.scope_of(request.user)
    if not (scope.sees_whole_zone or scope.role == Role.ENTERPRISE):
        raise PermissionDenied
    upload_file = request.FILES.get("file")
    if upload_file is None:
        messages.error(request, _("Choose a file to upload."))
        return redirect("reporting:mine")
    if upload_file.size <= MAX_UPLOAD_BYTES:
        # Checked and saved by the worker: a large file takes longer than a request may.
        job = imports.queue_upload(
            upload_file.name,
            upload_file.read(),
            request.user,
            submit=bool(request.POST.get("submit")),
            back=_safe_back(request),
        )
        return redirect("jobs:detail", pk=job.pk)
    # Refused before it is read into memory; the page says why.
    outcome = services.refuse_file(
        upload_file.name, upload_file.size, request.user, size_refusal(upload_file.size)
    )
    return render(
        request,
        "reporting/upload_result.html",
        {
            "outcome": outcome,
            "problems": outcome.problems[:PROBLEMS_SHOWN],
            "problems_hidden": max(0, len(outcome.problems) - PROBLEMS_SHOWN),
            "back": _safe_back(request),
        },
    )


def _safe_back(request: HttpRequest) -> str:
    """Where "Back" leads: the page the upload came from, if it is one of ours."""
    back = request.POST.get("back", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return back
    return reverse("reporting:mine")


@login_required
def template(request: HttpRequest) -> HttpResponse:
    scope = tenancy.scope_of(request.user)
    today = timezone.localdate()
    year, month = last_complete_month(today)
    if scope.role == Role.ENTERPRISE:
        enterprise = tenancy.visible_enterprises(request.user).get()
        # The months it owes (none yet, drafts, returned); else the latest, to start from.
        owed = [(o.year, o.month) for o in obligations.owed_months(enterprise, today)]
        prefill = [
            (enterprise.credit_code, enterprise.name, y, m) for y, m in owed or [(year, month)]
        ]
    else:
        firms = tenancy.visible_enterprises(request.user).above_scale_in(year).order_by("name")
        prefill = [(e.credit_code, e.name, year, month) for e in firms]
    if request.GET.get("format") == "csv":
        response = HttpResponse(template_csv(prefill), content_type="text/csv; charset=utf-8")
        filename = "monthly-report-template.csv"
    else:
        response = HttpResponse(template_workbook(prefill), content_type=XLSX_CONTENT_TYPE)
        filename = "monthly-report-template.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def completeness(request: HttpRequest) -> HttpResponse:
    scope = tenancy.scope_of(request.user)
    if scope.role == Role.ENTERPRISE:
        return redirect("reporting:mine")
    zone = tenancy.zone_of(request.user)
    today = timezone.localdate()
    year = _year_param(request, last_complete_month(today)[0])
    filterset = EnterpriseFilter(
        request.GET or None,
        queryset=tenancy.visible_enterprises(request.user).above_scale_in(year),
        zone=zone,
        default_year=year,
    )
    firms = list(filterset.qs.select_related("park").order_by("name", "id"))
    months = months_over(year, today)
    show_all = request.GET.get("all") == "1"
    status = defaultdict(dict)
    for enterprise_id, month, state in MonthlyReport.objects.filter(
        enterprise__in=firms, year=year
    ).values_list("enterprise_id", "month", "status"):
        status[enterprise_id][month] = state
    rows = []
    per_month = {m: Counter() for m in months}
    for firm in firms:
        cells = []
        for month in months:
            state = status[firm.id].get(month, "missing")
            per_month[month][state] += 1
            cells.append(state)
        missing = [
            m
            for m, state in zip(months, cells, strict=True)
            if state in ("missing", "draft", "returned")
        ]
        rows.append({"enterprise": firm, "cells": cells, "missing": missing})
    owing = [row for row in rows if row["missing"]]
    if request.GET.get("export") in ("xlsx", "csv"):
        return _reminder_export(request.GET["export"], year, rows)
    return render(
        request,
        "reporting/completeness.html",
        {
            "year": year,
            "years": list(range(today.year, today.year - 6, -1)),
            "months": months,
            "rows": rows if show_all else owing,
            "show_all": show_all,
            "owing_count": len(owing),
            "filter": filterset,
            "summary": [
                {
                    "month": m,
                    "accepted": per_month[m]["accepted"],
                    "submitted": per_month[m]["submitted"],
                    "pending": per_month[m]["draft"] + per_month[m]["returned"],
                    "missing": per_month[m]["missing"],
                }
                for m in months
            ],
            "firm_count": len(firms),
            "query": request.GET.urlencode(),
        },
    )


def _reminder_export(kind: str, year: int, rows: list[dict]) -> HttpResponse:
    """Enterprises still owing reports, with the months they owe and who serves them."""
    header = ["统一社会信用代码", "企业名称", "园区/中心", "未报或未提交的月份", "项目经理人"]
    firms = [row["enterprise"] for row in rows if row["missing"]]
    managers = defaultdict(list)
    today = timezone.localdate()
    current = Assignment.objects.filter(
        Q(until__isnull=True) | Q(until__gte=today), enterprise__in=firms, since__lte=today
    ).select_related("manager")
    for assignment in current.order_by("since", "id"):
        name = person_name(assignment.manager)
        if name not in managers[assignment.enterprise_id]:
            managers[assignment.enterprise_id].append(name)
    lines = [
        [
            row["enterprise"].credit_code,
            row["enterprise"].name,
            row["enterprise"].park.name if row["enterprise"].park else "",
            "、".join(f"{m}月" for m in row["missing"]),
            "、".join(managers[row["enterprise"].id]),
        ]
        for row in rows
        if row["missing"]
    ]
    name = f"reminders-{year}"
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows([[text_cell(value) for value in line] for line in lines])
        response = HttpResponse(
            buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{year}年催报名单"
    append_text_row(sheet, header)
    for line in lines:
        append_text_row(sheet, line)
    for column, width in zip("ABCDE", (24, 36, 22, 40, 16), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
