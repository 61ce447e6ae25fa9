"""What a person has to do, gathered from every app onto one home page.

Each app registers a provider (in its AppConfig.ready) that lists the tasks it knows of for an
enterprise; the home page shows them, most urgent first. Notifications plug in the same way."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import IntEnum


class Urgency(IntEnum):
    OVERDUE = 0
    DUE = 1
    NOTICE = 2


@dataclass(frozen=True)
class Task:
    kind: str  # the card it is shown on: "report", "warning", …
    title: str
    url: str
    urgency: Urgency
    detail: str = ""
    due: date | None = None
    provisional: bool = False  # the due date assumes holidays not yet published


Provider = Callable[[object, object, date], list[Task]]
_providers: dict[str, Provider] = {}


def provides(name: str, provider: Provider) -> None:
    _providers[name] = provider


def tasks_for(user: object, enterprise: object, today: date) -> list[Task]:
    """Every provider's tasks for one enterprise, the most urgent and earliest due first."""
    tasks = [task for provider in _providers.values() for task in provider(user, enterprise, today)]
    return sorted(tasks, key=lambda t: (t.urgency, t.due or date.max, t.title))
