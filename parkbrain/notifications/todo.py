"""A person's unread notifications, for an enterprise's to-do."""

from datetime import date

from django.urls import reverse

from parkbrain.core import todo

from .services import unread

SHOWN = 5


def notice_tasks(user: object, enterprise: object, today: date) -> list[todo.Task]:
    return [
        todo.Task(
            kind="notice",
            title=n.title,
            url=reverse("notifications:list"),
            urgency=todo.Urgency.NOTICE,
            detail=n.body,
        )
        for n in unread(user)[:SHOWN]
    ]
