"""Pages: the warning list, one warning with its history, the actions on it, the rules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parkbrain.registry import tenancy
from parkbrain.registry.choices import Role

from . import compute, services
from .filters import ALL, AlertFilter
from .forms import RuleForm
from .models import Alert, WarningRule

PAGE_SIZE = 50


def _alerts(request: HttpRequest):
    return services.visible_alerts(request.user).select_related(
        "rule", "rule__indicator", "rule__other_indicator", "enterprise", "enterprise__park"
    )


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    zone = tenancy.zone_of(request.user)
    alerts = _alerts(request)
    # Always bound: no state chosen still means the live warnings.
    filterset = AlertFilter(request.GET, queryset=alerts, zone=zone)
    # The counts per state follow every filter but the state itself.
    every_state = request.GET.copy()
    every_state["state"] = ALL
    counted = AlertFilter(every_state, queryset=alerts, zone=zone)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "monitoring/alert_list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": list(page.object_list),
            "counts": compute.state_counts(counted.qs),
            "query": query.urlencode(),
            "may_acknowledge": services.may_acknowledge(request.user),
        },
    )


def _visible_alert(request: HttpRequest, pk: int) -> Alert:
    """The warning if the user may see its enterprise; 404 otherwise."""
    return get_object_or_404(_alerts(request), pk=pk)


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _visible_alert(request, pk)
    episodes = (
        Alert.objects.filter(rule=alert.rule, enterprise=alert.enterprise)
        .exclude(pk=alert.pk)
        .order_by("-first_month", "-id")
    )
    return render(
        request,
        "monitoring/alert_detail.html",
        {
            "alert": alert,
            "events": alert.events.select_related("by"),
            "episodes": episodes,
            "may_acknowledge": services.may_acknowledge(request.user),
            "may_resolve": services.may_resolve(request.user),
        },
    )


def _act(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    alert = _visible_alert(request, pk)
    error = ""
    try:
        action(alert, request.user, request.POST.get("note", ""))
    except services.ActionRefused as refused:
        error = str(refused)
    if request.htmx:
        # The list's quick action swaps its row in place, with the refusal if there was one.
        response = render(
            request,
            "monitoring/_alert_row.html",
            {
                "a": _visible_alert(request, pk),
                "error": error,
                "may_acknowledge": services.may_acknowledge(request.user),
            },
        )
        patch_vary_headers(response, ["HX-Request"])
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("monitoring:detail", pk=alert.pk)


@login_required
@require_POST
def acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    _visible_alert(request, pk)  # another firm's warning is not found, whoever asks
    if not services.may_acknowledge(request.user):
        raise PermissionDenied
    return _act(request, pk, services.acknowledge, _("Warning acknowledged."))


@login_required
@require_POST
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    _visible_alert(request, pk)
    if not services.may_resolve(request.user):
        raise PermissionDenied
    return _act(request, pk, services.resolve, _("Warning resolved."))


@login_required
@require_POST
def note(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.add_note, _("Note added."))


def _zone_rules(request: HttpRequest):
    zone = tenancy.zone_of(request.user)
    if zone is None:
        raise Http404
    return WarningRule.objects.filter(zone=zone).select_related("indicator", "other_indicator")


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = list(_zone_rules(request))
    live = dict.fromkeys((r.id for r in rules), 0)
    for rule_id in (
        services.visible_alerts(request.user)
        .filter(rule__in=rules, state__in=("open", "acknowledged"))
        .values_list("rule_id", flat=True)
    ):
        live[rule_id] += 1
    for rule in rules:
        rule.live_count = live[rule.id]
    return render(
        request,
        "monitoring/rule_list.html",
        {"rules": rules, "may_edit": tenancy.scope_of(request.user).role == Role.ZONE_ADMIN},
    )


@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(_zone_rules(request), pk=pk)
    if tenancy.scope_of(request.user).role != Role.ZONE_ADMIN:
        raise PermissionDenied
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        fresh = get_object_or_404(_zone_rules(request), pk=pk)
        services.update_rule(fresh, request.user, **form.cleaned_data)
        messages.success(request, _("Rule saved; it applies from the next evaluation of a month."))
        return redirect("monitoring:rules")
    return render(request, "monitoring/rule_form.html", {"rule": rule, "form": form})
