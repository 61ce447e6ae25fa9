"""The cockpit: the analyst's dashboard, the wall display and the exports, all from one
`figures.build` for the chosen filters."""

import csv
import io
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl import Workbook

from parkbrain.core.i18n import local_name
from parkbrain.monitoring.choices import DataBasis, HoldReason
from parkbrain.monitoring.counting import held_out_sentence, reason_counts
from parkbrain.registry import tenancy
from parkbrain.registry.choices import AreaKind, Role
from parkbrain.registry.geo import label_point
from parkbrain.registry.models import Enterprise, Park, Zone
from parkbrain.reporting.choices import ReportStatus
from parkbrain.reporting.models import Indicator
from parkbrain.reporting.spreadsheets import XLSX_CONTENT_TYPE, append_text_row, text_cell

from . import drill, figures
from . import portrait as portrait_data
from . import targets as target_progress
from .cache import ZoneFigures
from .choices import DrillBy, MapFigure
from .compute import TREND_CODE, Figure, Group
from .forms import CockpitFilterForm

# How the pages show amounts: yuan in 亿元, dollars in 万美元, standard coal in 万吨.
DISPLAY_UNITS = {
    "元": (Decimal(100_000_000), gettext_lazy("100 million yuan")),
    "美元": (Decimal(10_000), gettext_lazy("10,000 US dollars")),
    "吨标准煤": (Decimal(10_000), gettext_lazy("10,000 tce")),
}
# What the wall's JSON carries: the parts of its page that change with the figures.
WALL_UPDATES = ("fields", "classes", "widths", "top", "charts")
# One firm's amount reads best in 万 (万元, 万美元); its tonnes of coal stay tonnes.
FIRM_UNITS = {
    "元": (Decimal(10_000), gettext_lazy("ten-thousand yuan")),
    "美元": (Decimal(10_000), gettext_lazy("10,000 US dollars")),
}


def _zone_for_cockpit(request: HttpRequest) -> Zone:
    """The cockpit shows a whole zone: only those who see the whole zone may open it."""
    scope = tenancy.scope_of(request.user)
    zone = tenancy.zone_of(request.user)
    if not scope.sees_whole_zone or zone is None:
        raise PermissionDenied(_("The cockpit is for the zone's administrators and analysts."))
    return zone


def _board(request: HttpRequest) -> tuple[figures.Dashboard, CockpitFilterForm]:
    zone = _zone_for_cockpit(request)
    as_of = timezone.localdate()
    form = CockpitFilterForm(request.GET or None, zone, as_of)
    board = ZoneFigures(zone, as_of).board(form.filters())
    return board, form


def _figures_page(request: HttpRequest, template: str) -> SafeString:
    """A template of the figures for the request's query, rendered without the request (so
    without anyone's name or CSRF token) and kept for everyone until the figures change."""
    zone = _zone_for_cockpit(request)
    as_of = timezone.localdate()
    kept = ZoneFigures(zone, as_of)

    def render() -> str:
        form = CockpitFilterForm(request.GET or None, zone, as_of)
        return render_to_string(template, _context(kept.board(form.filters()), form))

    return mark_safe(kept.page(template, request.GET.urlencode(), render))


def scaled(value: Decimal | None, unit: str) -> tuple[float | None, str]:
    """An amount in the unit the pages show it in."""
    divisor, shown = DISPLAY_UNITS.get(unit, (Decimal(1), unit))
    if value is None:
        return None, shown
    return round(float(value / divisor), 2), shown


def _card(figure: Figure) -> dict:
    if figure.unit == "%":
        shown, unit = (None if figure.value is None else round(float(figure.value) * 100, 1)), "%"
    else:
        shown, unit = scaled(figure.value, figure.unit)
    whole = figure.unit not in DISPLAY_UNITS and figure.unit != "%"
    return {
        "figure": figure,
        "shown": None if shown is None else (int(shown) if whole else shown),
        "unit": unit,
        "growth": None if figure.growth is None else round(float(figure.growth) * 100, 1),
        "whole": whole,
        "held_out": figure.provenance.held_out_total,
        "numerator": _amount_text(figure.provenance.numerator, figure.unit),
        "denominator": _amount_text(figure.provenance.denominator, figure.unit),
    }


def _amount_text(value: Decimal | None, unit: str) -> str:
    """A numerator or denominator as the card shows its figure: 亿元 for yuan, and so on."""
    if value is None:
        return ""
    if unit in DISPLAY_UNITS:
        shown, label = scaled(value, unit)
        return f"{shown:,.2f} {label}"
    return f"{value:,.2f}"


