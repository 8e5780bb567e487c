"""No page offers a link that then refuses: each demo role follows every link it is shown (depth 2).

The demo daerah is filled through the services as a real one would be (reports in every state, a recipient
list, a target, a rencana aksi, achievements), then each demo account starts at its home page and follows
every internal link of every page it reaches, two links deep. Every answer must be a success or a redirect
to a page that is itself a success: a 403 or 404 here is a link shown to someone who is then refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlparse

import pytest
from django.test import Client
from django.utils import timezone

from reporting.choices import ImportMode
from reporting.recipients.services import recipient_import_start, recipient_import_validate
from reporting.recipients.store import recipient_import_commit
from reporting.services import period_get_or_create, report_approve, report_open, report_submit
from spm.demo import DEMO_REGION_CODE, demo_setup
from spm.models import ServiceAssignment, User
from targets.services import plan_create, target_save, target_submit
from tests.reporting.conftest import fill_completely
from tests.reporting.recipients_support import people, upload, xlsx_bytes
from tests.targets.conftest import target_input

pytestmark = pytest.mark.django_db

# One account per role of spm/roles.py (the provinsi's own operator and verifikator are the same roles again).
DEMO_USERS = [
    "operator.dinkes",
    "operator.disdik",
    "verifikator",
    "pimpinan",
    "provinsi",
    "evaluator.provinsi",
    "admin",
    "kemendagri",
]
DEPTH = 2
# Links that end the session or change state on GET, and the Django admin beyond its index (its own app).
SKIP = re.compile(r"^/(akun/keluar|i18n/|admin/.+|media/|static/)")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def _internal_links(page_url: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    links = []
    for href in parser.hrefs:
        if href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        url = urldefrag(urljoin(page_url, href)).url
        parsed = urlparse(url)
        if parsed.netloc not in ("", "testserver"):
            continue
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        if not SKIP.match(parsed.path):
            links.append(path)
    return links


@pytest.fixture
def demo_world(reference_data, django_capture_on_commit_callbacks, settings, tmp_path):
    """The demo daerah with one report in each state, a recipient list, a target and a rencana aksi."""
    settings.MEDIA_ROOT = tmp_path
    demo_setup()
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERS)}
    operator, reviewer = users["operator.dinkes"], users["verifikator"]
    region = operator.agency.region
    assert region.code == DEMO_REGION_CODE
    services = [a.service for a in ServiceAssignment.objects.filter(agency=operator.agency).select_related("service")]
    period = period_get_or_create(region=region, year=timezone.localdate().year, quarter=1)
    period.due_date = timezone.localdate() + dt.timedelta(days=30)
    period.opens_on = min(period.opens_on, period.due_date)
    period.save()
    with django_capture_on_commit_callbacks(execute=True):
        report_open(user=operator, period=period, service=services[0])
        submitted = fill_completely(report_open(user=operator, period=period, service=services[1]), operator)
        report_submit(report=submitted, user=operator, expected_version=submitted.version)
        approved = fill_completely(report_open(user=operator, period=period, service=services[2]), operator)
        report_submit(report=approved, user=operator, expected_version=approved.version)
        report_approve(report=approved, user=reviewer)
        batch = recipient_import_start(
            user=operator,
            region=region,
            service=services[0],
            year=period.year,
            mode=ImportMode.APPEND,
            upload=upload(xlsx_bytes(people(3))),
        )
        recipient_import_validate(batch.pk)
        batch.refresh_from_db()
        recipient_import_commit(user=operator, batch=batch)
        revision = target_save(
            user=operator, region=region, service=services[0], year=period.year, data=target_input(1000)
        )
        target_submit(revision=revision, user=operator)
        plan_create(user=reviewer, region=region, start_year=period.year, end_year=period.year + 4)
    return users


def _crawl(client: Client) -> tuple[int, list[tuple[str, str, int]]]:
    """Follow links breadth-first from the home page; returns (pages visited, [(from, to, status) refused])."""
    seen: set[str] = {"/"}
    queue: deque[tuple[str, str, int]] = deque([("(start)", "/", 0)])
    refused: list[tuple[str, str, int]] = []
    visited = 0
    while queue:
        origin, url, depth = queue.popleft()
        response = client.get(url, follow=True)
        visited += 1
        status = response.status_code
        if status >= 400:
            refused.append((origin, url, status))
            continue
        content_type = response.get("Content-Type", "")
        if depth >= DEPTH or not content_type.startswith("text/html"):
            continue
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        for link in _internal_links(final, response.content.decode()):
            if link not in seen:
                seen.add(link)
                queue.append((url, link, depth + 1))
    return visited, refused


@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_link_a_demo_role_is_shown_opens(username, demo_world):
    client = Client()
    client.force_login(demo_world[username])
    visited, refused = _crawl(client)
    assert visited > 50, f"{username} reached only {visited} pages: the crawl did not run"
    assert refused == [], f"{username} is shown links that answer an error: {refused}"
