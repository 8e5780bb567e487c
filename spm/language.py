"""The interface language of e-SPM: Bahasa Indonesia for everyone, English only for a user who picks it.

Django's ``LocaleMiddleware`` follows the browser's Accept-Language header, so an office laptop set up in English
got a half-translated interface nobody asked for. Here the language comes only from the choice made with the
language switch (Django's ``set_language`` view stores it in the language cookie), else ``LANGUAGE_CODE`` (id).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views import i18n


def chosen_language(request: HttpRequest) -> str:
    """The language the user picked with the switch, or the default (Accept-Language is ignored on purpose)."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def user_language(user) -> str:
    """The language to build e-mails and files in for ``user`` outside a request: the one the user picked with
    the switch (kept on ``User.language``), else the default, Bahasa Indonesia."""
    code = getattr(user, "language", "") or ""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (the language cookie), and the choice kept on the signed-in user."""
    from spm.services import user_language_set

    response = i18n.set_language(request)
    if request.method == "POST" and request.user.is_authenticated:
        user_language_set(user=request.user, language=request.POST.get("language", ""))
    return response


class ChosenLanguageMiddleware:
    """Activates :func:`chosen_language` for the request (in place of ``django.middleware.locale.LocaleMiddleware``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
