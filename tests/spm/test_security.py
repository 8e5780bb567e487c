"""Security hardening (issue 10): login lock-out, API authentication and throttling, sessions, security headers,
private responses, refused-request logging, upload size limit, and `check --deploy` in production settings.

Every rule is tested with someone who must be refused: the locked-out operator, the anonymous API client,
the idle session, the oversized upload.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import secrets
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import include, path, reverse
from rest_framework.authtoken.models import Token
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from spm import security
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LOGIN_URL = "/akun/masuk/"


def _login(client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- Login throttling (django-axes) ------------------------------------------------------------------------


def test_ten_wrong_passwords_lock_the_account_and_the_right_one_is_then_refused(client, operator_a):
    assert settings.AXES_FAILURE_LIMIT == 10
    for attempt in range(1, 10):
        response = _login(client, "operator_a", f"salah-{attempt}")
        assert response.status_code == 200, f"attempt {attempt} must still show the login form"
    response = _login(client, "operator_a", "salah-10")
    assert response.status_code == 429
    body = response.content.decode()
    assert "Akun dikunci sementara" in body and "30 menit" in body and "hubungi admin" in body
    assert 'data-testid="akun-dikunci"' in body and '<html lang="id">' in body  # the full page, not bare text

    response = _login(client, "operator_a", TEST_PASSWORD)
    assert response.status_code == 429
    assert not _logged_in(client)
    assert client.get(reverse("home")).status_code == 302


def test_nine_wrong_passwords_do_not_lock_and_a_success_clears_the_count(client, operator_a):
    for attempt in range(9):
        _login(client, "operator_a", f"salah-{attempt}")
    response = _login(client, "operator_a", TEST_PASSWORD)
    assert response.status_code == 302 and _logged_in(client)
    assert not AccessAttempt.objects.filter(username="operator_a").exists()  # AXES_RESET_ON_SUCCESS


def test_lock_is_per_username_and_address(client, operator_a, operator_b):
    for attempt in range(10):
        _login(client, "operator_a", f"salah-{attempt}", ip="10.0.0.1")
    assert _login(client, "operator_a", TEST_PASSWORD, ip="10.0.0.1").status_code == 429
    # A colleague in the same office is not locked out, nor is the same user from elsewhere.
    assert _login(client, "operator_b", TEST_PASSWORD, ip="10.0.0.1").status_code == 302
    client.post(reverse("logout"))
    assert _login(client, "operator_a", TEST_PASSWORD, ip="10.9.9.9").status_code == 302


def test_admin_reset_unlocks_the_account(client, operator_a):
    for attempt in range(10):
        _login(client, "operator_a", f"salah-{attempt}")
    assert _login(client, "operator_a", TEST_PASSWORD).status_code == 429
    call_command("axes_reset_username", "operator_a")
    response = _login(client, "operator_a", TEST_PASSWORD)
    assert response.status_code == 302 and _logged_in(client)


def test_lock_ends_after_the_cool_off(client, operator_a):
    for attempt in range(10):
        _login(client, "operator_a", f"salah-{attempt}")
    assert _login(client, "operator_a", TEST_PASSWORD).status_code == 429
    past = AccessAttempt.objects.get(username="operator_a").attempt_time - timedelta(minutes=31)
    AccessAttempt.objects.filter(username="operator_a").update(attempt_time=past)
    assert _login(client, "operator_a", TEST_PASSWORD).status_code == 302


def test_attempt_log_is_in_the_admin_for_admins_only_and_never_keeps_the_password(
    client, client_for, operator_a, admin_user
):
    _login(client, "operator_a", "kata-sandi-rahasia-yang-salah")
    attempt = AccessAttempt.objects.get(username="operator_a")
    assert attempt.failures_since_start == 1 and attempt.ip_address == "10.0.0.1"
    assert "kata-sandi-rahasia-yang-salah" not in attempt.post_data
    _login(client, "operator_a", TEST_PASSWORD)
    assert AccessLog.objects.filter(username="operator_a").exists()

    admin = client_for(admin_user)
    changelist = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200
    assert reverse("admin:axes_accesslog_changelist") in admin.get(reverse("admin:index")).content.decode()
    operator = client_for(operator_a)
    assert operator.get(reverse("admin:axes_accessattempt_changelist")).status_code == 302  # to the admin login


def test_lock_out_address_behind_the_proxy_is_the_one_the_proxy_appended(settings):
    factory = RequestFactory()
    request = factory.post(LOGIN_URL, REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    settings.BEHIND_HTTPS_PROXY = True
    assert security.client_ip(request) == "203.0.113.7"  # 1.2.3.4 was written by the client itself
    settings.BEHIND_HTTPS_PROXY = False
    assert security.client_ip(request) == "172.18.0.5"  # without a proxy the header is not trusted


# --- API: authentication, throttling, schema and Swagger UI -------------------------------------------------


@pytest.fixture
def tight_throttles(monkeypatch):
    """Small rates, so the test makes a handful of requests (the configured ones allow hundreds)."""
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"})
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"})


def test_configured_api_rates_come_from_the_settings():
    rest = settings.REST_FRAMEWORK
    assert set(rest["DEFAULT_THROTTLE_CLASSES"]) == {
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    }
    assert rest["DEFAULT_THROTTLE_RATES"] == {"anon": "60/minute", "user": "600/minute"}


def test_anonymous_api_client_is_throttled(client, reference_data, tight_throttles):
    url = reverse("api:affair-list")
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(url)
    assert response.status_code == 429 and "Retry-After" in response


def test_logged_in_api_client_is_throttled_per_user(client_for, operator_a, operator_b, tight_throttles):
    url = reverse("api:agency-list")
    client = client_for(operator_a)
    assert [client.get(url).status_code for _ in range(5)] == [200] * 5
    assert client.get(url).status_code == 429
    assert client_for(operator_b).get(url).status_code == 200  # another user has their own allowance


def test_token_authentication_works_and_a_wrong_token_is_refused(client, operator_a):
    token = Token.objects.create(user=operator_a)
    url = reverse("api:agency-list")
    response = client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200 and response.json()["count"] >= 1
    refused = client.get(url, HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert refused.status_code in (401, 403) and "results" not in refused.json()


def test_http_basic_is_refused_by_default(client, operator_a):
    credentials = base64.b64encode(f"operator_a:{TEST_PASSWORD}".encode()).decode()
    response = client.get(reverse("api:agency-list"), HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert response.status_code in (401, 403)
    assert (
        "rest_framework.authentication.BasicAuthentication"
        not in settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]
    )


def _settings_in_subprocess(expression: str, **env: str) -> str:
    """Evaluate ``expression`` on freshly loaded settings with extra environment variables."""
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "spm.settings", **env}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_http_basic_and_rates_follow_the_environment():
    out = _settings_in_subprocess(
        'settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"], settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]',
        API_BASIC_AUTH="1",
        API_THROTTLE_ANON="10/minute",
        API_THROTTLE_USER="2000/hour",
    )
    assert "BasicAuthentication" in out and "'anon': '10/minute'" in out and "'user': '2000/hour'" in out


def test_openapi_schema_requires_login(client, client_for, reviewer):
    response = client.get(reverse("api-schema"))
    assert response.status_code in (401, 403)
    assert b"openapi" not in response.content
    response = client_for(reviewer).get(reverse("api-schema"))
    assert response.status_code == 200 and b"openapi" in response.content


def test_swagger_ui_requires_login_and_comes_from_our_static_files(client, client_for, reviewer):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    response = client_for(reviewer).get(reverse("api-docs"))
    body = response.content.decode()
    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', body)
    assert any("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in s for s in sources)
    assert all(s.startswith("/") for s in sources), f"everything from our own origin: {sources}"
    assert "<script>" not in body and "<style" not in body and "style=" not in body
    script = client_for(reviewer).get(reverse("api-docs") + "?script=")
    assert script.status_code == 200 and reverse("api-schema").encode() in script.content


# --- Sessions ------------------------------------------------------------------------------------------------


def test_login_gives_the_session_a_new_key(client, operator_a):
    client.get(LOGIN_URL)
    session = client.session
    session["sebelum_masuk"] = True
    session.save()
    before = session.session_key
    client.cookies[settings.SESSION_COOKIE_NAME] = before

    response = _login(client, "operator_a", TEST_PASSWORD)
    after = response.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    engine = __import__(settings.SESSION_ENGINE, fromlist=["SessionStore"])
    assert not engine.SessionStore().exists(before)  # a key fixed by an attacker is worthless after login


def test_session_cookie_lasts_hours_not_weeks(client, operator_a):
    response = _login(client, "operator_a", TEST_PASSWORD)
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    assert int(response.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) == 12 * 60 * 60
    assert response.cookies[settings.SESSION_COOKIE_NAME]["httponly"]


def _age_session(client, *, idle: timedelta, since_login: timedelta) -> None:
    now = int(time.time())
    session = client.session
    session[security.SESSION_LAST_ACTIVITY] = now - int(idle.total_seconds())
    session[security.SESSION_STARTED] = now - int(since_login.total_seconds())
    session.save()


def test_idle_session_is_ended(client, operator_a):
    _login(client, "operator_a", TEST_PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, idle=timedelta(minutes=31), since_login=timedelta(minutes=40))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not _logged_in(client)
    login_page = client.get(response["Location"])
    assert "tidak ada aktivitas selama 30 menit" in login_page.content.decode()


def test_active_session_continues_and_records_the_activity(client, operator_a):
    _login(client, "operator_a", TEST_PASSWORD)
    _age_session(client, idle=timedelta(minutes=29), since_login=timedelta(hours=2))
    assert client.get(reverse("home")).status_code == 200
    assert int(time.time()) - client.session[security.SESSION_LAST_ACTIVITY] < 5


def test_session_ends_after_the_absolute_age_even_when_active(client, operator_a):
    _login(client, "operator_a", TEST_PASSWORD)
    _age_session(client, idle=timedelta(minutes=1), since_login=timedelta(hours=12, minutes=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and not _logged_in(client)
    assert any("setelah 12 jam" in str(m) for m in get_messages(response.wsgi_request))


# --- Security headers: CSP, Permissions-Policy, no-store -------------------------------------------------------

MAIN_PAGES = {
    "operator_a": [
        "home",
        "reporting:tasks",
        "reporting:recipients-home",
        "reporting:my-achievements",
        "targets:target-list",
    ],
    "reviewer": ["home", "reporting:review-queue", "reporting:matrix", "reporting:dashboard", "targets:plan-list"],
    "leader": ["home", "reporting:dashboard", "targets:official-report"],
    "provincial_viewer": ["home", "reporting:ranking"],
    "admin_user": ["home", "reporting:periods", "agency-list", "admin:index"],
}


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.parametrize("persona", sorted(MAIN_PAGES))
def test_every_main_page_carries_the_security_headers(persona, request, client_for):
    client = client_for(request.getfixturevalue(persona))
    for name in MAIN_PAGES[persona]:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        csp = _csp(response)
        assert csp["default-src"] == "default-src 'self'"
        assert csp["script-src"] == "script-src 'self'" and csp["style-src"] == "style-src 'self'", name
        assert csp["frame-ancestors"] == "frame-ancestors 'none'" and csp["object-src"] == "object-src 'none'"
        assert csp["base-uri"] == "base-uri 'self'" and csp["form-action"] == "form-action 'self'"
        assert "unsafe-inline" not in response["Content-Security-Policy"]
        assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
        assert "no-store" in response["Cache-Control"] and response["Pragma"] == "no-cache", name


def test_public_pages_carry_the_policy_too(client, reference_data):
    for url in (reverse("login"), reverse("catalogue")):
        response = client.get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert "microphone=()" in response["Permissions-Policy"]


def test_csp_report_uri_follows_the_environment():
    out = _settings_in_subprocess(
        'settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].get("report-uri")', CSP_REPORT_URI="https://csp.example/r"
    )
    assert out == "['https://csp.example/r']"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def test_templates_have_no_inline_scripts_styles_or_handlers():
    # WeasyPrint renders the PDF templates on the server; no browser, no CSP.
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        if "pdf" in template.relative_to(ROOT / "templates").parts:
            continue
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_STYLE):
            offenders += [f"{template.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert not offenders, offenders


HTML_IN_PYTHON = re.compile(r"<[a-z][^>]*\sstyle=|<script|<style\b", re.IGNORECASE)


def test_python_code_renders_no_inline_styles_or_scripts():
    offenders = []
    for app in ("spm", "reporting", "targets"):
        for source in (ROOT / app).rglob("*.py"):
            if "migrations" in source.parts:
                continue
            text = source.read_text(encoding="utf-8")
            offenders += [f"{source.relative_to(ROOT)}: {m.group(0)}" for m in HTML_IN_PYTHON.finditer(text)]
    assert not offenders, offenders


def test_api_responses_to_a_token_user_are_not_stored(client, operator_a):
    token = Token.objects.create(user=operator_a)
    response = client.get(reverse("api:agency-list"), HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and response["Pragma"] == "no-cache"


def test_anonymous_public_pages_and_static_files_are_not_marked_private(client_for, operator_a, settings):
    settings.WHITENOISE_USE_FINDERS = True  # read when the client first loads the middleware
    settings.WHITENOISE_AUTOREFRESH = True
    client = client_for(operator_a)
    static = client.get("/static/css/espm.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "") and "Pragma" not in static
    client.post(reverse("logout"))
    response = client.get(reverse("catalogue"))
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")


# --- Refused requests are logged in one line ---------------------------------------------------------------------


def _refused(request):
    raise PermissionDenied("Bukan untuk Anda.")


def _broken(request):
    raise RuntimeError("rusak")


urlpatterns = [
    path("uji/ditolak/", _refused),
    path("uji/rusak/", _broken),
    path("", include("spm.urls")),
]


@pytest.mark.urls(__name__)
def test_refused_request_is_logged_as_one_line_and_a_server_error_keeps_its_traceback(client, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    assert client.get("/uji/ditolak/").status_code == 403
    (refused,) = [r for r in caplog.records if r.name == "django.request"]
    assert refused.exc_info is None
    assert "\n" not in caplog.handler.format(refused) and "Traceback" not in caplog.text
    caplog.clear()

    client.raise_request_exception = False
    assert client.get("/uji/rusak/").status_code == 500
    (error,) = [r for r in caplog.records if r.name == "django.request"]
    assert error.exc_info is not None and "RuntimeError: rusak" in caplog.text


def test_scope_refusal_in_the_app_logs_without_traceback(client_for, operator_a, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    assert client_for(operator_a).get(reverse("reporting:periods")).status_code == 403
    assert "Forbidden" in caplog.text and "Traceback" not in caplog.text


# --- Upload size limit -----------------------------------------------------------------------------------------


class _Unreadable:
    """A request body that must never be read."""

    def read(self, *args, **kwargs):
        raise AssertionError("the body was read")

    readline = read


def test_oversized_upload_is_refused_before_the_body_is_read(client_for, operator_a):
    too_big = settings.REQUEST_BODY_MAX_BYTES + 1
    response = client_for(operator_a).post(
        reverse("reporting:recipients-import"),
        data=b"x",
        content_type="multipart/form-data; boundary=batas",
        CONTENT_LENGTH=str(too_big),
        **{"wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413
    assert "terlalu besar" in response.content.decode() and "101 MB" in response.content.decode()
    assert response["Connection"] == "close"


def test_oversized_api_request_gets_json(client):
    response = client.post(
        "/api/v1/opd/",
        data=b"{}",
        content_type="application/json",
        CONTENT_LENGTH=str(settings.REQUEST_BODY_MAX_BYTES + 1),
        **{"wsgi.input": _Unreadable()},
    )
    assert response.status_code == 413 and "terlalu besar" in response.json()["detail"]


def test_upload_limit_leaves_room_for_the_largest_recipient_list():
    assert settings.REQUEST_BODY_MAX_BYTES > settings.RECIPIENT_IMPORT_MAX_BYTES
    assert settings.REQUEST_BODY_MAX_BYTES > settings.EVIDENCE_MAX_BYTES


def test_request_at_the_limit_reaches_the_view(client, operator_a):
    response = client.post(
        LOGIN_URL,
        {"username": "operator_a", "password": TEST_PASSWORD},
    )
    assert response.status_code == 302


# --- check --deploy in the documented production settings -------------------------------------------------------


def test_deploy_check_is_clean_with_the_production_settings(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SESSION_", "API_", "LOGIN_", "CSP_"))
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "spm.settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SECURE_COOKIES": "1",
            "BEHIND_HTTPS_PROXY": "1",
            "ALLOWED_HOSTS": "spm.example.go.id,localhost",
            "CSRF_TRUSTED_ORIGINS": "https://spm.example.go.id",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
