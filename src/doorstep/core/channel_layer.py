"""The channel layer of a single `doorstep serve` process (no Redis).

Channels' in-memory layer sweeps every channel and every group for expired messages
on each send and each receive, so with a thousand viewers connected each live-map
update cost a thousand checks per viewer it reached. Here the sweep runs at most once
a second: an undelivered message may outlive its expiry by that second, which changes
nothing for viewers, and the cost of an update no longer grows with the viewers of
other visits.
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer

SWEEP_INTERVAL = 1.0  # seconds


class SweepingInMemoryChannelLayer(InMemoryChannelLayer):  # type: ignore[misc]
    swept_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self.swept_at >= SWEEP_INTERVAL:
            self.swept_at = now
            super()._clean_expired()
