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


# What reaches the user as a sentence: flash messages, form and service errors, and the reason of a refusal
# (``spm.errors.permission_denied`` shows it). Each is given through gettext so an English user reads English.
USER_MESSAGE_ARGUMENT = {
    "success": 1,
    "error": 1,
    "info": 1,
    "warning": 1,
    "add_error": 1,
    "ValidationError": 0,
    "PermissionDenied": 0,
    "require": 3,
    "require_page": 2,
    "get_object_for": 3,
}
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
APPS = ("spm", "reporting", "targets", "evaluation")


def _bare_sentences(node: ast.AST) -> list[str]:
    """Literal sentences in an argument that no gettext call wraps (the values of a ``%`` mapping are data)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GETTEXT:
        return []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _bare_sentences(node.left)
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and " " in node.value.strip():
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [ast.unparse(node)]
    return [found for child in ast.iter_child_nodes(node) for found in _bare_sentences(child)]


def _user_message_arguments(node: ast.Call) -> list[ast.AST]:
    """The argument of a call that carries a message for the user (none for a logger's call)."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name not in USER_MESSAGE_ARGUMENT:
        return []
    if name in ("error", "info", "warning") and getattr(getattr(func, "value", None), "id", "") != "messages":
        return []  # logger.error/info/warning: the log is written in English
    position = USER_MESSAGE_ARGUMENT[name]
    return node.args[position : position + 1] + [kw.value for kw in node.keywords if kw.arg in ("message", "error")]


def test_messages_shown_to_the_user_are_marked_for_translation():
    untranslated = []
    for app in APPS:
        for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
            if "migrations" in path.parts or "management" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call):
                    untranslated += [
                        f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}: {text[:70]}"
                        for argument in _user_message_arguments(node)
                        for text in _bare_sentences(argument)
                    ]
    assert not untranslated, "\n".join(untranslated)
