"""Error pages of e-SPM (400, 403, 404, 500 and a refused CSRF token), in the site's layout and in Indonesian:
each says what happened and where to go next, instead of Django's bare English pages.

The 500 page is rendered without a request context (the error may come from a context processor or the
database), so ``500.html`` stands on its own; the others are rendered with the request, so the navigation and
the user menu are there.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def _page(request: HttpRequest, template: str, status: int, **context) -> HttpResponse:
    return HttpResponse(render_to_string(template, context, request), status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """403: the reason given by :func:`spm.access.require` (an Indonesian sentence) is shown to the user."""
    reason = ""
    if isinstance(exception, PermissionDenied) and exception.args and isinstance(exception.args[0], str):
        reason = exception.args[0]
    return _page(request, "403.html", 403, reason=reason or _("Anda tidak berwenang membuka halaman ini."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404: under /api/ the JSON refusal the schema describes (an integrator's client never parses an HTML
    page); elsewhere the site's page."""
    if request.path.startswith("/api/"):
        from spm.api.views import not_found

        return not_found(request, exception)
    return _page(request, "404.html", 404, request_path=request.path)


def server_error(request: HttpRequest) -> HttpResponse:
    return HttpResponse(render_to_string("500.html"), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: usually a form left open past the session's lifetime, or cookies switched off."""
    return _page(request, "403_csrf.html", 403)
