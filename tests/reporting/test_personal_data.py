"""Personal data of recipients (UU 27/2022): a masked NIK cannot be recovered through the list's search or
the API, a search by NIK is exact, posted, for roles that see full NIKs, throttled and logged; a look at a
full NIK is logged like an export; each user reads their own access log, admins anyone's."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.urls import reverse

from reporting.choices import ExportKind
from reporting.models import ExportLog
from reporting.recipients.validation import mask_nik
from tests.pages import page_context
from tests.reporting.recipients_support import YEAR
from tests.reporting.test_recipient_pages import add_recipients, list_url

pytestmark = pytest.mark.django_db

MASKED_ROLES = ["leader", "provincial_viewer"]
FULL_NIK_ROLES = ["operator_a", "reviewer", "admin_user"]


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def search_url(daerah, service) -> str:
    return reverse(
        "reporting:recipients-nik-search", kwargs={"region": daerah.code, "service": service.code, "year": YEAR}
    )


def recover_masked_nik(masked: str, matches, budget: int = 25) -> str | None:
    """The attack of the issue: extend the known first digits one digit at a time while a probe says "the
    target is among the results and the results narrowed". Returns the NIK found, or None."""
    known = masked[:4]
    requests = 0
    while len(known) < 16:
        for digit in "0123456789":
            if requests >= budget:
                return None
            requests += 1
            if matches(known + digit):
                known += digit
                break
        else:
            return None
    return known


# --- 1. a masked NIK cannot be recovered -------------------------------------------------------------


@pytest.mark.parametrize("persona", MASKED_ROLES)
def test_prefix_probing_through_the_list_page_recovers_nothing(client_for, request, persona, daerah, service_a):
    recipients = add_recipients(daerah, service_a, 12)
    target = recipients[4]
    client = client_for(request.getfixturevalue(persona))
    everyone = {r.pk for r in recipients}

    def shown(**params) -> set[int]:
        response = client.get(list_url(daerah, service_a), params)
        assert response.status_code == 200
        return {r["id"] for r in response.context["page"]}

    # The oracle works: a narrowing search is seen as one (by name).
    assert shown(q="Uji 4") == {target.pk}

    def matches(prefix: str) -> bool:
        found = shown(q=prefix)
        return target.pk in found and found != everyone

    assert recover_masked_nik(mask_nik(target.nik), matches) is None
    assert shown(q=target.nik) == everyone  # a whole NIK typed in the name box filters nothing either


@pytest.mark.parametrize("persona", MASKED_ROLES)
def test_masked_roles_get_no_nik_search(client_for, request, persona, daerah, service_a):
    target = add_recipients(daerah, service_a, 3)[1]
    client = client_for(request.getfixturevalue(persona))
    assert page_context(client.get(list_url(daerah, service_a)))["nik_form"] is None
    assert 'data-testid="cari-nik"' not in client.get(list_url(daerah, service_a)).content.decode()
    for prefix in (target.nik[:8], target.nik):
        assert client.post(search_url(daerah, service_a), {"nik": prefix}).status_code == 403
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize("persona", MASKED_ROLES)
def test_prefix_probing_through_the_api_recovers_nothing(client_for, request, persona, daerah, service_a):
    recipients = add_recipients(daerah, service_a, 12)
    target = recipients[4]
    client = client_for(request.getfixturevalue(persona))
    url = "/api/v1/penerima/"
    everyone = {item["id"] for item in client.get(url).json()["results"]}
    assert everyone == {r.pk for r in recipients}
    assert {item["nik"] for item in client.get(url).json()["results"]} == {mask_nik(r.nik) for r in recipients}

    for name in ("nik", "nik__startswith", "q", "search", "nik_prefix"):

        def matches(prefix: str, name=name) -> bool:
            response = client.get(url, {name: prefix})
            assert response.status_code == 200
            found = {item["id"] for item in response.json()["results"]}
            return target.pk in found and found != everyone

        assert recover_masked_nik(mask_nik(target.nik), matches) is None, name
    assert client.get(url, {"year": YEAR + 1}).json()["count"] == 0  # filters that exist do filter


# --- search by NIK: exact, posted, throttled, logged ---------------------------------------------------


