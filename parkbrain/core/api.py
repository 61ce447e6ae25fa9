"""What every API router shares: authentication of people and machines, and error answers."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import ninja.pagination
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.security import APIKeyCookie, HttpBearer


class TokenAuth(HttpBearer):
    """A machine's bearer token, bound to one enterprise."""

    openapi_description = "An enterprise API token: `Authorization: Bearer pbk_…`"

    def authenticate(self, request: HttpRequest, token: str):
        from parkbrain.registry.services import authenticate_token

        return authenticate_token(token)


class SessionAuth(APIKeyCookie):
    """A logged-in user's session; unsafe methods also need the CSRF token."""

    param_name = "sessionid"
    openapi_description = "The session of a user logged in to the web pages"

    def _get_key(self, request: HttpRequest) -> str | None:
        # CSRF guards a session a forged request could ride on; without one there is none to
        # check, and a caller with no credentials is told 401, not "CSRF check failed".
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None):
        user = request.user
        return user if user.is_authenticated and user.is_active else None


class ApiError(Exception):
    """An answer with a status and a list of problems, each naming its field and reason."""

    def __init__(self, status: int, errors: list[dict]) -> None:
        super().__init__(errors)
        self.status = status
        self.errors = errors


class ProblemOut(Schema):
    """One reason a request was refused, and where: a field (with list indexes), an event's
    index in a document, or a report's row and column."""

    reason: str
    field: str | None = None
    index: int | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None


class ErrorOut(Schema):
    """A refused request: what went wrong and, for a bad request, every problem in it."""

    detail: str
    errors: list[ProblemOut] | None = Field(
        None, description="every problem found, when the request itself was at fault"
    )


class SchemaProblemOut(Schema):
    type: str
    loc: list[str | int] = Field(description="where: body, query or path, then the field")
    msg: str


class SchemaErrorOut(Schema):
    """A request whose parameters or body do not have the documented types (pydantic's own
    answer, before any of ours)."""

    detail: list[SchemaProblemOut]


def refusals(*statuses: int) -> dict[int, type[Schema]]:
    """The error answers of a route, for its ``response=``: 401 always, since every route wants
    credentials, and each status given."""
    return {status: SchemaErrorOut if status == 422 else ErrorOut for status in (401, *statuses)}


def required_in_document(*names: str) -> Callable[[dict[str, Any]], None]:
    """A ``json_schema_extra`` that documents `names` as required and not null, while the
    model still lets their absence through: the domain check then refuses it (400) beside
    every other problem, where pydantic's 422 would come without them."""

    def extra(schema: dict[str, Any]) -> None:
        schema["required"] = [*schema.get("required", []), *names]
        for name in names:
            field = schema["properties"][name]
            if "anyOf" in field:
                field["anyOf"] = [kind for kind in field["anyOf"] if kind != {"type": "null"}]
            field.pop("default", None)

    return extra


def filtered(filterset) -> QuerySet:
    """The rows a FilterSet selects, or a 400 listing every parameter that is not valid."""
    if not filterset.is_valid():
        raise ApiError(
            400,
            [
                {"field": field, "reason": str(reason)}
                for field, reasons in filterset.errors.items()
                for reason in reasons
            ],
        )
    return filterset.qs


class PageNumberPagination(ninja.pagination.PageNumberPagination):
    """Ninja's page numbers, with every page past the last one empty.

    Ninja slices at (page - 1) × size whatever the page; a page number of 20 digits makes an
    offset no database integer holds ("datatype mismatch", "bigint out of range"), so the
    slice is taken only within the rows counted. NINJA_PAGINATION_CLASS names this class:
    a bare `@paginate` uses it.
    """

    def paginate_queryset(self, queryset, pagination, request: HttpRequest, **params) -> dict:
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        count = self._items_count(queryset)
        items = queryset[offset : offset + page_size] if offset < count else []
        return {self.items_attribute: items, "count": count}


def utc_iso(moment: datetime | None) -> str | None:
    """A time as the APIs write it: UTC, milliseconds, 'Z' (None stays None)."""
    if moment is None:
        return None
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