def _basis(board: figures.Dashboard) -> dict:
    """What the figures count and what they left out, for the line above them."""
    counts = reason_counts(board.held_out)
    return {
        "label": DataBasis(board.filters.basis).label,
        "reviewed": board.filters.basis == DataBasis.REVIEWED,
        "held_out": len(board.held_out),
        "sentence": held_out_sentence(counts),
        "quality": counts.get(HoldReason.QUALITY, 0),
    }


def _drill_base(board: figures.Dashboard, form: CockpitFilterForm) -> dict[str, object]:
    """The cockpit's filters spelled out, so the list behind a figure and the way back from
    it show the same period, whatever the cockpit opened on."""
    chosen = board.filters
    params: dict[str, object] = {
        "kind": chosen.period.kind,
        "year": chosen.period.year,
        "month": chosen.period.month,
        "convention": chosen.convention,
        "basis": chosen.basis,
        "map": form.map_figure,
    }
    if chosen.park is not None:
        params["park"] = chosen.park.pk
    if chosen.industry is not None:
        params["industry"] = chosen.industry.slug
    return params


def _drill_url(
    base: dict[str, object], figure: str = TREND_CODE, by: str = "", key: object = None
) -> str:
    """The enterprises behind a figure: the cockpit's filters plus the clicked slice."""
    params = {**base, "figure": figure}
    if by:
        params |= {"by": by, "key": drill.group_key(key)}
    return reverse("cockpit:firms") + "?" + urlencode(params)


def _groups_chart(base: dict[str, object], groups: list[Group], unit: str, by: str) -> dict:
    labels, values, links = [], [], []
    for group in groups:
        labels.append(group.label)
        values.append(scaled(group.value, unit)[0])
        links.append(_drill_url(base, by=by, key=group.key))
    return {"labels": labels, "values": values, "links": links, "unit": scaled(None, unit)[1]}


def _map_data(board: figures.Dashboard, figure: str, base: dict[str, object]) -> dict:
    # Parks first, so the centres inside them are drawn (and clicked) on top.
    parks = sorted(
        Park.objects.filter(zone=board.zone), key=lambda p: (p.kind != AreaKind.PARK, p.sort_order)
    )
    unit_of = {"output_value": "元", "taxes": "元", "investment": "元"}
    code = figure if figure in unit_of else "output_value"
    features, values, points = [], {}, []
    for park in parks:
        groups = board.park_groups if park.kind == AreaKind.PARK else board.area_groups
        group = groups.get(code, {}).get(park.pk)
        if figure == MapFigure.GROWTH:
            value = (
                None
                if group is None or group.growth is None
                else round(float(group.growth) * 100, 1)
            )
        elif figure == MapFigure.FIRMS:
            value = group.firms if group else 0
        else:
            value = scaled(group.value if group else Decimal(0), unit_of[code])[0]
        values[park.name] = value
        if park.outline:
            features.append(
                {
                    "type": "Feature",
                    "properties": {"name": park.name, "kind": park.kind, "id": park.pk},
                    "geometry": park.outline,
                }
            )
            points.append(
                {
                    "name": park.name,
                    "kind": park.kind,
                    "value": [*label_point(park.outline), value],
                    "link": _drill_url(
                        base,
                        code,
                        DrillBy.PARK if park.kind == AreaKind.PARK else DrillBy.AREA,
                        park.pk,
                    ),
                }
            )
    unit = {
        MapFigure.GROWTH: "%",
        MapFigure.FIRMS: _("firms"),
    }.get(figure, scaled(None, "元")[1])
    return {
        "geojson": {"type": "FeatureCollection", "features": features},
        "values": values,
        "points": points,
        "unit": unit,
        "label": str(MapFigure(figure).label),
    }


