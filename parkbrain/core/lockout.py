"""Log-in lock-out (django-axes): one limit per user name from an address, one per address."""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a second, higher limit for every user name from one address.

    AXES_LOCKOUT_PARAMETERS lists the pair (user name, address), then the address. Axes locks
    when the larger of their failure counts reaches AXES_FAILURE_LIMIT; here the address's count
    takes over only from LOGIN_ADDRESS_FAILURE_LIMIT on. So a few people mistyping behind one
    office address do not lock it, but one address trying many user names is locked.
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        by_user, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return by_address if by_address >= settings.LOGIN_ADDRESS_FAILURE_LIMIT else by_user

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # A log-in clears its own user name's failures only: else a guesser with an account of
        # its own would clear the address's count by logging in now and then.
        by_user, _by_address = self.filter_user_attempts(request, credentials)
        count, _ = by_user.delete()
        return count
