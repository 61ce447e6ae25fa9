"""Chinese is the default language: every interface string has a Chinese translation."""

import re
from pathlib import Path

from django.utils import translation

import parkbrain

PO = Path(parkbrain.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _unquote(lines: list[str]) -> str:
    return (
        "".join(re.match(r'^"(.*)"$', line).group(1) for line in lines)
        .encode()
        .decode("unicode_escape")
        .encode("latin-1")
        .decode("utf-8")
    )


def _entries() -> list[dict]:
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, list[str]] = {}
        current = None
        flags = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                flags = line
            elif line.startswith("#"):
                continue
            elif match := re.match(r'^(msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$', line):
                current = match.group(1)
                fields[current] = [match.group(2)]
            elif line.startswith('"') and current:
                fields[current].append(line)
        if "msgid" in fields:
            entries.append(
                {key: _unquote(value) for key, value in fields.items()} | {"flags": flags}
            )
    return entries


def test_every_string_is_translated_and_none_is_fuzzy():
    entries = [e for e in _entries() if e["msgid"]]
    assert len(entries) > 200
    for entry in entries:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        translated = entry.get("msgstr") or entry.get("msgstr[0]")
        assert translated, f"untranslated: {entry['msgid']!r}"


def test_compiled_catalogue_matches_the_po_file():
    with translation.override("zh-hans"):
        for entry in _entries():
            if entry["msgid"] and "msgid_plural" not in entry:
                assert translation.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]
