"""The shipped translation catalogs: where they are and what they say.

A small reader of gettext `.po` files, enough for the checks that every catalog is
complete and that each compiled `.mo` file says what its `.po` source says (the compiled
files are committed, so an install needs no GNU gettext: docs/decisions/0017).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1]
DOMAINS = ("django", "djangojs")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    obsolete: bool = False

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def key(self) -> str:
        """The key Python's gettext gives the entry (context EOT id)."""
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def catalogs() -> list[Path]:
    """Every shipped `.po` file: each app's locale/<language>/LC_MESSAGES/<domain>.po."""
    return sorted(
        path for domain in DOMAINS for path in SOURCE.glob(f"*/locale/*/LC_MESSAGES/{domain}.po")
    )


def language_of(path: Path) -> str:
    return path.parent.parent.name


def read_po(path: Path) -> list[Entry]:
    """The entries of a `.po` file, the header (msgid "") included."""
    entries: list[Entry] = []
    entry = Entry()
    field_name: str | None = None
    started = False

    def finish() -> None:
        nonlocal entry, started
        if started:
            entries.append(entry)
        entry, started = Entry(), False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if started:
                finish()
            if line.startswith("#,"):
                entry.flags += [flag.strip() for flag in line[2:].split(",") if flag.strip()]
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            text = ast.literal_eval(line)
        else:
            text = ast.literal_eval(rest.strip()) if rest else ""
            field_name = keyword
            if keyword in ("msgctxt", "msgid") and entry.msgstr:
                finish()  # a next entry with no blank line before it
            started = True
            if keyword == "msgctxt":
                entry.msgctxt = ""
        if field_name:
            _append(entry, field_name, text)
    finish()
    return [found for found in entries if not found.obsolete]


def _append(entry: Entry, field_name: str, text: str) -> None:
    if field_name == "msgid":
        entry.msgid += text
    elif field_name == "msgid_plural":
        entry.msgid_plural += text
    elif field_name == "msgctxt":
        entry.msgctxt = (entry.msgctxt or "") + text
    elif field_name == "msgstr":
        entry.msgstr[0] = entry.msgstr.get(0, "") + text
    elif field_name.startswith("msgstr["):
        index = int(field_name[len("msgstr[") : -1])
        entry.msgstr[index] = entry.msgstr.get(index, "") + text
