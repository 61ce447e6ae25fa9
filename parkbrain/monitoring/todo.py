"""Live warnings on an enterprise's own figures, for its home page."""

from datetime import date

from django.urls import reverse

from parkbrain.core import todo

from .choices import AlertState
from .models import Alert


def alert_tasks(user: object, enterprise: object, today: date) -> list[todo.Task]:
    alerts = (
        Alert.objects.filter(enterprise=enterprise, state=AlertState.OPEN)
        .select_related("rule", "rule__indicator", "rule__other_indicator")
        .order_by("-last_month", "rule__sort_order")
    )
    return [
        todo.Task(
            kind="warning",
            title=f"{alert.rule.name}（{alert.last_month:%Y-%m}）",
            url=reverse("monitoring:detail", args=[alert.pk]),
            urgency=todo.Urgency.NOTICE,
            detail=alert.message,
        )
        for alert in alerts
    ]
