"""Pages: home per role, enterprise list and detail, the zone map, machine tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parkbrain.core import todo, workdays

from . import compute, services, tenancy, uscc
from .choices import AreaKind, Role
from .filters import EnterpriseFilter
from .forms import ApiTokenForm
from .geo import clear_label_point, contains, label_point
from .models import AboveScaleYear, ApiToken, Enterprise

PAGE_SIZE = 25


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = tenancy.scope_of(request.user)
    zone = tenancy.zone_of(request.user)
    if scope.role == Role.ENTERPRISE:
        return _enterprise_home(request, tenancy.visible_enterprises(request.user).get())
    enterprises = tenancy.visible_enterprises(request.user)
    year = compute.latest_above_scale_year(zone)
    if scope.role == Role.PROJECT_MANAGER:
        assigned = (
            enterprises.select_related("park", "industry", "industry_code")
            .annotate(above_now=Count("above_scale_years", filter=Q(above_scale_years__year=year)))
            .order_by("name")
        )
        return render(
            request,
            "registry/home_manager.html",
            {
                "enterprises": assigned,
                "year": year,
                "counts": compute.above_scale_counts(enterprises),
            },
        )
    if zone is None:
        raise PermissionDenied
    above = enterprises.above_scale_in(year) if year else enterprises.none()
    counts = compute.above_scale_counts(enterprises)
    return render(
        request,
        "registry/home_zone.html",
        {
            "year": year,
            "market_entities": compute.market_entity_count(enterprises),
            "above_scale_count": counts.get(year, 0) if year else 0,
            "above_scale_previous": counts.get(year - 1) if year else None,
            "above_scale_by_year": counts,
            "high_tech_count": above.filter(tags__slug="high-tech").count(),
            "land": compute.zone_land(zone),
            "by_industry": compute.counts_by(above, "industry"),
            "by_park": compute.counts_by(above, "park"),
            "parks": compute.park_figures(zone, enterprises, year),
        },
    )


def _enterprise_home(request: HttpRequest, enterprise: Enterprise) -> HttpResponse:
    """An enterprise user's to-do: months owed by their due date, returned reports with the
    reason, live warnings on the firm's own figures."""
    today = timezone.localdate()
    tasks = []
    for task in todo.tasks_for(request.user, enterprise, today):
        left = workdays.working_days_between(today, task.due) if task.due else None
        tasks.append({"task": task, "left": left, "late": -left if left and left < 0 else 0})
    return render(
        request,
        "registry/home_enterprise.html",
        {
            "enterprise": enterprise,
            "today": today,
            "reports": [t for t in tasks if t["task"].kind == "report"],
            "warnings": [t for t in tasks if t["task"].kind == "warning"],
            "notices": [t for t in tasks if t["task"].kind == "notice"],
            "overdue": sum(
                t["task"].urgency == todo.Urgency.OVERDUE
                for t in tasks
                if t["task"].kind == "report"
            ),
        },
    )


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    zone = tenancy.zone_of(request.user)
    year = compute.latest_above_scale_year(zone)
    filterset = EnterpriseFilter(
        request.GET or None,
        queryset=tenancy.visible_enterprises(request.user).select_related(
            "industry", "park", "industry_code"
        ),
        zone=zone,
        default_year=year,
    )
    # Invalid values are left out of the filtering and shown as errors next to their field.
    size_year = filterset.size_year
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    above_ids = set(
        AboveScaleYear.objects.filter(enterprise__in=rows, year=size_year).values_list(
            "enterprise_id", flat=True
        )
    )
    for enterprise in rows:
        enterprise.is_above_scale = enterprise.id in above_ids
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "rows": rows,
        "size_year": size_year,
        "query": query.urlencode(),
        "sort": request.GET.get("sort", ""),
    }
    # A history restore (Back after the cache lost the page) needs the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    template = "registry/_enterprise_table.html" if partial else "registry/enterprise_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = tenancy.get_visible_enterprise(request.user, pk)
    enterprise = (
        Enterprise.objects.select_related(
            "park", "park__located_in", "industry", "industry_code__parent__parent__parent", "zone"
        )
        .prefetch_related(
            "tags", Prefetch("above_scale_years", AboveScaleYear.objects.order_by("year"))
        )
        .get(pk=enterprise.pk)
    )
    years = {row.year for row in enterprise.above_scale_years.all()}
    scope = tenancy.scope_of(request.user)
    can_manage_tokens = scope.role in (Role.ENTERPRISE, Role.ZONE_ADMIN)
    return render(
        request,
        "registry/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "parts": enterprise.credit_code_parts,
            "code_warnings": uscc.check(enterprise.credit_code).warnings,
            "code_path": _code_path(enterprise.industry_code),
            "timeline": [
                (year, year in years) for year in compute.above_scale_years_of(enterprise.zone)
            ],
            "managers": enterprise.assignments.select_related("manager"),
            "tokens": enterprise.api_tokens.all() if can_manage_tokens else None,
            "token_form": ApiTokenForm() if can_manage_tokens else None,
        },
    )