@pytest.mark.parametrize("persona", FULL_NIK_ROLES)
def test_exact_nik_search_opens_the_recipient_and_is_logged(client_for, request, persona, daerah, service_a):
    user = request.getfixturevalue(persona)
    target = add_recipients(daerah, service_a, 5)[2]
    client = client_for(user)
    response = client.post(search_url(daerah, service_a), {"nik": target.nik})
    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:recipient-detail", kwargs={"pk": target.pk})
    log = ExportLog.objects.get(kind=ExportKind.NIK_SEARCH)
    assert (log.user, log.region, log.row_count) == (user, daerah, 1)
    assert log.filters == {"layanan": service_a.code, "tahun": YEAR, "penerima": [target.pk]}
    assert target.nik not in str(log.filters)


def test_nik_search_never_matches_a_prefix(client_for, operator_a, daerah, service_a):
    target = add_recipients(daerah, service_a, 5)[2]
    client = client_for(operator_a)
    for value in (target.nik[:15], target.nik[:12], target.nik[:4], target.nik + "0"):
        response = client.post(search_url(daerah, service_a), {"nik": value})
        assert response.status_code == 200
        assert page_context(response)["nik_form"].errors["nik"] == [
            "Masukkan NIK lengkap 16 digit angka; pencarian NIK hanya untuk NIK yang sama persis."
        ]
    unknown = "1812" + "9" * 12
    response = client.post(search_url(daerah, service_a), {"nik": unknown})
    assert page_context(response)["nik_form"].errors["nik"] == ["NIK tersebut tidak ada pada daftar ini."]
    assert ExportLog.objects.get(kind=ExportKind.NIK_SEARCH).row_count == 0


def test_nik_search_is_throttled_per_user(client_for, operator_a, reviewer, daerah, service_a, settings):
    settings.RECIPIENT_NIK_SEARCH_LIMIT = 3
    target = add_recipients(daerah, service_a, 2)[0]
    client = client_for(operator_a)
    answers = [client.post(search_url(daerah, service_a), {"nik": target.nik}).status_code for _ in range(5)]
    assert answers == [302, 302, 302, 429, 429]
    assert (
        "Terlalu banyak pencarian NIK"
        in client.post(search_url(daerah, service_a), {"nik": target.nik}).content.decode()
    )
    assert ExportLog.objects.filter(kind=ExportKind.NIK_SEARCH).count() == 3
    assert client_for(reviewer).post(search_url(daerah, service_a), {"nik": target.nik}).status_code == 302


def test_nik_search_out_of_scope_is_not_found(client_for, operator_b, outsider, daerah, service_a):
    target = add_recipients(daerah, service_a, 1)[0]
    for user in (operator_b, outsider):
        assert client_for(user).post(search_url(daerah, service_a), {"nik": target.nik}).status_code == 404
    assert not ExportLog.objects.exists()


def test_nik_search_is_a_post(client_for, operator_a, daerah, service_a):
    assert client_for(operator_a).get(search_url(daerah, service_a)).status_code == 405


class _Urls(HTMLParser):
    """Every URL a page carries: links, form actions, sources, htmx requests."""

    ATTRIBUTES = {"href", "action", "src", "hx-get", "hx-post", "hx-put", "hx-delete", "data-url", "formaction"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.urls += [value for name, value in attrs if name in self.ATTRIBUTES and value]


@pytest.mark.parametrize("persona", ["operator_a", "admin_user", "leader"])
def test_no_nik_in_any_url_the_pages_generate(client_for, request, persona, daerah, service_a):
    user = request.getfixturevalue(persona)
    recipients = add_recipients(daerah, service_a, 6)
    client = client_for(user)
    pages = [
        client.get(reverse("reporting:recipients-home"), {"daerah": daerah.code, "tahun": YEAR}),
        client.get(list_url(daerah, service_a)),
        client.get(list_url(daerah, service_a), {"q": recipients[1].nik}),
        client.get(reverse("reporting:recipient-detail", kwargs={"pk": recipients[1].pk})),
        client.get(reverse("reporting:personal-data-log")),
    ]
    if persona != "leader":
        pages.append(client.post(search_url(daerah, service_a), {"nik": recipients[2].nik}, follow=True))
        pages.append(client.post(search_url(daerah, service_a), {"nik": "1812" + "9" * 12}))
        pages.append(client.get(reverse("reporting:personal-data-log")))
    niks = {r.nik for r in recipients}
    for response in pages:
        assert response.status_code == 200
        parser = _Urls()
        parser.feed(response.content.decode())
        urls = parser.urls + [url for url, _status in getattr(response, "redirect_chain", [])]
        assert urls, "the page carries links"
        for url in urls:
            assert not re.search(r"\d{16}", url), url
            assert not any(nik in url for nik in niks), url


# --- 2. a look at a full NIK is logged; the access log page ------------------------------------------


def test_a_full_nik_view_is_logged_and_a_masked_one_is_not(client_for, operator_a, leader, daerah, service_a):
    recipient = add_recipients(daerah, service_a, 1)[0]
    url = reverse("reporting:recipient-detail", kwargs={"pk": recipient.pk})
    client_for(leader).get(url)
    assert not ExportLog.objects.exists()
    assert recipient.nik in client_for(operator_a).get(url).content.decode()
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.region, log.row_count) == (operator_a, ExportKind.FULL_VIEW, daerah, 1)
    assert log.filters == {"penerima": recipient.pk, "layanan": service_a.code, "tahun": YEAR}


