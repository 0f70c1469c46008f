"""The Chinese catalogue is complete, and the pages really come out in Chinese (zh-hans is the default)."""

import ast
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client, override_settings

PO_FILE = Path(django_settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"

# %(name)s, %s, {name}, HTML tags and entities must survive translation unchanged.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdfr]|%[sdf]|\{\w*\}|</?\w+[^>]*>|&\w+;")


@dataclass
class Entry:
    """One message of a .po file."""

    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def po_entries(path: Path) -> list[Entry]:
    """The messages of a .po file, header excluded; enough of the format for makemessages output."""
    entries: list[Entry] = []
    entry = Entry(line=1)
    key: tuple[str, int] | None = None

    def finish() -> None:
        if entry.msgid or entry.msgid_plural:
            entries.append(entry)

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            if key is not None and key[0] == "msgstr":
                finish()
                entry, key = Entry(line=number), None
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if match:
            keyword, index, text = match.group(1), int(match.group(2) or 0), match.group(3)
            if keyword in ("msgctxt", "msgid") and key is not None and key[0] == "msgstr":
                finish()
                entry = Entry(line=number, flags=set())
            key = (keyword, index)
        else:
            text = line
        value = ast.literal_eval(text)
        assert key is not None, f"{path}:{number}: text before any keyword"
        if key[0] == "msgid":
            entry.msgid += value
        elif key[0] == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + value
        elif key[0] == "msgstr":
            entry.msgstr[key[1]] = entry.msgstr.get(key[1], "") + value
    finish()
    return [e for e in entries if not e.obsolete]


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    return po_entries(PO_FILE)


def test_the_chinese_catalogue_has_the_messages_of_the_project(entries: list[Entry]) -> None:
    assert len(entries) > 500
    assert any(e.msgid == "Find achievements" for e in entries)


def test_every_message_has_a_chinese_translation(entries: list[Entry]) -> None:
    untranslated = [f"{e.line}: {e.msgid}" for e in entries if not e.msgstr or not all(e.msgstr.values())]
    assert untranslated == []


def test_no_translation_is_left_fuzzy(entries: list[Entry]) -> None:
    fuzzy = [f"{e.line}: {e.msgid}" for e in entries if "fuzzy" in e.flags]
    assert fuzzy == []


def test_chinese_has_one_plural_form() -> None:
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in PO_FILE.read_text(encoding="utf-8")
    plurals = [e for e in po_entries(PO_FILE) if e.msgid_plural is not None]
    assert plurals and all(set(e.msgstr) == {0} for e in plurals)


def test_translations_keep_every_placeholder_and_tag(entries: list[Entry]) -> None:
    broken = [
        f"{e.line}: {e.msgid} → {text}"
        for e in entries
        for text in e.msgstr.values()
        if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(e.msgid))
    ]
    assert broken == []


def test_translations_are_chinese_not_copies_of_the_english(entries: list[Entry]) -> None:
    # A few technical words are the same in both languages.
    same = {"API", "%(name)s", "TechTransfer"}
    copied = [f"{e.line}: {e.msgid}" for e in entries if e.msgstr.get(0) == e.msgid and e.msgid not in same]
    assert copied == []


@pytest.fixture
def compiled_catalogue(tmp_path: Path) -> Iterator[Path]:
    """The .po compiled afresh, so the page test reads this catalogue and not a stale .mo."""
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "GNU gettext (msgfmt) is needed: `make messages` installs it"
    target = tmp_path / "zh_Hans" / "LC_MESSAGES"
    target.mkdir(parents=True)
    subprocess.run([msgfmt, "--check-format", "-o", str(target / "django.mo"), str(PO_FILE)], check=True)
    # Changing LOCALE_PATHS makes Django drop its cached catalogues.
    with override_settings(LOCALE_PATHS=[tmp_path]):
        yield tmp_path


@pytest.mark.django_db
def test_the_home_page_in_chinese_offers_to_find_achievements(compiled_catalogue: Path) -> None:
    response = Client().get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "查找成果" in page
    assert "Find achievements" not in page
    assert "S&amp;T Achievement Transfer Platform" not in page
