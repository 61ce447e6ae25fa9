"""Pages: the warning list, one warning with its history, the actions on it, the rules."""

import io
from datetime import date
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from parkbrain.core.people import person_name
from parkbrain.registry import tenancy
from parkbrain.registry.choices import Role
from parkbrain.reporting.spreadsheets import XLSX_CONTENT_TYPE, append_text_row

from . import compute, services
from .filters import ALL, AlertFilter
from .forms import RuleForm
from .models import Alert, WarningRule

PAGE_SIZE = 50
EXPORT_LIMIT = 20_000


def _alerts(request: HttpRequest):
    return services.visible_alerts(request.user).select_related(
        "rule", "rule__indicator", "rule__other_indicator", "enterprise", "enterprise__park"
    )


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    zone = tenancy.zone_of(request.user)
    alerts = _alerts(request)
    # Always bound: no state chosen still means the live warnings.
    filterset = AlertFilter(request.GET, queryset=alerts, zone=zone, user=request.user)
    # The counts per state follow every filter but the state itself.
    every_state = request.GET.copy()
    every_state["state"] = ALL
    counted = AlertFilter(every_state, queryset=alerts, zone=zone, user=request.user)
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
            "today": timezone.localdate(),
        },
    )


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """The filtered list as a spreadsheet, for a meeting or a letter to the enterprises."""
    zone = tenancy.zone_of(request.user)
    alerts = _alerts(request).select_related("assignee")
    rows = AlertFilter(request.GET, queryset=alerts, zone=zone, user=request.user).qs
    book = Workbook()
    sheet = book.active
    sheet.title = _("Early warnings")
    append_text_row(
        sheet,
        [
            _("Severity"),
            _("Rule"),
            _("Enterprise"),
            _("Credit code"),
            _("Park or centre"),
            _("Months"),
            _("What was found"),
            _("State"),
            _("Follow-up by"),
            _("Supervised: due"),
        ],
    )
    for alert in rows[:EXPORT_LIMIT]:
        months = f"{alert.first_month:%Y-%m}"
        if alert.last_month != alert.first_month:
            months += f" – {alert.last_month:%Y-%m}"
        append_text_row(
            sheet,
            [
                alert.rule.get_severity_display(),
                alert.rule.name,
                alert.enterprise.name,
                alert.enterprise.credit_code,
                alert.enterprise.park.name if alert.enterprise.park else "",
                months,
                alert.message,
                alert.get_state_display(),
                person_name(alert.assignee) if alert.assignee else "",
                f"{alert.supervised_until:%Y-%m-%d}" if alert.supervised_until else "",
            ],
        )
    for column, width in zip("ABCDEFGHIJ", (8, 18, 32, 22, 14, 18, 60, 10, 10, 12), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    name = f"预警清单-{timezone.localdate():%Y%m%d}.xlsx"
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_POST
def acknowledge_selected(request: HttpRequest) -> HttpResponse:
    if not services.may_acknowledge(request.user):
        raise PermissionDenied
    ids = [int(pk) for pk in request.POST.getlist("alert") if pk.isdigit()]
    # Only warnings the user may see are touched; another firm's id is skipped silently.
    chosen = list(_alerts(request).filter(pk__in=ids))
    if not chosen:
        messages.error(request, _("Choose the warnings to acknowledge."))
    else:
        try:
            done, skipped = services.acknowledge_many(
                chosen, request.user, request.POST.get("note", "")
            )
            messages.success(
                request,
                ngettext("%(n)d warning acknowledged.", "%(n)d warnings acknowledged.", done)
                % {"n": done},
            )
            if skipped:
                messages.info(
                    request,
                    ngettext(
                        "%(n)d was no longer open and was left as it was.",
                        "%(n)d were no longer open and were left as they were.",
                        skipped,
                    )
                    % {"n": skipped},
                )
        except services.ActionRefused as refused:
            messages.error(request, str(refused))
    back = request.POST.get("back", "")
    return redirect(f"{reverse('monitoring:list')}?{back}" if back else "monitoring:list")


@login_required
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _visible_alert(request, pk)
    if not services.may_resolve(request.user):
        raise PermissionDenied
    chosen = request.POST.get("assignee", "")
    assignee = (
        services.follow_up_people(alert).filter(pk=chosen).first() if chosen.isdigit() else None
    )
    try:
        if assignee is None:
            raise services.ActionRefused(_("Choose who follows the warning up."))
        services.assign(alert, request.user, assignee, request.POST.get("note", ""))
        messages.success(request, _("Assigned to %(name)s.") % {"name": person_name(assignee)})
    except services.ActionRefused as refused:
        messages.error(request, str(refused))
    return redirect("monitoring:detail", pk=alert.pk)


@login_required
@require_POST
def supervise(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _visible_alert(request, pk)
    if not services.may_resolve(request.user):
        raise PermissionDenied
    try:
        due = date.fromisoformat(request.POST.get("due", ""))
    except ValueError:
        messages.error(request, _("Give the due date as a date."))
        return redirect("monitoring:detail", pk=alert.pk)
    try:
        services.supervise(alert, request.user, due, request.POST.get("note", ""))
        messages.success(
            request, _("Under supervision until %(due)s.") % {"due": f"{due:%Y-%m-%d}"}
        )
    except services.ActionRefused as refused:
        messages.error(request, str(refused))
    return redirect("monitoring:detail", pk=alert.pk)


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
            "people": services.follow_up_people(alert)
            if services.may_resolve(request.user)
            else [],
            "default_due": services.default_supervision_due(timezone.localdate()),
            "today": timezone.localdate(),
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
                "today": timezone.localdate(),
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
