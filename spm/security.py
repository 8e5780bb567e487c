"""Security middleware and helpers of e-SPM (issue 10: hardening).

Personal data in e-SPM (NIK, names and addresses of recipients) is protected under UU 27/2022 (Pelindungan Data
Pribadi); the measures here follow the OWASP ASVS v4 chapters on sessions (V3), HTTP security headers (V14.4)
and logging (V7). Settings live in ``spm/settings.py`` (the "Security hardening" section); the map of what
defends against what is in ``docs/ARCHITECTURE.md`` ("Security").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _

SESSION_LAST_ACTIVITY = "_spm_last_activity"
SESSION_STARTED = "_spm_session_started"
# Writing the session on every request would cost a database write per htmx poll; a minute of precision is enough.
ACTIVITY_WRITE_INTERVAL = 60


def client_ip(request: HttpRequest) -> str | None:
    """The client's IP address, used by django-axes to lock a username + address combination.

    Behind the HTTPS reverse proxy (``BEHIND_HTTPS_PROXY=1``) it is the right-most address of X-Forwarded-For,
    the one our proxy appended: anything to its left was sent by the client and could be chosen at will to
    escape the lock. Without a proxy only the socket address counts.
    """
    if settings.BEHIND_HTTPS_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded and forwarded[-1]:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR") or None


def session_started(sender, request: HttpRequest, user, **kwargs) -> None:
    """On login (signal ``user_logged_in``) the session's clocks start again; the key was already rotated."""
    now = int(time.time())
    request.session[SESSION_STARTED] = now
    request.session[SESSION_LAST_ACTIVITY] = now


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The page django-axes shows a locked-out login (``AXES_LOCKOUT_CALLABLE``): status 429 Too Many Requests,
    in Bahasa Indonesia, saying how long the lock lasts and who can lift it. Never says whether the username
    exists."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "registration/lockout.html", context, status=429)


class RequestSizeLimitMiddleware:
    """Answer 413 to a request whose declared body is larger than the largest upload e-SPM accepts.

    gunicorn does not cap request bodies, and Django reads a file upload to the end before a form can reject it;
    this refuses on the Content-Length header alone, before a byte of the body is read
    (``REQUEST_BODY_MAX_BYTES``). The reverse proxy should refuse earlier still (``client_max_body_size``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django's own parsing treats a malformed length as empty, and reads nothing
        if length > settings.REQUEST_BODY_MAX_BYTES:
            return self._too_large(request)
        return self.get_response(request)

    @staticmethod
    def _too_large(request: HttpRequest) -> HttpResponse:
        limit_mb = settings.REQUEST_BODY_MAX_BYTES // (1024 * 1024)
        message = _("Berkas atau data yang dikirim terlalu besar. Batas ukuran unggahan adalah %(mb)s MB.") % {
            "mb": limit_mb
        }
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse({"detail": message}, status=413)
        else:
            body = render_to_string("security/request_too_large.html", {"message": message})
            response = HttpResponse(body, status=413)
        # The unread body is still on the socket; closing the connection keeps it from being taken as a request.
        response["Connection"] = "close"
        return response


class PermissionsPolicyMiddleware:
    """Add the Permissions-Policy header (W3C Permissions Policy): no camera, microphone, location, payment …

    No page of e-SPM uses these browser features, so an injected script or a framed page cannot ask for them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class SessionTimeoutMiddleware:
    """End a logged-in session after ``SESSION_IDLE_TIMEOUT`` without a request, or ``SESSION_COOKIE_AGE``
    after it began whatever the activity (OWASP ASVS 3.3: idle and absolute timeouts).

    Django alone renews the session's expiry on every write, so a busy session would never end; the start time
    is therefore kept in the session and checked here. The user lands on the login page with a message saying why.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    @staticmethod
    def _check(request: HttpRequest) -> None:
        now = int(time.time())
        session = request.session
        started = session.get(SESSION_STARTED)
        last = session.get(SESSION_LAST_ACTIVITY)
        idle_limit = int(settings.SESSION_IDLE_TIMEOUT.total_seconds())
        if started is None or last is None:
            session[SESSION_STARTED] = started if started is not None else now
            session[SESSION_LAST_ACTIVITY] = now
            return
        if now - last > idle_limit:
            reason = _("Sesi Anda berakhir karena tidak ada aktivitas selama %(minutes)s menit. Silakan masuk lagi.")
            SessionTimeoutMiddleware._end(request, reason % {"minutes": idle_limit // 60})
        elif now - started > settings.SESSION_COOKIE_AGE:
            reason = _("Sesi Anda berakhir setelah %(hours)s jam. Silakan masuk lagi.")
            SessionTimeoutMiddleware._end(request, reason % {"hours": settings.SESSION_COOKIE_AGE // 3600})
        elif now - last >= ACTIVITY_WRITE_INTERVAL:
            session[SESSION_LAST_ACTIVITY] = now

    @staticmethod
    def _end(request: HttpRequest, reason: str) -> None:
        logout(request)  # flushes the session and sets request.user to AnonymousUser
        messages.info(request, reason)


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (and ``Pragma: no-cache`` for HTTP/1.0 proxies) on every response to a
    logged-in user, pages and API alike: they carry personal data (UU 27/2022), which must not stay in the
    browser's cache or a shared proxy after the user leaves. Static files are served before this runs.

    A request that authenticated with an API token or HTTP Basic is covered too: DRF sets ``request.user`` on
    the underlying request, and the Authorization header is checked in case authentication failed half-way.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
            response["Pragma"] = "no-cache"
            patch_vary_headers(response, ["Cookie"])
        return response


class RefusedRequestFilter(logging.Filter):
    """Log a refused request (4xx: PermissionDenied, Http404, a bad request …) as one line, without traceback.

    Django logs a PermissionDenied with its traceback, so every 403 a scope check returns would fill the log with
    a stack that says nothing new; server errors (5xx) keep theirs, which is what they are for.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
