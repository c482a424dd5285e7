"""The shape of the code that the import contract (.importlinter) does not see."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "src" / "doorstep"
# Data, not logic: the demo company's records.
LONG_ON_PURPOSE = {SOURCE / "project" / "demo" / "data.py"}
MAX_LINES = 400


def modules() -> list[Path]:
    return sorted(
        path
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts and path not in LONG_ON_PURPOSE
    )


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(SOURCE)))
def test_no_module_is_longer_than_a_reader_can_hold(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, (
        f"{path.relative_to(SOURCE)} has {lines} lines: split it into modules with telling "
        f"names (at most {MAX_LINES} lines each)."
    )


def test_no_module_imports_a_private_name_of_another() -> None:
    found = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(
                "doorstep."
            ):
                continue
            if node.module == module_name(path):
                continue
            found += [
                f"{path.relative_to(SOURCE)}: {node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    assert found == [], "private names imported across modules:\n" + "\n".join(found)
