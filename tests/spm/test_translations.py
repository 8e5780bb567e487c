"""The English interface is complete (issue 12): every msgid of ``locale/en`` has a translation, none is fuzzy,
the placeholders match, and the compiled catalogue is the one the sources describe."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def _entries(path: Path) -> list[dict]:
    """The entries of a .po file: flags, msgid(_plural) and msgstr(s), with continued lines joined."""
    entries: list[dict] = []
    current: dict | None = None
    key = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current and current["fields"]:
                entries.append(current)
            current = None
            continue
        current = current or {"flags": set(), "fields": {}}
        if line.startswith("#,"):
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current["fields"][key] += ast.literal_eval(line)
        else:
            key, _space, value = line.partition(" ")
            current["fields"][key] = ast.literal_eval(value)
    return [entry for entry in entries if entry["fields"].get("msgid")]


def test_the_english_catalogue_has_no_untranslated_or_fuzzy_msgid():
    entries = _entries(PO_FILE)
    assert len(entries) > 800
    untranslated = [
        entry["fields"]["msgid"]
        for entry in entries
        if any(not value for key, value in entry["fields"].items() if key.startswith("msgstr"))
    ]
    fuzzy = [entry["fields"]["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    assert not untranslated, f"{len(untranslated)} msgid without English: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy msgid: {fuzzy[:20]}"


def test_english_translations_keep_every_placeholder():
    wrong = []
    for entry in _entries(PO_FILE):
        fields = entry["fields"]
        source = set(PLACEHOLDER.findall(fields["msgid"] + fields.get("msgid_plural", "")))
        for key, value in fields.items():
            if key.startswith("msgstr") and set(PLACEHOLDER.findall(value)) != source:
                wrong.append((fields["msgid"], value))
    assert not wrong, wrong[:10]


def test_the_compiled_catalogue_translates_the_navigation_and_the_login_error():
    compiled = PO_FILE.with_suffix(".mo")
    assert compiled.exists() and compiled.stat().st_size > 50_000
    from django.utils import translation

    with translation.override("en"):
        assert translation.gettext("Laporan triwulan") == "Quarterly reports"
        assert translation.gettext(
            "Nama pengguna atau kata sandi salah. Perhatikan huruf besar/kecil; hubungi admin bila lupa kata sandi."
        ).startswith("Wrong username")
