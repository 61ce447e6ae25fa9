"""The one JSON API. OpenAPI document at /api/openapi.json, interactive docs at /api/docs."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from parkbrain.core.api import ApiError, SessionAuth, TokenAuth
from parkbrain.monitoring.api import router as monitoring_router
from parkbrain.registry.api import router as registry_router
from parkbrain.reporting.api import router as reporting_router
from parkbrain.trace.api import router as trace_router

api = NinjaAPI(
    title="ParkBrain API",
    version="1",
    description=(
        "园区产业大脑 JSON API. Every answer is limited to what the caller may see: a machine "
        "token sees its own enterprise only."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    # RFC 9110: a 401 names the scheme that would do; a machine sends its token as a bearer.
    response = api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
    response["WWW-Authenticate"] = 'Bearer realm="ParkBrain API"'
    return response


@api.exception_handler(ApiError)
def api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "invalid request", "errors": exc.errors}, status=exc.status
    )


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE when it is first read, and would
    # answer with its HTML 400 page.
    reason = _("The request body is larger than the API takes (%(limit).1f MB).") % {
        "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
    }
    return api_error(request, ApiError(413, [{"field": "body", "reason": reason}]))


api.add_router("/", registry_router)
api.add_router("/", reporting_router)
api.add_router("/", monitoring_router)
api.add_router("/epcis", trace_router)
api.add_router("/mes", "parkbrain.mes.api.router")
api.add_router("/", "parkbrain.jobs.api.router")
