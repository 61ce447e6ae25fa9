from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from . import services


def unread(request: HttpRequest) -> dict:
    """How many notifications the person has not read, for the bell in the page frame; counted
    only when a page shows the bell."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: services.unread(user).count())}