def _code_path(code) -> list:
    path = []
    while code is not None:
        path.append(code)
        code = code.parent
    return list(reversed(path))


@login_required
@require_POST
def token_create(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = _token_enterprise(request, pk)
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name of up to 80 characters."))
        return redirect("registry:enterprise", pk=enterprise.pk)
    token, raw = services.issue_api_token(enterprise, form.cleaned_data["name"], request.user)
    response = render(
        request,
        "registry/token_created.html",
        {"enterprise": enterprise, "token": token, "raw": raw},
    )
    add_never_cache_headers(response)  # the secret must not stay in any cache
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int, token_id: int) -> HttpResponse:
    enterprise = _token_enterprise(request, pk)
    token = get_object_or_404(ApiToken, enterprise=enterprise, pk=token_id)
    services.revoke_api_token(token)
    messages.success(request, _("Token %(prefix)s… was revoked.") % {"prefix": token.prefix})
    return redirect("registry:enterprise", pk=enterprise.pk)


def _token_enterprise(request: HttpRequest, pk: int) -> Enterprise:
    enterprise = tenancy.get_visible_enterprise(request.user, pk)
    if tenancy.scope_of(request.user).role not in (Role.ENTERPRISE, Role.ZONE_ADMIN):
        raise PermissionDenied
    return enterprise


@login_required
def zone_map(request: HttpRequest) -> HttpResponse:
    zone = tenancy.zone_of(request.user)
    if zone is None:
        raise PermissionDenied
    visible = tenancy.visible_enterprises(request.user)
    year = compute.latest_above_scale_year(zone)
    parks = compute.park_figures(zone, visible, year)
    features, centre_points, park_labels, stats = [], [], [], {}
    centre_outlines = {p.id: p.outline for p in parks if p.kind == AreaKind.CENTRE and p.outline}
    for park in parks:  # parks first, so the centres inside them are drawn on top
        stats[park.name] = _("%(km2).2f km² · %(firms)s firms · %(above)s above size") % {
            "km2": park.area_km2,
            "firms": park.enterprise_count,
            "above": park.above_scale_count,
        }
        if not park.outline:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"name": park.name, "kind": park.kind, "id": park.id},
                "geometry": park.outline,
            }
        )
        if park.kind == AreaKind.CENTRE:
            at = label_point(park.outline)
            centre_points.append({"name": park.name, "id": park.id, "value": list(at)})
        else:
            # A park's name sits where no centre's outline covers it.
            inside = [o for o in centre_outlines.values() if contains(park.outline, o)]
            at = clear_label_point(park.outline, inside)
            park_labels.append({"name": park.name, "id": park.id, "value": list(at)})
    return render(
        request,
        "registry/zone.html",
        {
            "zone": zone,
            "parks": [p for p in parks if p.kind == AreaKind.PARK],
            "centres": [p for p in parks if p.kind == AreaKind.CENTRE],
            "land": compute.zone_land(zone),
            "year": year,
            "map_data": {
                "geojson": {"type": "FeatureCollection", "features": features},
                "centres": centre_points,
                "parks": park_labels,
                "stats": stats,
                "drill": reverse("registry:enterprises"),
            },
        },
    )
