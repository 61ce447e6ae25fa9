from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .tenancy import membership_of


class PasswordChangeRequiredMiddleware:
    """A person holding a temporary password changes it before anything else.

    The API is left alone: machines use tokens, not passwords.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(("/api/", "/static/")):
            membership = membership_of(user)
            allowed = (reverse("password_change"), reverse("logout"), reverse("set_language"))
            if membership and membership.password_change_required and request.path not in allowed:
                return redirect("password_change")
        return self.get_response(request)