def _context(board: figures.Dashboard, form: CockpitFilterForm) -> dict:
    base = _drill_base(board, form)
    headline = [_card(f) | {"firms": _drill_url(base, f.key)} for f in board.headline]
    counts = [
        _card(f) | ({"firms": _drill_url(base)} if f.key == "reporting" else {})
        for f in board.counts
    ]
    trend_unit = scaled(None, "元")[1]
    query = {k: v for k, v in form.data.items() if v} if form.is_bound else {}
    top = [
        {
            "rank": index,
            "ranked": ranked,
            "shown": scaled(ranked.value, "元")[0],
            "growth": None if ranked.growth is None else round(float(ranked.growth) * 100, 1),
        }
        for index, ranked in enumerate(board.top, start=1)
    ]
    in_review = form.in_review
    context = {
        "board": board,
        "form": form,
        "basis": _basis(board),
        "in_review": in_review,
        "in_review_query": urlencode(
            {
                "kind": in_review.period.kind,
                "year": in_review.period.year,
                "month": in_review.period.month,
                "basis": board.filters.basis,
            }
        )
        if in_review
        else "",
        "period": board.filters.period,
        "counts": counts,
        "headline": headline,
        "shares": [_card(f) for f in board.shares],
        "warnings": _card(board.warnings) if board.warnings else None,
        "alerts": _card(board.alerts) if board.alerts else None,
        "top": top,
        "query": urlencode(query),
        "trend_data": {
            "labels": [_("%(month)d月") % {"month": p.month} for p in board.trend],
            "this": [scaled(p.this_month, "元")[0] for p in board.trend],
            "last": [scaled(p.last_month, "元")[0] for p in board.trend],
            "growth": [
                None if p.growth_to_date is None else round(float(p.growth_to_date) * 100, 1)
                for p in board.trend
            ],
            "unit": trend_unit,
            "links": [_drill_url(base, by=DrillBy.MONTH, key=p.month) for p in board.trend],
            "growth_links": [
                _drill_url(base, by=DrillBy.TO_MONTH, key=p.month) for p in board.trend
            ],
            "names": [
                _("%(year)d, month") % {"year": board.filters.period.year},
                _("%(year)d, month") % {"year": board.filters.period.year - 1},
                _("Year-to-date growth"),
            ],
        },
        "firms_link": _drill_url(base),
        "industry_data": _groups_chart(base, board.by_industry, "元", DrillBy.INDUSTRY),
        "park_data": _groups_chart(base, board.by_park, "元", DrillBy.PARK),
        "ownership_data": _groups_chart(base, board.by_ownership, "元", DrillBy.OWNERSHIP),
        "map_data": _map_data(board, form.map_figure, base),
    }
    context["wall"] = _wall_data(context)
    return context


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    content = _figures_page(request, "cockpit/_dashboard.html")
    return render(request, "cockpit/dashboard.html", {"content": content})


@login_required
def wall(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_figures_page(request, "cockpit/wall.html"))


@login_required
def wall_data(request: HttpRequest) -> JsonResponse:
    """The wall's figures for its query, which the wall fetches on an interval to update in
    place instead of reloading."""
    board, form = _board(request)
    wall = _context(board, form)["wall"]
    return JsonResponse(
        {key: wall[key] for key in ("fields", "classes", "widths", "top", "charts")}
    )


def _shown_text(card: dict) -> str:
    """A figure as the wall shows it: from 10,000 (万美元 of foreign investment) whole, as
    cents of a 万 tell a room nothing and would not fit."""
    shown = card["shown"]
    if shown is None:
        return "—"
    whole = card["whole"] or abs(shown) >= 10_000
    return intcomma(round(shown)) if whole else intcomma(floatformat(shown, 2))


def _growth_text(growth: float | None) -> tuple[str, str]:
    """The growth as the wall shows it, and its colour class."""
    if growth is None:
        return "", ""
    up = growth >= 0
    return f"{'▲' if up else '▼'} {floatformat(growth, 1)}%", "up" if up else "down"


