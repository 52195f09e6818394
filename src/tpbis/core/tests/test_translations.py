"""The English catalog is complete, not fuzzy, keeps its placeholders, and its compiled .mo matches the .po."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

PO_PATH = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]")
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    def __str__(self) -> str:
        return f"django.po:{self.line} {self.msgid!r}"


def _unquote(text: str) -> str:
    text = text.strip()
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), text[1:-1])


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: msgctxt/msgid/msgid_plural/msgstr[n] blocks, flags, continuation lines."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None
    pending_flags: set[str] = set()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):  # blank or obsolete
            continue
        if line.startswith("#,"):
            pending_flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            assert current is not None and target is not None, f"django.po:{number}: stray string"
            value = _unquote(line)
        elif keyword in ("msgctxt", "msgid"):
            if keyword == "msgctxt" or current is None or target is None or target[0] != "msgctxt":
                current = Entry(line=number, flags=pending_flags)
                pending_flags = set()
                entries.append(current)
            target, value = (keyword, 0), _unquote(rest)
            setattr(current, keyword, "")
        elif keyword == "msgid_plural":
            assert current is not None
            target, value = ("msgid_plural", 0), _unquote(rest)
            current.msgid_plural = ""
        elif keyword.startswith("msgstr"):
            assert current is not None
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            target, value = ("msgstr", index), _unquote(rest)
            current.msgstr.setdefault(index, "")
        else:
            raise AssertionError(f"django.po:{number}: cannot read {raw!r}")
        assert current is not None and target is not None
        if target[0] == "msgstr":
            current.msgstr[target[1]] += value
        else:
            setattr(current, target[0], (getattr(current, target[0]) or "") + value)
    return entries


@pytest.fixture(scope="module")
def catalog() -> list[Entry]:
    assert PO_PATH.exists(), "Run `manage.py makemessages -l en` to create the English catalog."
    entries = parse_po(PO_PATH)
    assert entries and entries[0].msgid == "", "The catalog has no header entry."
    return entries


def messages(catalog: list[Entry]) -> list[Entry]:
    return [entry for entry in catalog if entry.msgid]


def test_it_has_an_english_translation_for_every_message(catalog: list[Entry]) -> None:
    untranslated = [str(e) for e in messages(catalog) if not e.msgstr or not all(e.msgstr.values())]
    assert len(messages(catalog)) > 100
    assert not untranslated, "Untranslated entries in the English catalog:\n" + "\n".join(untranslated)


def test_it_has_no_fuzzy_entries_in_the_english_catalog(catalog: list[Entry]) -> None:
    fuzzy = [str(e) if e.msgid else "the header" for e in catalog if "fuzzy" in e.flags]
    assert not fuzzy, "Fuzzy entries are ignored at runtime; review them and drop the flag:\n" + "\n".join(fuzzy)


def test_it_declares_english_and_its_plural_forms_in_the_header(catalog: list[Entry]) -> None:
    header = catalog[0].msgstr[0]
    assert "Language: en\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header
    assert "charset=UTF-8" in header


def test_it_keeps_every_placeholder_in_the_translations(catalog: list[Entry]) -> None:
    broken = []
    for e in messages(catalog):
        if e.msgid_plural is None:
            if sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(e.msgstr.get(0, ""))):
                broken.append(str(e))
        else:
            allowed = set(PLACEHOLDER.findall(e.msgid)) | set(PLACEHOLDER.findall(e.msgid_plural))
            if any(not set(PLACEHOLDER.findall(s)) <= allowed for s in e.msgstr.values()):
                broken.append(str(e))
    assert not broken, "Translations whose %(name)s placeholders differ from the msgid:\n" + "\n".join(broken)


def test_it_serves_the_compiled_catalog_in_step_with_the_po_file(catalog: list[Entry]) -> None:
    assert MO_PATH.exists(), "Run `manage.py compilemessages` to build django.mo."
    stale = []
    with translation.override("en"):
        for e in messages(catalog):
            if e.msgid_plural is None:
                got = [
                    translation.pgettext(e.msgctxt, e.msgid) if e.msgctxt is not None else translation.gettext(e.msgid)
                ]
                want = [e.msgstr.get(0, "")]
            else:
                got = [
                    translation.npgettext(e.msgctxt, e.msgid, e.msgid_plural, n)
                    if e.msgctxt is not None
                    else translation.ngettext(e.msgid, e.msgid_plural, n)
                    for n in (1, 2)
                ]
                want = [e.msgstr.get(0, ""), e.msgstr.get(1, "")]
            if got != want:
                stale.append(f"{e}: served {got!r}, catalog says {want!r}")
    assert not stale, "django.mo is out of date; run `manage.py compilemessages`:\n" + "\n".join(stale)
