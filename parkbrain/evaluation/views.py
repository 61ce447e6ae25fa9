"""Pages: the year's results with grade counts, one enterprise's explanation, the
differentiated-price simulator, the spreadsheet counties publish, and the life-cycle steps.

Zone staff see the zone, project managers their assigned enterprises' results, an enterprise
user only its own result (and the zone's scores as an anonymous distribution). Drafts are
for the zone's administrators and analysts; others see an evaluation once it is published.
"""

import io
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from parkbrain.monitoring.choices import HoldReason
from parkbrain.registry import tenancy
from parkbrain.registry.choices import Role
from parkbrain.registry.models import Enterprise, Industry, Park
from parkbrain.reporting.choices import ReportStatus
from parkbrain.reporting.spreadsheets import XLSX_CONTENT_TYPE, append_text_row

from . import compute, services
from .choices import EventKind, Grade, Measure, ObjectionStatus, Resource, RunStatus, SubjectGroup
from .models import EvaluationRun, GradeEvent, Objection, PolicyRate, Result, ResultMember

PAGE_SIZE = 50
UNGRADED_LABELS = {
    compute.UNGRADED_STARTUP: gettext_lazy("start-up"),
    compute.UNGRADED_NOT_PRODUCING: gettext_lazy("not yet producing"),
    compute.UNGRADED_NO_LAND: gettext_lazy("no land of its own"),
}


def _year(request: HttpRequest, zone) -> int:
    """The year asked for, or the latest evaluated one; a year no evaluation can have (before
    2000, after 2100, not a number) is the default too."""
    default = (
        EvaluationRun.objects.filter(zone=zone).order_by("-year").values_list("year", flat=True)
    ).first() or timezone.localdate().year - 1
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        return default
    return year if 2000 <= year <= 2100 else default


def _visible_run(user, year: int) -> EvaluationRun | None:
    """The zone's evaluation of the year if this user may see it: drafts only for staff."""
    zone = tenancy.zone_of(user)
    run = EvaluationRun.objects.filter(zone=zone, year=year).first() if zone else None
    if run is not None and run.status == RunStatus.DRAFT and not services.can_act(user):
        return None
    return run


def _visible_results(user, run: EvaluationRun) -> QuerySet[Result]:
    members = tenancy.restrict(ResultMember.objects.filter(run=run), user, via="enterprise")
    return Result.objects.filter(run=run, pk__in=members.values("result_id"))


def _visible_ids(user) -> set[int] | None:
    """The enterprises this user may see by name; None when it sees the whole zone."""
    if tenancy.scope_of(user).sees_whole_zone:
        return None
    return set(tenancy.visible_enterprises(user).values_list("id", flat=True))


def _shown(result: Result, visible: set[int] | None) -> dict:
    """A subject as this user may see it: a shared parcel names only the enterprises the user
    may see, and counts the others."""
    members = sorted(result.members.all(), key=lambda m: m.enterprise_id)
    seen = [m for m in members if visible is None or m.enterprise_id in visible]
    hidden = len(members) - len(seen)
    names = "、".join(m.enterprise.name for m in seen)
    if hidden:
        names += _("（and %(n)d other enterprise on the parcel）") % {"n": hidden}
    return {
        "name": names if visible is not None else result.name,
        "link": seen[0].enterprise_id if seen else None,
        "members": [m.enterprise for m in seen],
        "hidden": hidden,
    }


def _held_rows(run: EvaluationRun, visible: set[int] | None) -> list[dict]:
    """The reports the evaluation left out, for enterprises this user may see."""
    held = [h for h in run.held_out if visible is None or h["enterprise"] in visible]
    names = dict(
        Enterprise.objects.filter(pk__in={h["enterprise"] for h in held}).values_list("pk", "name")
    )
    return [
        {
            **h,
            "name": names.get(h["enterprise"], ""),
            "status_label": ReportStatus(h["status"]).label,
            "reason_label": HoldReason(h["reason"]).label,
        }
        for h in held
    ]


def _years(zone) -> list[int]:
    this = timezone.localdate().year
    known = set(EvaluationRun.objects.filter(zone=zone).values_list("year", flat=True))
    return sorted(known | set(range(this - 3, this)), reverse=True)


