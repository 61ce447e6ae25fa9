"""The one way an app tells people something: `notify` writes a notification for each
recipient in the same transaction as the change that caused it, so none is sent for a change
that rolled back. Enterprise users of a firm are reached with `enterprise_users`."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from parkbrain.registry.choices import Role

from .models import Notification


def enterprise_users(enterprise) -> list:
    """The active log-ins of an enterprise."""
    return list(
        get_user_model().objects.filter(
            is_active=True, membership__role=Role.ENTERPRISE, membership__enterprise=enterprise
        )
    )


@transaction.atomic
def notify(users: Iterable, kind: str, title: str, body: str = "", url: str = "") -> int:
    """One notification per distinct active recipient; returns how many were written."""
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    Notification.objects.bulk_create(
        Notification(user=u, kind=kind, title=title[:200], body=body[:1000], url=url[:300])
        for u in recipients.values()
    )
    return len(recipients)


def unread(user):
    return Notification.objects.filter(user=user, read_at__isnull=True)


def mark_read(user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (all of them when `ids` is None)."""
    rows = unread(user)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
