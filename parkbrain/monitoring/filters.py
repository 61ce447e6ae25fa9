"""One FilterSet for the warning list (and the API, should it list warnings)."""

from datetime import date

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parkbrain.registry.models import Park, Zone

from .choices import ACTIVE_STATES, AlertState, Severity
from .models import Alert, WarningRule

LIVE = "live"
ALL = "all"
MINE = "mine"
SUPERVISED = "supervised"
SUPERVISION_LATE = "late"


class AlertFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=[(LIVE, _("Open or acknowledged")), *AlertState.choices, (ALL, _("All states"))],
        method="filter_state",
        empty_label=None,
        label=_("State"),
    )
    rule = django_filters.ModelChoiceFilter(
        queryset=WarningRule.objects.none(),
        to_field_name="code",
        empty_label=_("All"),
        label=_("Rule"),
    )
    severity = django_filters.ChoiceFilter(
        choices=Severity.choices,
        field_name="rule__severity",
        empty_label=_("All"),
        label=_("Severity"),
    )
    park = django_filters.ModelChoiceFilter(
        queryset=Park.objects.none(),
        method="filter_park",
        empty_label=_("All"),
        label=_("Park or centre"),
    )
    month = django_filters.DateFilter(
        method="filter_month",
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        label=_("Month"),
        help_text=_("Warnings whose condition held in this month."),
    )

    follow = django_filters.ChoiceFilter(
        choices=[
            (MINE, _("Assigned to me")),
            (SUPERVISED, _("Under supervision (督办)")),
            (SUPERVISION_LATE, _("Supervision past due")),
        ],
        method="filter_follow",
        empty_label=_("All"),
        label=_("Follow-up"),
    )

    class Meta:
        model = Alert
        fields: list[str] = []

    def __init__(self, *args, zone: Zone | None, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["rule"].queryset = WarningRule.objects.filter(zone=zone)
        self.filters["park"].queryset = Park.objects.filter(zone=zone)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # No state chosen means the live warnings: that is what a reviewer works through.
        if not self.form.cleaned_data.get("state"):
            queryset = queryset.filter(state__in=ACTIVE_STATES)
        return super().filter_queryset(queryset)

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == ALL:
            return queryset
        if value == LIVE:
            return queryset.filter(state__in=ACTIVE_STATES)
        return queryset.filter(state=value)

    def filter_park(self, queryset: QuerySet, name: str, value: Park) -> QuerySet:
        # A park's warnings include those of the firms in the centres inside it.
        return queryset.filter(Q(enterprise__park=value) | Q(enterprise__park__located_in=value))

    def filter_follow(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == MINE:
            return queryset.filter(assignee=self.user)
        if value == SUPERVISED:
            return queryset.filter(supervised_until__isnull=False)
        return queryset.filter(supervised_until__lt=timezone.localdate(), state__in=ACTIVE_STATES)

    def filter_month(self, queryset: QuerySet, name: str, value: date) -> QuerySet:
        first = value.replace(day=1)
        return queryset.filter(first_month__lte=first, last_month__gte=first)