@login_required
def results(request: HttpRequest) -> HttpResponse:
    scope = tenancy.scope_of(request.user)
    if scope.role == Role.ENTERPRISE:
        return redirect("evaluation:enterprise", pk=next(iter(scope.enterprise_ids)))
    zone = tenancy.zone_of(request.user)
    if zone is None:
        raise PermissionDenied
    year = _year(request, zone)
    run = _visible_run(request.user, year)
    rows = _visible_results(request.user, run) if run else Result.objects.none()
    group = request.GET.get("group", "")
    grade = request.GET.get("grade", "")
    park = request.GET.get("park", "")
    industry = request.GET.get("industry", "")
    text = request.GET.get("q", "").strip()
    counts = {
        g: Counter(rows.filter(group=g).values_list("grade", flat=True))
        for g in SubjectGroup.values
    }
    if group in SubjectGroup.values:
        rows = rows.filter(group=group)
    if grade in Grade.values:
        rows = rows.filter(grade=grade)
    if park.isdigit():
        rows = rows.filter(members__enterprise__park_id=int(park)).distinct()
    if industry.isdigit():
        rows = rows.filter(members__enterprise__industry_id=int(industry)).distinct()
    if text:
        rows = rows.filter(name__icontains=text)
    page = Paginator(
        rows.order_by("group", "rank", "name").prefetch_related("members__enterprise"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    visible = _visible_ids(request.user)
    for result in page:
        result.shown = _shown(result, visible)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "evaluation/results.html",
        {
            "year": year,
            "years": _years(zone),
            "run": run,
            "page": page,
            "grade_table": [
                {
                    "group": SubjectGroup(g),
                    "counts": [counts[g].get(x, 0) for x in Grade.values],
                    "total": sum(counts[g].values()),
                }
                for g in SubjectGroup.values
            ],
            "grades": Grade.choices,
            "groups": SubjectGroup.choices,
            "parks": Park.objects.filter(zone=zone),
            "industries": Industry.objects.filter(zone=zone),
            "chosen": {
                "group": group,
                "grade": grade,
                "park": park,
                "industry": industry,
                "q": text,
            },
            "chart": {
                "name": _("Subjects"),
                "labels": list(Grade.values),
                "values": [sum(counts[g].get(x, 0) for g in counts) for x in Grade.values],
            },
            "query": params.urlencode(),
            "can_act": services.can_act(request.user),
            "events": run.events.select_related("actor", "result")[:8]
            if run and scope.zone_id
            else [],
            "objections": run.objections.select_related(
                "enterprise", "raised_by", "answered_by", "result"
            )
            if run and scope.zone_id
            else [],
            "objections_open": run is not None and services.objections_open(run),
            "open_objections": run.objections.filter(status=ObjectionStatus.OPEN).count()
            if run
            else 0,
            "final_summary": "，".join(
                f"{label} {sum(counts[g].get(value, 0) for g in counts)}"
                for value, label in _short_grades()
            ),
            "shortest_until": services.earliest_objection_end(timezone.localdate()),
            "may_finalise": run is not None
            and run.status == RunStatus.PUBLISHED
            and (run.objection_until is None or timezone.localdate() > run.objection_until),
            "ungraded_labels": UNGRADED_LABELS,
            "held_out": _held_rows(run, visible) if run else [],
        },
    )


def _short_grades() -> list[tuple[str, str]]:
    return [(g, _("Ungraded") if g == Grade.UNGRADED else g) for g in Grade.values]


def _item_rows(result: Result) -> list[dict]:
    labels = dict(Measure.choices)
    return [
        {
            **item,
            "label": labels.get(item["measure"], item["measure"]),
            "value": None if item["value"] is None else Decimal(item["value"]),
            "points": Decimal(item["points"]),
            "benchmark": Decimal(item["benchmark"]),
            "weight": Decimal(item["weight"]),
            "cap_points": None if item["cap_points"] is None else Decimal(item["cap_points"]),
        }
        for item in result.items
    ]


def _distribution(run: EvaluationRun, result: Result) -> dict | None:
    """The group's scores as an anonymous histogram and box, with this subject marked."""
    scores = list(
        Result.objects.filter(run=run, group=result.group, score__isnull=False).values_list(
            "score", flat=True
        )
    )
    if not scores or result.score is None:
        return None
    width = compute.bin_width(max(scores))
    bins = compute.histogram(scores, width)
    own_bin = int(result.score // width)
    low, q1, median, q3, high = compute.quartiles(scores)
    return {
        "labels": [f"{start.normalize():f}–{(start + width).normalize():f}" for start, _n in bins],
        "values": [n for _start, n in bins],
        "marked": own_bin,
        "box": [float(round(x, 2)) for x in (low, q1, median, q3, high)],
        "score": float(round(result.score, 2)),
        "name": _("Subjects"),
        "own": _("This enterprise"),
        "count": len(scores),
        "median": median,
        "better_than": sum(1 for s in scores if s < result.score),
    }


@login_required
def enterprise(request: HttpRequest, pk: int) -> HttpResponse:
    firm = tenancy.get_visible_enterprise(request.user, pk)
    year = _year(request, firm.zone)
    run = _visible_run(request.user, year)
    member = (
        ResultMember.objects.filter(run=run, enterprise=firm).select_related("result").first()
        if run
        else None
    )
    result = member.result if member else None
    context = {
        "enterprise": firm,
        "year": year,
        "years": _years(firm.zone),
        "run": run,
        "result": result,
        "can_act": services.can_act(request.user) and run and run.status != RunStatus.FINAL,
        "may_object": run is not None
        and services.objections_open(run)
        and (
            tenancy.scope_of(request.user).role == Role.ENTERPRISE or services.can_act(request.user)
        ),
        "objections": Objection.objects.filter(result=result, enterprise=firm).select_related(
            "raised_by", "answered_by"
        )
        if result
        else [],
        "grades": Grade.choices,
        "ungraded_labels": UNGRADED_LABELS,
    }
    visible = _visible_ids(request.user)
    if run is not None:
        context["held_out"] = [h for h in _held_rows(run, visible) if h["enterprise"] == firm.pk]
    if result is not None:
        shown = _shown(result, visible)
        context.update(
            {
                "items": _item_rows(result),
                # The parcel's combined figures would show a partner's by subtraction.
                "figures": None
                if shown["hidden"]
                else {k: v and Decimal(v) for k, v in result.figures.items()},
                "partners": [e for e in shown["members"] if e.pk != firm.pk],
                "hidden_partners": shown["hidden"],
                "distribution": _distribution(run, result),
                "events": GradeEvent.objects.filter(
                    result=result, kind=EventKind.OVERRIDDEN
                ).select_related("actor")
                if services.can_act(request.user)
                else [],
            }
        )
    return render(request, "evaluation/enterprise.html", context)


@login_required
@require_POST
def act(request: HttpRequest) -> HttpResponse:
    """Compute, publish or finalise the zone's evaluation of a year."""
    if not services.can_act(request.user):
        raise PermissionDenied
    zone = tenancy.zone_of(request.user)
    try:
        year = int(request.POST.get("year", ""))
    except ValueError as exc:
        raise Http404 from exc
    action = request.POST.get("action")
    try:
        if action == "compute":
            services.compute_evaluation(zone, year, request.user)
            messages.success(request, _("Evaluation computed as a draft."))
        else:
            run = EvaluationRun.objects.filter(zone=zone, year=year).first()
            if run is None:
                raise Http404
            if action == "publish":
                services.publish_evaluation(run, request.user, _date(request.POST.get("until")))
                messages.success(
                    request,
                    _("Published for objection until %(end)s.")
                    % {"end": date_format(run.objection_until, "DATE_FORMAT")},
                )
            elif action == "finalise":
                services.finalise_evaluation(run, request.user)
                messages.success(request, _("The evaluation is final."))
            else:
                raise Http404
    except services.EvaluationRefused as refused:
        messages.error(request, str(refused))
    return redirect(f"{reverse('evaluation:results')}?year={year}")


@login_required
@require_POST
def override(request: HttpRequest, pk: int) -> HttpResponse:
    zone = tenancy.zone_of(request.user)
    result = Result.objects.filter(pk=pk, run__zone=zone).select_related("run__zone").first()
    if result is None or not tenancy.scope_of(request.user).sees_whole_zone:
        raise Http404
    try:
        services.override_grade(
            result, request.POST.get("grade", ""), request.POST.get("reason", ""), request.user
        )
        messages.success(request, _("Grade saved."))
    except services.EvaluationRefused as refused:
        messages.error(request, str(refused))
    member = result.members.order_by("enterprise_id").first()
    return redirect(
        f"{reverse('evaluation:enterprise', args=[member.enterprise_id])}?year={result.run.year}"
    )


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _own_result(request: HttpRequest, pk: int) -> tuple[Result, Enterprise]:
    """The result of an enterprise the user may see, in a published evaluation; 404 else."""
    chosen = request.POST.get("enterprise", "")
    if not chosen.isdigit():
        raise Http404
    firm = tenancy.get_visible_enterprise(request.user, int(chosen))
    member = (
        ResultMember.objects.filter(result_id=pk, enterprise=firm, run__zone=firm.zone)
        .exclude(run__status=RunStatus.DRAFT)
        .select_related("result__run__zone")
        .first()
    )
    if member is None:
        raise Http404
    return member.result, firm


@login_required
@require_POST
def object_to(request: HttpRequest, pk: int) -> HttpResponse:
    """An enterprise objects to its result, or zone staff record an objection received."""
    result, firm = _own_result(request, pk)
    try:
        services.raise_objection(result, firm, request.POST.get("text", ""), request.user)
        messages.success(
            request, _("Objection recorded; the zone answers it before the result is final.")
        )
    except services.EvaluationRefused as refused:
        messages.error(request, str(refused))
    return redirect(f"{reverse('evaluation:enterprise', args=[firm.pk])}?year={result.run.year}")


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    zone = tenancy.zone_of(request.user)
    objection = (
        Objection.objects.filter(pk=pk, run__zone=zone)
        .select_related("run__zone", "result")
        .first()
    )
    if objection is None or not tenancy.scope_of(request.user).sees_whole_zone:
        raise Http404
    try:
        services.answer_objection(
            objection,
            request.POST.get("upheld") == "1",
            request.POST.get("answer", ""),
            request.user,
            grade=request.POST.get("grade", ""),
        )
        messages.success(request, _("Answer saved."))
    except services.EvaluationRefused as refused:
        messages.error(request, str(refused))
    return redirect(f"{reverse('evaluation:results')}?year={objection.run.year}#objections")


def _rates(request: HttpRequest, zone, year: int) -> dict[tuple[str, str], Decimal]:
    """The stored rates, with what the user typed in the simulator instead where given."""
    rates = {
        (r.grade, r.resource): r.yuan_per_unit
        for r in PolicyRate.objects.filter(zone=zone, year=year)
    }
    for grade in Grade.values:
        for resource in Resource.values:
            text = request.GET.get(f"r-{grade}-{resource}", "").strip()
            if not text:
                continue
            try:
                value = Decimal(text)
            except InvalidOperation:
                continue
            if value.is_finite():
                rates[(grade, resource)] = value
    return rates


@login_required
def policy(request: HttpRequest) -> HttpResponse:
    zone = tenancy.zone_of(request.user)
    if zone is None:
        raise PermissionDenied
    year = _year(request, zone)
    run = _visible_run(request.user, year)
    rates = _rates(request, zone, year)
    rows, zone_totals = [], defaultdict(Decimal)
    by_grade: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    visible = set(tenancy.visible_enterprises(request.user).values_list("id", flat=True))
    if run is not None:
        members = ResultMember.objects.filter(run=run).select_related("result", "enterprise")
        for member in members.order_by("result__group", "result__rank", "enterprise__name"):
            usage = compute.usage_of(
                {k: v and Decimal(v) for k, v in member.figures.items()}, member.land_mu
            )
            amounts = compute.charges(usage, member.result.grade, rates)
            for resource, amount in amounts.items():
                zone_totals[resource] += amount
                by_grade[member.result.grade][resource] += amount
            if member.enterprise_id in visible:
                rows.append(
                    {
                        "member": member,
                        "usage": [usage.get(r) for r in Resource.values],
                        "amounts": [amounts.get(r) for r in Resource.values],
                        "total": sum(amounts.values(), Decimal(0)),
                    }
                )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "evaluation/policy.html",
        {
            "year": year,
            "years": _years(zone),
            "run": run,
            "resources": Resource.choices,
            "rate_grid": [
                {
                    "grade": grade,
                    "label": label,
                    "cells": [
                        (f"r-{grade}-{resource}", rates.get((grade, resource)))
                        for resource in Resource.values
                    ],
                }
                for grade, label in Grade.choices
            ],
            "page": page,
            "row_count": len(rows),
            "zone_totals": [zone_totals.get(r) for r in Resource.values],
            "zone_total": sum(zone_totals.values(), Decimal(0)),
            "by_grade": [
                (g, [by_grade[g].get(r) for r in Resource.values], sum(by_grade[g].values()))
                for g in Grade.values
                if g in by_grade
            ],
            "query": params.urlencode(),
        },
    )


EXPORT_HEADER = ["序号", "企业名称", "统一社会信用代码", "用地面积（亩）"]


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """The results as counties publish them: one sheet per group, ranked, with each
    indicator's value, the score and the grade; a reviewer sees only what they may see."""
    zone = tenancy.zone_of(request.user)
    if zone is None:
        raise PermissionDenied
    year = _year(request, zone)
    run = _visible_run(request.user, year)
    if run is None:
        raise Http404
    rows = _visible_results(request.user, run).prefetch_related("members__enterprise")
    visible = _visible_ids(request.user)
    labels = dict(Measure.choices)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for group in SubjectGroup.values:
        group_rows = list(rows.filter(group=group).order_by("rank", "name"))
        if not group_rows:
            continue
        sheet = workbook.create_sheet(
            "规上企业" if group == SubjectGroup.ABOVE_SCALE else "规下企业"
        )
        measures = [item["measure"] for item in next((r.items for r in group_rows if r.items), [])]
        title = f"{zone.name}{year}年度亩均效益综合评价结果（{RunStatus(run.status).label}）"
        append_text_row(sheet, [title])
        sheet["A1"].font = Font(bold=True, size=14)
        header = [
            *EXPORT_HEADER,
            *[f"{labels[m]}（{_unit(group_rows, m)}）" for m in measures],
            "综合得分",
            "排名",
            "评价等级",
            "备注",
        ]
        append_text_row(sheet, header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for number, result in enumerate(group_rows, start=1):
            shown = _shown(result, visible)
            members = shown["members"]
            values = {i["measure"]: i["value"] for i in result.items}
            note = []
            if result.ungraded_reason:
                note.append(str(UNGRADED_LABELS.get(result.ungraded_reason, "")))
            if result.overridden:
                note.append(f"等级调整：{result.override_reason}")
            if len(members) + shown["hidden"] > 1:
                note.append("同宗地合并评价")
            append_text_row(
                sheet,
                [
                    number,
                    shown["name"],
                    "、".join(e.credit_code for e in members),
                    float(result.land_mu),
                    *[_number(values.get(m)) for m in measures],
                    None if result.score is None else float(round(result.score, 2)),
                    result.rank,
                    result.grade if result.grade != Grade.UNGRADED else "不定等级",
                    "；".join(note),
                ],
            )
        sheet.column_dimensions["B"].width = 36
        sheet.column_dimensions["C"].width = 22
        sheet.row_dimensions[2].height = 48
        sheet.freeze_panes = "C3"
    if not workbook.sheetnames:
        workbook.create_sheet("评价结果")
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="per-mu-evaluation-{year}.xlsx"'
    return response


def _unit(rows: list[Result], measure: str) -> str:
    for row in rows:
        for item in row.items:
            if item["measure"] == measure:
                return item["unit"]
    return ""


def _number(text: str | None) -> float | None:
    return None if text is None else round(float(text), 4)
