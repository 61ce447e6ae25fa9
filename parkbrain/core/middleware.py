from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user chose another language.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an English
    browser in a Chinese zone office would get English pages; here only the user's own
    choice (the language cookie set by the switcher) changes the language. A machine calling
    the API with its token has no switcher: its Accept-Language is its choice.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        machine = chosen not in self.supported and "Authorization" in request.headers
        if chosen in self.supported:
            language = chosen
        elif machine:
            language = translation.get_language_from_request(request)  # zh-hans if none fits
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        if machine:
            patch_vary_headers(response, ("Accept-Language",))
        return response


class ContentSecurityPolicyMiddleware:
    """The Content-Security-Policy header built from SECURE_CSP, on answers that have none.

    SECURE_CSP maps each directive to its sources, as Django 6.0's own middleware reads it:
    moving to Django 6 is naming django.middleware.csp.ContentSecurityPolicyMiddleware instead.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = "; ".join(
            " ".join([directive, *sources]) for directive, sources in settings.SECURE_CSP.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