def _wall_data(context: dict) -> dict:
    """The wall's figures as text: its page shows them, and its JSON carries the same, keyed
    by the data-field each fills, so an update changes the figures in place."""
    board = context["board"]

    def card(item: dict) -> dict:
        growth, trend = _growth_text(item["growth"])
        return {
            "key": item["figure"].key,
            "label": item["figure"].label,
            "value": _shown_text(item),
            "unit": item["unit"],
            "growth": growth,
            "trend": trend,
            "formula": item["figure"].provenance.formula,
        }

    cards = [card(item) for item in context["headline"]]
    for extra in (context["alerts"], context["warnings"]):
        if extra:
            # A count of warnings has no growth: its line says what it counts.
            cards.append(card(extra) | {"growth": extra["figure"].provenance.formula})
    shares = [
        {
            "key": item["figure"].key,
            "label": item["figure"].label,
            "value": "—" if item["shown"] is None else f"{floatformat(item['shown'], 1)}%",
            "width": item["shown"] or 0,
            "formula": item["figure"].provenance.formula,
        }
        for item in context["shares"]
    ]
    top = []
    for row in context["top"]:
        trend = _growth_text(row["growth"])[1]
        top.append(
            {
                "rank": row["rank"],
                "name": row["ranked"].name,
                "link": reverse("cockpit:portrait", args=[row["ranked"].enterprise_id]),
                "value": f"{floatformat(row['shown'], 2)} {DISPLAY_UNITS['元'][1]}",
                "growth": "" if row["growth"] is None else f"{floatformat(row['growth'], 1)}%",
                "trend": trend,
            }
        )
    filters = board.filters
    scope = [part.name for part in (filters.park, filters.industry) if part is not None]
    basis = context["basis"]
    reporting = int(board.figure("reporting").value or 0)
    in_review = context["in_review"]
    fields = {
        "period": " · ".join([*scope, str(filters.period.label)]),
        "status": " · ".join(
            [
                _("as of %(date)s") % {"date": board.as_of.isoformat()},
                str(basis["label"]),
                ngettext("%(n)s enterprise counted", "%(n)s enterprises counted", reporting)
                % {"n": reporting},
            ]
        ),
        "held_out": basis["sentence"] if basis["held_out"] else "",
        "in_review": _("%(period)s is in review") % {"period": in_review.month_label}
        if in_review
        else "",
    }
    counts = [card(item) for item in context["counts"]]
    for item in counts:
        fields[f"count-{item['key']}"] = item["value"]
    for item in cards:
        fields[f"card-{item['key']}"] = item["value"]
        fields[f"card-{item['key']}-growth"] = item["growth"]
    for item in shares:
        fields[f"share-{item['key']}"] = item["value"]
    return {
        "counts": counts,
        "cards": cards,
        "shares": shares,
        "fields": fields,
        "classes": {f"card-{item['key']}-growth": item["trend"] for item in cards},
        "widths": {f"share-{item['key']}": item["width"] for item in shares},
        "top": top,
        "charts": {
            "trend-data": context["trend_data"],
            "industry-data": context["industry_data"],
            "park-data": context["park_data"],
            "map-data": context["map_data"],
        },
    }


@login_required
def held_out(request: HttpRequest) -> HttpResponse:
    """The reports the figures left out, for the chosen filters and optionally one figure:
    serious warnings first, each with a link to review it."""
    board, form = _board(request)
    key = request.GET.get("figure", "")
    figure = board.figure(key) if key in board.held_out_by_figure else None
    reports = board.held_out_by_figure[key] if figure else board.held_out
    return render(
        request,
        "cockpit/held_out.html",
        {
            "board": board,
            "form": form,
            "period": board.filters.period,
            "basis": _basis(board),
            "figure": figure,
            "rows": _held_rows(reports),
            "query": urlencode({k: v for k, v in form.data.items() if v and k != "figure"}),
        },
    )


@login_required
def firms(request: HttpRequest) -> HttpResponse:
    """The enterprises behind a figure of the cockpit, with their values for its period."""
    zone = _zone_for_cockpit(request)
    as_of = timezone.localdate()
    form = CockpitFilterForm(request.GET or None, zone, as_of)
    chosen = form.filters()
    code = request.GET.get("figure") or TREND_CODE
    by = request.GET.get("by", "")
    try:
        listing = drill.firms_behind(zone, chosen, code, by, request.GET.get("key", ""), as_of)
    except ValueError as error:
        raise Http404(str(error)) from error
    figure = listing.figure
    line_divisor, line_unit = FIRM_UNITS.get(figure.unit, (Decimal(1), figure.unit))

    def line_value(value: Decimal | None) -> float | None:
        return None if value is None else round(float(value / line_divisor), 2)

    rows = [
        {
            "line": line,
            "value": line_value(line.value),
            "last": line_value(line.last),
            "growth": None if line.growth is None else round(float(line.growth) * 100, 1),
        }
        for line in listing.lines
    ]
    back = {k: v for k, v in request.GET.items() if v and k not in ("figure", "by", "key")}
    return render(
        request,
        "cockpit/firms.html",
        {
            "zone": zone,
            "filters": chosen,
            "listing": listing,
            "by_label": DrillBy(by).label if by in DrillBy.values else "",
            "card": _card(figure),
            "total_value": line_value(figure.value),
            "last_total": line_value(listing.last_total),
            "line_unit": line_unit,
            "rows": rows,
            "held_sentence": held_out_sentence(reason_counts(listing.held)),
            "back": urlencode(back),
            "basis_label": DataBasis(chosen.basis).label,
        },
    )


