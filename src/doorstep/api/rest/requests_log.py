"""One log line per API request, with the key that made it: who did what, and how long
it took, for the company's own audit and for debugging an integration."""

from __future__ import annotations

import logging
import time
from typing import Any

logger = logging.getLogger("doorstep.api.requests")


def note(request: Any, response: Any, *, started: float | None) -> None:
    api_key = getattr(request, "auth", None)
    took = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    logger.info(
        "%s %s %s key=%s %.1fms",
        request.method,
        request.get_full_path(),
        response.status_code,
        getattr(api_key, "prefix", "-"),
        took,
    )
