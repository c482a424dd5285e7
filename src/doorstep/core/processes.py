"""Names for the processes and threads that claim work, so a claim says who holds it."""

from __future__ import annotations

import os
import socket


def worker_id(role: str) -> str:
    """`role`-host-pid, at most 64 characters: unique among the processes of an install."""
    return f"{role}-{socket.gethostname()}-{os.getpid()}"[:64]
