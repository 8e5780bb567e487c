"""The pages added late (issue 12) are complete in English: once a user picks English, no Indonesian string
of the catalogue is left on the personal-data access log, the report page with its harus-dilayani part, the
provinsi and admin homes, or a rencana aksi."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from targets.services import plan_create
from tests.reporting.conftest import fill_completely

pytestmark = pytest.mark.django_db

TAG = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S)


# The language switch names each language in itself, so "Bahasa Indonesia" stays on English pages.
OWN_NAMES = {"Bahasa Indonesia"}


def indonesian_msgids() -> set[str]:
    """Indonesian sentences of the catalogue whose English differs (short words such as "OPD" say nothing)."""
    translation.activate("en")
    catalog = trans_real.translation("en")._catalog
    found = set()
    for msgid, msgstr in catalog.items():
        if isinstance(msgid, str) and "%" not in msgid and len(msgid) >= 16 and msgid != msgstr and " " in msgid:
            found.add(msgid)
    translation.deactivate()
    return found - OWN_NAMES


# Reference data in the official language (the juknis), marked as such for screen readers, is not a leftover.
OFFICIAL_LANGUAGE_PART = re.compile(r'<span lang="id">[^<]*</span>')


def visible_text(response) -> str:
    text = html.unescape(TAG.sub(" ", OFFICIAL_LANGUAGE_PART.sub(" ", response.content.decode())))
    return re.sub(r"\s+", " ", text)


def leftovers(client, url: str, msgids: set[str]) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200, url
    assert 'lang="en"' in response.content.decode()
    text = visible_text(response)
    return sorted(m for m in msgids if m in text)


def test_late_pages_have_no_indonesian_left_in_english(
    client_for, operator_a, reviewer, provincial_viewer, admin_user, report
):
    report = fill_completely(report, operator_a, scalars={"served": 900})
    plan = plan_create(user=reviewer, region=reviewer.region, start_year=2026, end_year=2030)
    msgids = indonesian_msgids()
    pages = {
        operator_a: [reverse("reporting:personal-data-log"), report.get_absolute_url()],
        reviewer: [reverse("reporting:review", args=[report.pk]), reverse("targets:plan-detail", args=[plan.pk])],
        provincial_viewer: [reverse("home"), reverse("reporting:personal-data-log")],
        admin_user: [reverse("home"), reverse("reporting:personal-data-log")],
    }
    found = []
    for user, urls in pages.items():
        client = client_for(user)
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        for url in urls:
            found += [f"{user.username} {url}: {m}" for m in leftovers(client, url, msgids)]
    assert not found, "\n".join(found)