def _rows(response) -> set[tuple[str, str]]:
    return {(row.user.username, row.kind) for row in response.context["page"]}


def test_each_user_reads_only_their_own_accesses(client_for, operator_a, reviewer, leader, daerah, service_a):
    recipient = add_recipients(daerah, service_a, 1)[0]
    detail = reverse("reporting:recipient-detail", kwargs={"pk": recipient.pk})
    client_for(operator_a).get(detail)
    client_for(reviewer).get(detail)
    page = reverse("reporting:personal-data-log")
    assert _rows(client_for(operator_a).get(page)) == {(operator_a.username, ExportKind.FULL_VIEW)}
    # A verifikator may audit its daerah's exports elsewhere, but this page is its own accesses only.
    assert _rows(client_for(reviewer).get(page)) == {(reviewer.username, ExportKind.FULL_VIEW)}
    assert _rows(client_for(leader).get(page)) == set()
    response = client_for(operator_a).get(page, {"pengguna": reviewer.pk})
    assert response.status_code == 403
    assert client_for(operator_a).get(page, {"pengguna": "semua"}).status_code == 403


def test_admin_reads_anyones_accesses_with_a_filter(client_for, operator_a, reviewer, admin_user, daerah, service_a):
    recipient = add_recipients(daerah, service_a, 1)[0]
    detail = reverse("reporting:recipient-detail", kwargs={"pk": recipient.pk})
    client_for(operator_a).get(detail)
    client_for(reviewer).get(detail)
    client = client_for(admin_user)
    page = reverse("reporting:personal-data-log")
    assert _rows(client.get(page)) == set()  # its own, by default
    assert _rows(client.get(page, {"pengguna": operator_a.pk})) == {(operator_a.username, ExportKind.FULL_VIEW)}
    everyone = client.get(page, {"pengguna": "semua"})
    assert _rows(everyone) == {(operator_a.username, ExportKind.FULL_VIEW), (reviewer.username, ExportKind.FULL_VIEW)}
    assert {u.username for u in everyone.context["users"]} == {operator_a.username, reviewer.username}
    assert client.get(page, {"pengguna": "abc"}).status_code == 200
    assert client.get(page, {"pengguna": 987654}).status_code == 404


def test_user_menu_links_to_the_access_log(client_for, leader):
    html = client_for(leader).get(reverse("reporting:personal-data-log")).content.decode()
    assert f'href="{reverse("reporting:personal-data-log")}"' in html
    assert "Data pribadi yang saya akses" in html


@pytest.fixture
def cache_down(settings):
    """The shared cache configured (sessions read from it) but Redis not answering: a closed port."""
    from spm import config

    settings.CACHES = {"default": config.parse_cache_url("redis://127.0.0.1:1/0")}
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def test_without_the_shared_cache_pages_and_api_serve_and_nik_search_waits(
    client_for, operator_a, daerah, service_a, cache_down
):
    target = add_recipients(daerah, service_a, 2)[0]
    client = client_for(operator_a)  # the session is stored in the database; the cache write is skipped
    assert client.get(list_url(daerah, service_a)).status_code == 200  # the session is read from the database
    assert client.get("/api/v1/laporan/").status_code == 200  # the API throttle cannot count: it lets through
    refused = client.post(search_url(daerah, service_a), {"nik": target.nik})
    assert refused.status_code == 503  # the NIK-search limit cannot be counted: no search, and no record of one
    assert "Pencarian NIK sementara tidak tersedia" in refused.content.decode()
    assert not ExportLog.objects.filter(kind=ExportKind.NIK_SEARCH).exists()