def _held_rows(reports: list) -> list[dict]:
    """The held reports with their enterprises named, for the page and the export."""
    firms = {
        pk: (name, code)
        for pk, name, code in Enterprise.objects.filter(
            pk__in={r.enterprise_id for r in reports}
        ).values_list("pk", "name", "credit_code")
    }
    return [
        {
            "report": r,
            "name": firms.get(r.enterprise_id, ("", ""))[0],
            "credit_code": firms.get(r.enterprise_id, ("", ""))[1],
            "status": str(ReportStatus(r.status).label),
            "reason": r.get_reason_display(),
            "review": reverse("reporting:month", args=[r.enterprise_id, r.year, r.month]),
        }
        for r in reports
    ]


def _export_rows(board: figures.Dashboard) -> list[tuple[str, list[list[object]]]]:
    """The dashboard's data as tables: (title, rows with a header row first)."""
    figures_rows: list[list[object]] = [
        [
            _("Figure"),
            _("Figure value"),
            _("Unit"),
            _("Growth (%)"),
            _("How it was computed"),
            _("Enterprises counted"),
            _("Reports held out"),
            _("As of"),
            _("Source"),
        ]
    ]
    for figure in (*board.counts, *board.headline, *board.shares, board.warnings, board.alerts):
        if figure is None:
            continue
        value = figure.value
        if figure.unit == "%" and value is not None:
            value = round(value * 100, 2)
        figures_rows.append(
            [
                figure.label,
                value,
                figure.unit,
                None if figure.growth is None else round(figure.growth * 100, 2),
                figure.provenance.formula,
                figure.provenance.firms,
                figure.provenance.held_out_total,
                figure.provenance.as_of.isoformat() if figure.provenance.as_of else "",
                figure.provenance.source,
            ]
        )

    def groups(title: str, items: list[Group]) -> tuple[str, list[list[object]]]:
        rows: list[list[object]] = [
            [title, _("Output (yuan)"), _("Growth (%)"), _("Enterprises counted")]
        ]
        for g in items:
            growth = None if g.growth is None else round(g.growth * 100, 2)
            rows.append([g.label, g.value, growth, g.firms])
        return title, rows

    trend: list[list[object]] = [
        [_("Month"), _("This year (yuan)"), _("Last year (yuan)"), _("Year-to-date growth (%)")]
    ]
    for p in board.trend:
        growth = None if p.growth_to_date is None else round(p.growth_to_date * 100, 2)
        trend.append([p.month, p.this_month, p.last_month, growth])
    top: list[list[object]] = [[_("Rank"), _("Enterprise"), _("Output (yuan)"), _("Growth (%)")]]
    for rank, r in enumerate(board.top, start=1):
        top.append([rank, r.name, r.value, None if r.growth is None else round(r.growth * 100, 2)])
    held: list[list[object]] = [
        [
            _("Enterprise"),
            _("Credit code"),
            _("Year"),
            _("Month"),
            _("Status"),
            _("Held out because"),
            _("Warning"),
        ]
    ]
    for row in _held_rows(board.held_out):
        r = row["report"]
        named = [row["name"], row["credit_code"]]
        held.append([*named, r.year, r.month, row["status"], row["reason"], r.warning])
    return [
        (_("Figures"), figures_rows),
        groups(_("Industry"), board.by_industry),
        groups(_("Park"), board.by_park),
        groups(_("Ownership"), board.by_ownership),
        (_("Monthly trend"), trend),
        (_("Top enterprises"), top),
        (_("Reports held out"), held),
    ]


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    board, _form = _board(request)
    tables = _export_rows(board)
    period = board.filters.period
    stem = f"cockpit-{period.kind}-{period.year}-{period.month:02d}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for title, rows in tables:
            writer.writerow([f"# {title}"])
            for row in rows:
                writer.writerow([text_cell(cell) for cell in row])
            writer.writerow([])
        response = HttpResponse(
            buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
        return response
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in tables:
        sheet = workbook.create_sheet(title[:31])
        for row in rows:
            append_text_row(sheet, [float(c) if isinstance(c, Decimal) else c for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{stem}.xlsx"'
    return response


@login_required
def portrait(request: HttpRequest, pk: int) -> HttpResponse:
    """One enterprise on one page: anyone who may see the enterprise may see its portrait."""
    firm = tenancy.get_visible_enterprise(request.user, pk)
    staff = tenancy.scope_of(request.user).sees_whole_zone
    sheet = portrait_data.build(firm, timezone.localdate(), staff=staff)
    charts = []
    for series in sheet.series:
        divisor, unit = DISPLAY_UNITS.get(series.unit, (Decimal(1), series.unit))

        def shown(values: list[Decimal | None], divisor: Decimal = divisor) -> list:
            return [None if v is None else round(float(v / divisor), 4) for v in values]

        charts.append(
            {
                "id": f"series-{series.code}",
                "label": series.label,
                "unit": unit,
                "data": {
                    "labels": sheet.year_labels,
                    "own": shown(series.own),
                    "median": shown(series.median),
                    "peers": series.peers,
                    "unit": unit,
                    "names": [
                        _("This enterprise"),
                        _("Industry median"),
                        _("Industry median (right axis)"),
                    ],
                },
            }
        )
    return render(
        request,
        "cockpit/portrait.html",
        {"enterprise": firm, "portrait": sheet, "charts": charts, "staff": staff},
    )


@login_required
def targets(request: HttpRequest) -> HttpResponse:
    """Annual targets and how far the year has come: completion against the share of the
    year gone, and the month's 环比 and 同比; the zone's administrators set the targets."""
    zone = _zone_for_cockpit(request)
    today = timezone.localdate()
    opening, _coverage = figures.opening_period(zone, today, DataBasis.REVIEWED)
    year, month = opening.year, opening.month
    chosen = request.GET.get("month", "")
    if len(chosen) == 7 and chosen[4] == "-" and chosen[:4].isdigit() and chosen[5:].isdigit():
        asked = (int(chosen[:4]), int(chosen[5:]))
        if 1 <= asked[1] <= 12 and asked <= (opening.year, opening.month):
            year, month = asked
    may_set = tenancy.scope_of(request.user).role == Role.ZONE_ADMIN
    if request.method == "POST":
        if not may_set:
            raise PermissionDenied
        _set_target(request, zone, year)
        return redirect(f"{reverse('cockpit:targets')}?month={year}-{month:02d}")
    rows = []
    for p in target_progress.progress(zone, year, month):
        factor, unit = DISPLAY_UNITS.get(
            p.target.indicator.unit, (Decimal(1), p.target.indicator.unit)
        )
        rows.append(
            {
                "p": p,
                "unit": unit,
                "target": p.target.value / factor,
                "done": None if p.done is None else p.done / factor,
                "month_value": None if p.month_value is None else p.month_value / factor,
            }
        )
    return render(
        request,
        "cockpit/targets.html",
        {
            "zone": zone,
            "year": year,
            "month": month,
            "latest": f"{opening.year}-{opening.month:02d}",
            "chosen": f"{year}-{month:02d}",
            "rows": rows,
            "time_share": Decimal(month) / 12,
            "may_set": may_set,
            "indicators": Indicator.objects.filter(code__in=target_progress.TARGET_CODES),
            "parks": Park.objects.filter(zone=zone, kind=AreaKind.PARK),
        },
    )


def _set_target(request: HttpRequest, zone: Zone, year: int) -> None:
    indicator = Indicator.objects.filter(
        code=request.POST.get("indicator", ""), code__in=target_progress.TARGET_CODES
    ).first()
    park_id = request.POST.get("park", "")
    park = Park.objects.filter(zone=zone, pk=park_id).first() if park_id.isdigit() else None
    try:
        amount = Decimal(request.POST.get("value", "").replace(",", "").strip())
    except InvalidOperation:
        amount = None
    if indicator is None or (park_id and park is None) or amount is None or not amount.is_finite():
        messages.error(
            request, _("Choose the figure and the park, and give the target as a number.")
        )
        return
    factor, unit = DISPLAY_UNITS.get(indicator.unit, (Decimal(1), indicator.unit))
    try:
        target_progress.set_target(zone, year, indicator, park, amount * factor, request.user)
    except target_progress.TargetRefused as refused:
        messages.error(request, str(refused))
        return
    messages.success(
        request,
        _("Target for %(year)d set: %(figure)s %(amount)s %(unit)s.")
        % {"year": year, "figure": local_name(indicator), "amount": f"{amount:,f}", "unit": unit},
    )
