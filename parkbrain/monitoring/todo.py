"""Live warnings on an enterprise's own figures, for its home page: open ones, and those the
zone put under supervision (督办) with their due date."""

from datetime import date

from django.db.models import Q
from django.urls import reverse

from parkbrain.core import todo

from .choices import ACTIVE_STATES, AlertState
from .models import Alert


def _urgency(alert: Alert, today: date) -> todo.Urgency:
    if alert.supervised_until is None:
        return todo.Urgency.NOTICE
    return todo.Urgency.OVERDUE if alert.supervised_until < today else todo.Urgency.DUE


def alert_tasks(user: object, enterprise: object, today: date) -> list[todo.Task]:
    alerts = (
        Alert.objects.filter(enterprise=enterprise, state__in=ACTIVE_STATES)
        .filter(Q(state=AlertState.OPEN) | Q(supervised_until__isnull=False))
        .select_related("rule", "rule__indicator", "rule__other_indicator")
        .order_by("-last_month", "rule__sort_order")
    )
    return [
        todo.Task(
            kind="warning",
            title=f"{alert.rule.name}（{alert.last_month:%Y-%m}）",
            url=reverse("monitoring:detail", args=[alert.pk]),
            urgency=_urgency(alert, today),
            detail=alert.message,
            due=alert.supervised_until,
        )
        for alert in alerts
    ]
