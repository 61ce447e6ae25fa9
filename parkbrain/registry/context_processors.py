from django.http import HttpRequest

from . import tenancy


def zone(request: HttpRequest) -> dict:
    """The zone the user works in and their role, for the page frame."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = tenancy.scope_of(user)
    return {"current_zone": tenancy.zone_of(user), "current_role": scope.role}
