"""Customers are addressed as "usted" in Spanish, on every page and in every message.

The emails and text messages say "su visita" and "elija"; a page that says "tu visita"
and "elige" the same day reads as if written by another company. The technician app
speaks to the company's own staff and keeps "tú", so its catalogs are not checked.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from doorstep.project.catalogs import catalogs, language_of, read_po

CUSTOMER_APPS = ("portal", "scheduling", "tracking", "history", "customers", "notifications")

# Words that only "tú" uses: "usted" says su, sus, usted, le, tiene, puede, inténtelo.
FAMILIAR_WORDS = re.compile(
    r"\b(tu|tus|tú|ti|te|contigo|tuyo|tuya|tuyos|tuyas|tienes|puedes|quieres|necesitas"
    r"|has|estás|eres|inténtalo|llámanos|cuéntanos|pídenos|escríbenos|dinos|acórtalo"
    r"|escríbelo|guárdalos|canjéalo|ponte)\b",
    re.IGNORECASE,
)
# "elige", "escribe" and "vuelve" are also what he or she does ("una empresa que elige"),
# so they count only as a command: at the start of a sentence or after a colon.
FAMILIAR_COMMANDS = re.compile(
    r"(?:^|[.:;!?¡¿]\s*)(elige|escribe|vuelve|confirma|revisa|espera|inicia|introduce)\b",
    re.IGNORECASE,
)


def customer_catalogs() -> list[Path]:
    return [
        path
        for path in catalogs()
        if language_of(path) == "es" and path.parents[3].name in CUSTOMER_APPS
    ]


def familiar_forms(text: str) -> list[str]:
    return [found.group(1) for found in FAMILIAR_WORDS.finditer(text)] + [
        found.group(1) for found in FAMILIAR_COMMANDS.finditer(text)
    ]


def test_every_customer_app_has_a_spanish_catalog_checked() -> None:
    apps = {path.parents[3].name for path in customer_catalogs()}
    assert {"portal", "scheduling", "notifications"} <= apps


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Elige un día para tu visita.", ["tu", "Elige"]),
        ("Una empresa que elige sus colores se encarga de ello.", []),
        ("Elija un día para su visita. Puede cambiarla.", []),
        ("Esta visita se ha cancelado: llámenos.", []),
    ],
)
def test_the_check_tells_tu_from_usted(text: str, expected: list[str]) -> None:
    assert familiar_forms(text) == expected


@pytest.mark.parametrize(
    "path", customer_catalogs(), ids=lambda path: str(path.relative_to(path.parents[4]))
)
def test_customer_facing_spanish_says_usted(path: Path) -> None:
    familiar = [
        (text, familiar_forms(text))
        for entry in read_po(path)
        if entry.msgid and not entry.obsolete
        for text in entry.msgstr.values()
        if familiar_forms(text)
    ]
    assert not familiar, f"{len(familiar)} say 'tú', not 'usted'; the first: {familiar[:3]}"
