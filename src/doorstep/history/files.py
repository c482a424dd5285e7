"""Files that belong to rows: written when the row's transaction commits, never before.

A file written before its row commits is an orphan when the transaction rolls back (and
Django has no hook for a rollback); a row committed before its file is written has no
file. So the row is saved with a reserved random name, and the bytes go to the private
storage from `on_commit`; if writing fails there, the rows are removed again, so neither
half stays alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction

from doorstep.history.models import private_storage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PendingFile:
    name: str
    content: bytes


def write_on_commit(files: list[PendingFile], *, undo: Callable[[], object]) -> None:
    """Write `files` once the current transaction commits; if that fails, delete what was
    written and call `undo` (which removes the rows), then let the error through."""

    def write() -> None:
        storage = private_storage()
        written: list[str] = []
        try:
            for pending in files:
                saved = storage.save(pending.name, ContentFile(pending.content))
                written.append(saved)
                if saved != pending.name:  # a random name already taken: never seen yet
                    raise OSError(f"{pending.name} was stored as {saved}")
        except Exception:
            logger.exception("Writing %s failed; removing its rows", [f.name for f in files])
            for name in written:
                storage.delete(name)
            undo()
            raise

    transaction.on_commit(write)


def delete_on_commit(names: list[str]) -> None:
    """Remove files once the rows that named them are gone for good."""

    def delete() -> None:
        storage = private_storage()
        for name in names:
            if name:
                storage.delete(name)

    transaction.on_commit(delete, robust=True)
